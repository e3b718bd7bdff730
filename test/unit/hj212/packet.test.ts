import { describe, expect, it } from 'vitest';
import {
  buildPacket,
  formatCp,
  isSplit,
  looseEcho,
  maskPassword,
  parseCp,
  parsePacket,
  QN_RTN,
  wantsAnswer,
} from '../../../ingest/hj212/index.js';
import { dataSegmentOf, REFERENCE_PACKETS } from './reference-packets.js';

describe('parsePacket', () => {
  it('reads the header fields of the standard example (§3.3 example 1)', () => {
    const result = parsePacket(dataSegmentOf(REFERENCE_PACKETS.setInterval));
    expect(result).toEqual({
      ok: true,
      value: {
        qn: '20160801085857223',
        st: '32',
        cn: '1062',
        pw: '100000',
        mn: '010000A8900016F000169DC0',
        flag: 5,
        pnum: undefined,
        pno: undefined,
        cp: 'RtdInterval=30',
      },
    });
  });

  it('reads an empty CP (&&&&) and a 2025-style Flag=8', () => {
    const result = parsePacket(dataSegmentOf(REFERENCE_PACKETS.thirdPartyAck2025));
    expect(result.ok && result.value).toMatchObject({ cn: '9014', flag: 8, cp: '', mn: 'A110000_0001' });
  });

  it.each([
    { flag: 4, answer: false, split: false },
    { flag: 5, answer: true, split: false },
    { flag: 7, answer: true, split: true },
    { flag: 8, answer: false, split: false },
    { flag: 9, answer: true, split: false },
  ])('Flag=$flag: answer $answer, split $split', ({ flag, answer, split }) => {
    expect(wantsAnswer(flag)).toBe(answer);
    expect(isSplit(flag)).toBe(split);
  });

  it('reads PNUM/PNO when Flag bit D is set', () => {
    const result = parsePacket('QN=20240101000000000;ST=21;CN=2011;PW=123456;MN=M1;Flag=7;PNUM=3;PNO=2;CP=&&a=1&&');
    expect(result.ok && result.value).toMatchObject({ flag: 7, pnum: 3, pno: 2, cp: 'a=1' });
  });

  it.each([
    { name: 'letter ST (HJ 212-2017 §6.6.1.2)', data: 'QN=1;ST=A1;CN=2011;PW=123456;MN=M1;Flag=5;CP=&&&&' },
    { name: '24-character PW', data: `QN=1;ST=21;CN=2011;PW=${'a1'.repeat(12)};MN=M1;Flag=5;CP=&&&&` },
    { name: 'no Flag (HJ/T 212-2005)', data: 'ST=32;CN=2011;PW=123456;MN=LD130133000015;CP=&&DataTime=20160824003817000;011-Rtd=231.0&&' },
    { name: 'Flag=9 (HJ 212-2025 version bits + A)', data: 'QN=1;ST=21;CN=2011;PW=123456;MN=M1;Flag=9;CP=&&&&' },
  ])('accepts $name (leniency)', ({ data }) => {
    expect(parsePacket(data).ok).toBe(true);
  });

  it.each([
    { name: 'all fields', data: 'QN=20240101000000000;ST=99x;CN=2011;PW=123;MN=M1;Flag=5;CP=&&&&', want: { qn: '20240101000000000', mn: 'M1', pw: '123', flag: 5 } },
    { name: 'no Flag', data: 'QN=1;ST=21;CN=2011;PW=1;MN=M2;CP=&&', want: { qn: '1', mn: 'M2', pw: '1', flag: 0 } },
    { name: 'bad QN', data: 'QN=abc;ST=21;MN=M3;Flag=1;CP=&&&&', want: { qn: undefined, mn: 'M3', pw: '', flag: 1 } },
    { name: 'no MN', data: 'QN=1;ST=21;CN=2011;Flag=5;CP=&&&&', want: undefined },
    { name: 'MN=X in CP only', data: 'QN=1;ST=21;Flag=5;CP=&&MN=X&&', want: undefined },
  ])('looseEcho reads what a refusal answer echoes: $name', ({ data, want }) => {
    expect(looseEcho(data)).toEqual(want);
  });

  it('ignores header keys it does not know (later editions may add some)', () => {
    const result = parsePacket('QN=1;ST=21;CN=2011;PW=123456;MN=M1;Flag=4;EXT=x;CP=&&&&');
    expect(result.ok).toBe(true);
  });

  it.each([
    { name: 'no CP', data: 'QN=1;ST=21;CN=2011;PW=1;MN=M;Flag=4', qnRtn: QN_RTN.unknown },
    { name: 'CP not closed', data: 'QN=1;ST=21;CN=2011;PW=1;MN=M;Flag=4;CP=&&a=1', qnRtn: QN_RTN.unknown },
    { name: 'CP only', data: 'CP=&&&&', qnRtn: QN_RTN.unknown },
    { name: 'missing MN', data: 'QN=1;ST=21;CN=2011;PW=1;Flag=4;CP=&&&&', qnRtn: QN_RTN.mnError },
    { name: 'missing PW', data: 'QN=1;ST=21;CN=2011;MN=M;Flag=4;CP=&&&&', qnRtn: QN_RTN.passwordError },
    { name: 'missing ST', data: 'QN=1;CN=2011;PW=1;MN=M;Flag=4;CP=&&&&', qnRtn: QN_RTN.stError },
    { name: 'missing CN', data: 'QN=1;ST=21;PW=1;MN=M;Flag=4;CP=&&&&', qnRtn: QN_RTN.cnError },
    { name: 'QN not digits', data: 'QN=2024x;ST=21;CN=2011;PW=1;MN=M;Flag=4;CP=&&&&', qnRtn: QN_RTN.qnError },
    { name: 'MN over 24 chars', data: `QN=1;ST=21;CN=2011;PW=1;MN=${'M'.repeat(25)};Flag=4;CP=&&&&`, qnRtn: QN_RTN.mnError },
    { name: 'Flag not a number', data: 'QN=1;ST=21;CN=2011;PW=1;MN=M;Flag=x;CP=&&&&', qnRtn: QN_RTN.flagError },
    { name: 'Flag over 255', data: 'QN=1;ST=21;CN=2011;PW=1;MN=M;Flag=256;CP=&&&&', qnRtn: QN_RTN.flagError },
    { name: 'split without PNUM', data: 'QN=1;ST=21;CN=2011;PW=1;MN=M;Flag=7;PNO=1;CP=&&&&', qnRtn: QN_RTN.flagError },
    { name: 'PNO beyond PNUM', data: 'QN=1;ST=21;CN=2011;PW=1;MN=M;Flag=7;PNUM=2;PNO=3;CP=&&&&', qnRtn: QN_RTN.flagError },
    { name: 'repeated field', data: 'QN=1;ST=21;CN=2011;CN=2061;PW=1;MN=M;Flag=4;CP=&&&&', qnRtn: QN_RTN.cnError },
    { name: 'field without =', data: 'QN=1;ST21;CN=2011;PW=1;MN=M;Flag=4;CP=&&&&', qnRtn: QN_RTN.unknown },
    { name: 'ST of three characters', data: 'QN=1;ST=999;CN=2011;PW=1;MN=M;Flag=4;CP=&&&&', qnRtn: QN_RTN.stError },
    { name: 'PW over 24 characters', data: `QN=1;ST=21;CN=2011;PW=${'p'.repeat(25)};MN=M;Flag=4;CP=&&&&`, qnRtn: QN_RTN.passwordError },
  ])('refuses $name with QnRtn $qnRtn', ({ data, qnRtn }) => {
    const result = parsePacket(data);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.qnRtn).toBe(qnRtn);
  });
});

