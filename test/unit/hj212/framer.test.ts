import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildPacket, frameDataSegment, Hj212Framer, parsePacket, type FrameEvent } from '../../../ingest/hj212/index.js';
import { dataSegmentOf, REFERENCE_PACKETS } from './reference-packets.js';

const ALL = Object.values(REFERENCE_PACKETS);

function feed(framer: Hj212Framer, ...chunks: (string | Buffer)[]): FrameEvent[] {
  return chunks.flatMap((chunk) => framer.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk));
}

function packetsOf(events: FrameEvent[]): string[] {
  return events.flatMap((e) => (e.kind === 'packet' ? [e.data] : []));
}

function kinds(events: FrameEvent[]): string[] {
  return events.map((e) => (e.kind === 'error' ? `error:${e.reason}` : e.kind));
}

describe('Hj212Framer with the reference packets (domain-facts §3.3)', () => {
  it.each(Object.entries(REFERENCE_PACKETS))('accepts %s and parses its data segment', (_name, packet) => {
    const events = feed(new Hj212Framer(), packet);
    expect(kinds(events)).toEqual(['packet']);
    expect(packetsOf(events)).toEqual([dataSegmentOf(packet)]);
    expect(parsePacket(dataSegmentOf(packet)).ok).toBe(true);
  });

  it.each(Object.entries(REFERENCE_PACKETS))('rejects every one-byte corruption of %s', (_name, packet) => {
    const original = Buffer.from(packet, 'latin1');
    let corruptions = 0;
    for (let i = 0; i < original.length; i++) {
      // XOR masks that never turn a hex letter into its other case (a case change of the CRC is not a corruption, §3.2 step 4).
      for (const mask of [0x01, 0x02, 0x10, 0x80]) {
        const bytes = Buffer.from(original);
        bytes[i] = (bytes[i] as number) ^ mask;
        const events = feed(new Hj212Framer(), bytes);
        expect(packetsOf(events), `byte ${i} ^ ${mask}`).toEqual([]);
        corruptions++;
      }
    }
    expect(corruptions).toBe(original.length * 4);
  });

  it('accepts a packet split at every possible point', () => {
    const packet = REFERENCE_PACKETS.hourly2061;
    for (let cut = 1; cut < packet.length; cut++) {
      const events = feed(new Hj212Framer(), packet.slice(0, cut), packet.slice(cut));
      expect(packetsOf(events), `cut at ${cut}`).toEqual([dataSegmentOf(packet)]);
    }
  });

  it('accepts a packet fed one byte at a time', () => {
    const framer = new Hj212Framer();
    const events = [...REFERENCE_PACKETS.realtime2011].flatMap((ch) => feed(framer, ch));
    expect(packetsOf(events)).toEqual([dataSegmentOf(REFERENCE_PACKETS.realtime2011)]);
  });

  it('finds several packets in one segment, in order', () => {
    const events = feed(new Hj212Framer(), ALL.join(''));
    expect(packetsOf(events)).toEqual(ALL.map(dataSegmentOf));
    expect(events.every((e) => e.kind === 'packet')).toBe(true);
  });

  it('skips garbage between packets and resyncs on the next ##', () => {
    const [a, b] = [REFERENCE_PACKETS.setInterval, REFERENCE_PACKETS.dataAck];
    const between = Buffer.from([0x0d, 0x0a, 0x00, 0xff, 0x23, 0x20, 0x41, 0x23, 0x0d]);
    const events = feed(new Hj212Framer(), Buffer.concat([Buffer.from(`noise${a}`), between, Buffer.from(`${b}tail`)]));
    expect(packetsOf(events)).toEqual([dataSegmentOf(a), dataSegmentOf(b)]);
    expect(kinds(events)).toEqual(['garbage', 'packet', 'garbage', 'packet', 'garbage']);
    expect(events.map((e) => (e.kind === 'garbage' ? e.byteCount : 0))).toEqual([5, 0, between.length, 0, 4]);
  });

  it.each([
    { name: 'non-digit length', input: '##01a1QN=1;ST=21&&0000\r\n', reason: 'bad-length' },
    { name: 'wrong trailer', input: REFERENCE_PACKETS.dataAck.replace('\r\n', '\n\n'), reason: 'bad-trailer' },
    { name: 'non-hex CRC', input: REFERENCE_PACKETS.dataAck.replace('C241', 'C24Z'), reason: 'bad-crc-digits' },
    { name: 'CRC mismatch', input: REFERENCE_PACKETS.dataAck.replace('C241', 'C242'), reason: 'crc-mismatch' },
  ])('reports $name as a frame error', ({ input, reason }) => {
    const events = feed(new Hj212Framer(), input);
    expect(packetsOf(events)).toEqual([]);
    expect(kinds(events)[0]).toBe(`error:${reason}`);
    const error = events[0];
    expect(error?.kind === 'error' && error.code).toBe(reason === 'crc-mismatch' ? 'RW_HJ212_CRC' : 'RW_HJ212_FRAME');
  });

  it('accepts frames longer than the standard\'s 1,024 bytes, up to the length field\'s 9999 (leniency)', () => {
    const data = `QN=20201029122005355;ST=21;CN=2051;PW=123456;MN=M1;Flag=5;CP=&&DataTime=20201029121000;${'w01001-Avg=7.00,w01001-Flag=N;'.repeat(60)}w01009-Avg=8&&`;
    expect(data.length).toBeGreaterThan(1024);
    const packet = frameDataSegment(data);
    const events = feed(new Hj212Framer(), packet.slice(0, 700), packet.slice(700));
    expect(packetsOf(events)).toEqual([data]);
    expect(kinds(events)).toEqual(['packet']);
  });

  it('a length the data does not fill is one bad-trailer error once the declared bytes have come', () => {
    const events = feed(new Hj212Framer(), '##1025' + 'x'.repeat(1025) + '0000\r\n');
    expect(kinds(events)[0]).toBe('error:crc-mismatch');
    expect(packetsOf(feed(new Hj212Framer(), '##9999abc'))).toEqual([]);
  });

  it('a frame whose length is wrong does not swallow the good packet after it', () => {
    const broken = REFERENCE_PACKETS.dataAck.replace('##0087', '##0300');
    const good = REFERENCE_PACKETS.hourly2061;
    const events = feed(new Hj212Framer(), broken, good);
    expect(packetsOf(events)).toEqual([dataSegmentOf(good)]);
    // The broken frame is reported once; its tail is not reported again as garbage.
    expect(kinds(events)).toEqual(['error:bad-trailer', 'packet']);
  });

  it('keeps a trailing # that may start the next header', () => {
    const framer = new Hj212Framer();
    const packet = REFERENCE_PACKETS.dataAck;
    const events = feed(framer, `junk#`, packet.slice(1));
    expect(packetsOf(events)).toEqual([dataSegmentOf(packet)]);
  });

  it('bounds its memory whatever the peer sends', () => {
    const framer = new Hj212Framer();
    const junk = Buffer.alloc(1 << 20, 0x41);
    feed(framer, junk);
    expect(framer.bufferedBytes).toBe(0);
    // A plausible header waits for at most one maximal frame (1,036 bytes), then resyncs.
    feed(framer, '##1024', Buffer.alloc(1029, 0x42));
    expect(framer.bufferedBytes).toBeLessThanOrEqual(1036);
    const events = feed(framer, Buffer.alloc(10, 0x42));
    expect(kinds(events)[0]).toBe('error:bad-trailer');
    expect(framer.bufferedBytes).toBeLessThanOrEqual(1036);
    for (let i = 0; i < 200; i++) feed(framer, Buffer.from('##0999' + 'z'.repeat(1000)));
    expect(framer.bufferedBytes).toBeLessThanOrEqual(1036);
  });

  it('counts length in bytes, not characters (UTF-8 data)', () => {
    const packet = buildPacket({
      qn: '20240315090005123',
      st: '21',
      cn: '2011',
      pw: '123456',
      mn: 'MN1',
      flag: 4,
      cp: 'Note=水质',
    });
    const events = feed(new Hj212Framer(), packet);
    expect(packetsOf(events)).toEqual([dataSegmentOf(packet)]);
    expect(packet.slice(2, 6)).toBe(String(Buffer.byteLength(dataSegmentOf(packet))).padStart(4, '0'));
  });
});

