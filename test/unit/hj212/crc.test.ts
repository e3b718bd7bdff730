import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCrc, hj212Crc, parseCrc } from '../../../ingest/hj212/index.js';
import { dataSegmentOf, REFERENCE_PACKETS } from './reference-packets.js';

/** CRC-16/MODBUS, only to show the HJ 212 CRC is a different function (domain-facts §3.2). */
function modbusCrc(text: string): number {
  let reg = 0xffff;
  for (const byte of Buffer.from(text)) {
    reg ^= byte;
    for (let bit = 0; bit < 8; bit++) reg = reg & 1 ? (reg >>> 1) ^ 0xa001 : reg >>> 1;
  }
  return reg;
}

/** The §3.2 steps written out bit by bit, as the reference gives them. */
function stepsCrc(bytes: Uint8Array): number {
  let reg = 0xffff;
  for (const byte of bytes) {
    reg = (reg >>> 8) ^ byte;
    for (let bit = 0; bit < 8; bit++) {
      const lsb = reg & 1;
      reg >>>= 1;
      if (lsb) reg ^= 0xa001;
    }
  }
  return reg & 0xffff;
}

describe('HJ 212 CRC (domain-facts §3.2 vectors)', () => {
  it('the table-driven CRC equals the bitwise §3.2 steps on any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1100 }), (bytes) => {
        expect(hj212Crc(bytes)).toBe(stepsCrc(bytes));
      }),
      { numRuns: 500 },
    );
  });

  const standardExample = dataSegmentOf(REFERENCE_PACKETS.setInterval);
  it.each([
    { name: '123456789', input: '123456789', hj212: '2F80', modbus: '4B37' },
    { name: 'empty', input: '', hj212: 'FFFF', modbus: 'FFFF' },
    { name: 'standard example', input: standardExample, hj212: '1C80', modbus: '0759' },
  ])('$name → $hj212 (Modbus would give $modbus)', ({ input, hj212, modbus }) => {
    expect(formatCrc(hj212Crc(input))).toBe(hj212);
    expect(formatCrc(modbusCrc(input))).toBe(modbus);
  });

  it('computes over a byte range of a buffer the same as over the string', () => {
    const buf = Buffer.from(`xx${standardExample}yy`);
    expect(hj212Crc(buf, 2, buf.length - 2)).toBe(0x1c80);
  });

  it.each(Object.entries(REFERENCE_PACKETS))('reference packet %s carries the CRC of its data segment', (_name, packet) => {
    const crcText = packet.slice(packet.length - 6, packet.length - 2);
    expect(hj212Crc(dataSegmentOf(packet))).toBe(parseCrc(crcText));
  });

  it.each([
    ['1C80', 0x1c80],
    ['7d00', 0x7d00],
    ['abcd', 0xabcd],
    ['12G4', undefined],
    ['123', undefined],
    ['12345', undefined],
  ])('parses CRC digits %s case-insensitively → %s', (text, expected) => {
    expect(parseCrc(text)).toBe(expected);
  });

  it('pads small CRCs to four upper-case digits', () => {
    expect(formatCrc(0x00a1)).toBe('00A1');
  });
});
