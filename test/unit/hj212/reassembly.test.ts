import { describe, expect, it } from 'vitest';
import { Reassembler, type Hj212Packet } from '../../../ingest/hj212/index.js';

function part(pno: number, pnum: number, cp: string, over: Partial<Hj212Packet> = {}): Hj212Packet {
  return { qn: '20240315090005123', st: '21', cn: '2061', pw: 'p', mn: 'M1', flag: 7, pnum, pno, cp, ...over };
}

describe('Reassembler (PNUM/PNO)', () => {
  it('joins parts in PNO order, whatever order they arrive in', () => {
    const r = new Reassembler();
    expect(r.add(part(3, 3, 'c=3'), 'R3', 0).kind).toBe('pending');
    expect(r.add(part(1, 3, 'DataTime=1;a=1'), 'R1', 1).kind).toBe('pending');
    const outcome = r.add(part(2, 3, 'b=2'), 'R2', 2);
    expect(outcome.kind).toBe('complete');
    if (outcome.kind !== 'complete') return;
    expect(outcome.packet).toMatchObject({ cp: 'DataTime=1;a=1;b=2;c=3', pnum: undefined, pno: undefined, flag: 5 });
    expect(outcome.raw).toBe('R1R2R3');
    expect(r.pendingMessages).toBe(0);
    expect(r.pendingBytes).toBe(0);
  });

  it('keeps messages of different MN or QN apart', () => {
    const r = new Reassembler();
    r.add(part(1, 2, 'a=1'), 'x', 0);
    r.add(part(1, 2, 'a=2', { mn: 'M2' }), 'y', 0);
    r.add(part(1, 2, 'a=3', { qn: '20240315090005124' }), 'z', 0);
    expect(r.pendingMessages).toBe(3);
    const outcome = r.add(part(2, 2, 'b=2', { mn: 'M2' }), 'w', 0);
    expect(outcome.kind === 'complete' && outcome.packet.cp).toBe('a=2;b=2');
  });

  it('a resent part replaces the earlier copy', () => {
    const r = new Reassembler();
    r.add(part(1, 2, 'a=1'), 'R1', 0);
    r.add(part(1, 2, 'a=1'), 'R1', 1);
    const outcome = r.add(part(2, 2, 'b=2'), 'R2', 2);
    expect(outcome.kind === 'complete' && outcome.raw).toBe('R1R2');
  });

  it('a single-part message is complete at once', () => {
    expect(new Reassembler().add(part(1, 1, 'a=1'), 'R', 0).kind).toBe('complete');
  });

  it('refuses a part whose PNUM differs from earlier parts', () => {
    const r = new Reassembler();
    r.add(part(1, 2, 'a=1'), 'R1', 0);
    expect(r.add(part(2, 3, 'b=1'), 'R2', 0).kind).toBe('rejected');
  });

  it('drops a message whose parts stop coming, after the timeout', () => {
    const r = new Reassembler({ timeoutMs: 1_000 });
    r.add(part(1, 2, 'a=1'), 'R1', 0);
    expect(r.expire(999)).toEqual([]);
    expect(r.expire(1_000)).toEqual([
      { mn: 'M1', qn: '20240315090005123', reason: 'timeout', partsReceived: 1, pnum: 2, raw: 'R1' },
    ]);
    expect(r.pendingMessages).toBe(0);
  });

  it('evicts the oldest message beyond maxMessages', () => {
    const r = new Reassembler({ maxMessages: 2 });
    r.add(part(1, 2, 'a=1', { qn: '1' }), 'A', 0);
    r.add(part(1, 2, 'a=1', { qn: '2' }), 'B', 0);
    const outcome = r.add(part(1, 2, 'a=1', { qn: '3' }), 'C', 0);
    expect(outcome.dropped.map((d) => [d.qn, d.reason])).toEqual([['1', 'evicted']]);
    expect(r.pendingMessages).toBe(2);
  });

  it('holds no more bytes than its budget', () => {
    const r = new Reassembler({ maxBytes: 100 });
    r.add(part(1, 3, 'a=1', { qn: '1' }), 'x'.repeat(60), 0);
    const second = r.add(part(1, 3, 'a=1', { qn: '2' }), 'y'.repeat(60), 0);
    expect(second.dropped.map((d) => d.qn)).toEqual(['1']);
    expect(r.pendingBytes).toBe(60);
    const tooBig = r.add(part(2, 3, 'b=1', { qn: '2' }), 'z'.repeat(60), 0);
    expect(tooBig.kind).toBe('rejected');
    expect(tooBig.dropped.map((d) => [d.qn, d.reason])).toEqual([['2', 'too-large']]);
    expect(r.pendingBytes).toBe(0);
  });
});