describe('parseCp / formatCp', () => {
  it('splits ; groups and , items (§3.1 CP syntax)', () => {
    const result = parseCp('DataTime=20210301111100;w01001-Rtd=8.33,w01001-Flag=N');
    expect(result).toEqual({
      ok: true,
      value: [
        [{ key: 'DataTime', value: '20210301111100' }],
        [
          { key: 'w01001-Rtd', value: '8.33' },
          { key: 'w01001-Flag', value: 'N' },
        ],
      ],
    });
  });

  it('reads an empty area and skips empty groups', () => {
    expect(parseCp('')).toEqual({ ok: true, value: [] });
    expect(parseCp('a=1;;b=2;')).toEqual({ ok: true, value: [[{ key: 'a', value: '1' }], [{ key: 'b', value: '2' }]] });
  });

  it('keeps = inside a value', () => {
    expect(parseCp('k=a=b')).toEqual({ ok: true, value: [[{ key: 'k', value: 'a=b' }]] });
  });

  it.each(['novalue', '=1', 'a=1,b'])('refuses item without key=value: %s', (cp) => {
    expect(parseCp(cp).ok).toBe(false);
  });

  it('formats back what it parsed', () => {
    const cp = dataSegmentOf(REFERENCE_PACKETS.hourly2061).split('CP=&&')[1]?.slice(0, -2) ?? '';
    const parsed = parseCp(cp);
    expect(parsed.ok && formatCp(parsed.value)).toBe(cp);
  });
});

describe('buildPacket', () => {
  it('reproduces the standard example byte for byte (length, CRC, trailer)', () => {
    const text = buildPacket({
      qn: '20160801085857223',
      st: '32',
      cn: '1062',
      pw: '100000',
      mn: '010000A8900016F000169DC0',
      flag: 5,
      cp: [[{ key: 'RtdInterval', value: '30' }]],
    });
    expect(text).toBe(REFERENCE_PACKETS.setInterval);
  });

  it('writes PNUM/PNO after Flag', () => {
    const text = buildPacket({ qn: '1', st: '21', cn: '2011', pw: 'p', mn: 'm', flag: 7, pnum: 2, pno: 1, cp: 'a=1' });
    expect(text).toContain(';Flag=7;PNUM=2;PNO=1;CP=&&a=1&&');
  });

  it('builds up to the length field\'s 9999 bytes and refuses beyond', () => {
    expect(buildPacket({ st: '21', cn: '2011', pw: 'p', mn: 'm', flag: 4, cp: 'x='.padEnd(1100, '1') })).toMatch(/^##11\d\d/);
    expect(() => buildPacket({ st: '21', cn: '2011', pw: 'p', mn: 'm', flag: 4, cp: 'x='.padEnd(10_000, '1') })).toThrow(RangeError);
  });
});

describe('maskPassword', () => {
  it('masks the PW field of a packet for logs and dead letters', () => {
    expect(maskPassword(REFERENCE_PACKETS.hourly2061)).toContain(';PW=***;MN=ZJ330100SW0001;');
    expect(maskPassword(REFERENCE_PACKETS.hourly2061)).not.toContain('123456');
  });
});