// ---- property: random valid packets, cut anywhere, garbage between, are framed back exactly ----

const fieldText = (chars: string, min: number, max: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...chars), { minLength: min, maxLength: max }).map((a) => a.join(''));
const DIGITS = '0123456789';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

const cpItem = fc.record({ key: fieldText(ALNUM, 1, 12), value: fieldText(ALNUM + '.-', 0, 16) });
const cpGroups = fc.array(fc.array(cpItem, { minLength: 1, maxLength: 4 }), { maxLength: 25 });
const packetArb = fc
  .record({
    qn: fc.option(fieldText(DIGITS, 17, 17), { nil: undefined }),
    st: fieldText(DIGITS, 2, 2),
    cn: fieldText(DIGITS, 4, 4),
    pw: fieldText(ALNUM, 6, 6),
    mn: fieldText(ALNUM, 1, 24),
    flag: fc.integer({ min: 0, max: 255 }),
    cp: cpGroups,
  })
  .map((fields) => buildPacket(fields.flag & 2 ? { ...fields, pnum: 2, pno: 1 } : fields))
  .filter((packet) => packet.length <= 1036);
// Garbage may hold single '#', digits, CR and LF, but never "##": any frame candidate starts at a real header.
const garbageArb = fc
  .uint8Array({ maxLength: 80 })
  .map((bytes) => Buffer.from(bytes))
  .filter((buf) => buf.indexOf('##') < 0);

describe('Hj212Framer property', () => {
  it('frames back every packet of a stream cut at random points with garbage between', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(garbageArb, packetArb), { minLength: 1, maxLength: 12 }),
        garbageArb,
        fc.array(fc.integer({ min: 1, max: 1500 }), { minLength: 1, maxLength: 40 }),
        (items, tail, cuts) => {
          const parts: Buffer[] = [];
          for (const [garbage, packet] of items) {
            parts.push(garbage, Buffer.from(packet, 'utf8'));
          }
          // A tail ending in '#' could be the first half of a header that never comes: keep it clean.
          parts.push(tail.length > 0 && tail[tail.length - 1] === 0x23 ? tail.subarray(0, -1) : tail);
          const stream = Buffer.concat(parts);
          const framer = new Hj212Framer();
          const events: FrameEvent[] = [];
          let pos = 0;
          for (const size of cuts) {
            if (pos >= stream.length) break;
            events.push(...framer.push(stream.subarray(pos, pos + size)));
            pos += size;
          }
          if (pos < stream.length) events.push(...framer.push(stream.subarray(pos)));
          expect(packetsOf(events)).toEqual(items.map(([, packet]) => dataSegmentOf(packet)));
          for (const data of packetsOf(events)) expect(parsePacket(data).ok).toBe(true);
          expect(framer.bufferedBytes).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 300 },
    );
  });
});
