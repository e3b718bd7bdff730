import { describe, expect, it } from 'vitest';
import { lastDataTime, parsePacket, Reassembler, type Hj212Packet } from '../../../ingest/hj212/index.js';

function part(qn: string, pnum: number, pno: number, cp: string, cn = '2051'): Hj212Packet {
  const parsed = parsePacket(`QN=${qn};ST=21;CN=${cn};PW=123456;MN=M1;Flag=7;PNUM=${pnum};PNO=${pno};CP=&&${cp}&&`);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}

describe('split upload context (each part its own QN, C.49/C.50)', () => {
  it('a later part without DataTime inherits the DataTime of the earlier part, whatever its QN', () => {
    const r = new Reassembler();
    const p1 = part('20240101000000001', 2, 1, 'DataTime=20240101000000;w01001-Avg=7.1');
    expect(r.context(p1, 0)).toEqual({ inheritedDataTime: undefined, follows: false });
    r.record(p1, lastDataTime(p1.cp), 0);
    const p2 = part('20240101000000999', 2, 2, 'w21003-Avg=0.3');
    expect(r.context(p2, 10)).toEqual({ inheritedDataTime: '20240101000000', follows: true });
    r.record(p2, undefined, 10);
    expect(r.pendingMessages).toBe(0);
  });

  it.each([
    { name: 'different CN', other: part('20240101000000002', 2, 2, 'x=1', '2061'), inherited: undefined },
    { name: 'different PNUM', other: part('20240101000000002', 3, 2, 'x=1'), inherited: undefined },
    { name: 'same message', other: part('20240101000000002', 2, 2, 'x=1'), inherited: '20240101000000' },
  ])('context is keyed by MN + CN + PNUM: $name', ({ other, inherited }) => {
    const r = new Reassembler();
    const p1 = part('20240101000000001', 2, 1, 'DataTime=20240101000000;w01001-Avg=7.1');
    r.record(p1, lastDataTime(p1.cp), 0);
    expect(r.context(other, 1).inheritedDataTime).toBe(inherited);
  });

  it('forgets a message after the timeout and beyond maxMessages (bounded per peer)', () => {
    const r = new Reassembler({ timeoutMs: 100, maxMessages: 2 });
    for (const [i, cn] of ['2011', '2051', '2061'].entries()) r.record(part(`2024010100000000${i}`, 3, 1, 'DataTime=20240101000000', cn), '20240101000000', i);
    expect(r.pendingMessages).toBe(2);
    expect(r.context(part('20240101000000009', 3, 2, 'x=1', '2011'), 5).inheritedDataTime).toBeUndefined();
    expect(r.context(part('20240101000000009', 3, 2, 'x=1', '2061'), 5).inheritedDataTime).toBe('20240101000000');
    r.expire(200);
    expect(r.pendingMessages).toBe(0);
  });

  it.each([
    { cp: 'DataTime=20240101000000;a=1', want: '20240101000000' },
    { cp: 'a=1;DataTime=20240101000000;b=2;DataTime=20240101010000;c=3', want: '20240101010000' },
    { cp: 'w01001-Rtd=1', want: undefined },
    { cp: 'XDataTime=1', want: undefined },
  ])('lastDataTime($cp)', ({ cp, want }) => {
    expect(lastDataTime(cp)).toBe(want);
  });
});
