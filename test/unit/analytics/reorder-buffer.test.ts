import { describe, expect, it } from 'vitest';
import { ReorderBuffer, stationSources } from '../../../analytics/index.js';
import { MIN, T0, noise } from './fixtures.js';

type Item = { ts: number; id: string };
const item = (minute: number, id = `m${minute}`): Item => ({ ts: T0 + minute * MIN, id });
const ids = (xs: Item[]) => xs.map((x) => x.id);

describe('reorder buffer (watermark delay 1 min)', () => {
  const options = { watermarkDelayMs: MIN, maxHeld: 1000 };

  it('puts readings that arrive out of order back in timestamp order', () => {
    const b = new ReorderBuffer<Item>(options);
    const now = T0 + 10 * MIN;
    b.pushAll([item(2), item(0), item(1)], now);
    // Event-time watermark = newest (2) − 1 min: 0 and 1 are released at once, 2 is held.
    expect(ids(b.drain(now).inOrder)).toEqual(['m0', 'm1']);
    expect(ids(b.drain(now + 30_000).inOrder)).toEqual([]);
    // Held for the delay in processing time: released even if nothing newer comes.
    expect(ids(b.drain(now + MIN).inOrder)).toEqual(['m2']);
    expect(b.size).toBe(0);
  });

  it('hands a reading older than what was released out separately as late', () => {
    const b = new ReorderBuffer<Item>(options);
    b.pushAll([item(0), item(5)], T0);
    b.drain(T0 + MIN);
    b.push(item(3), T0 + MIN);
    const r = b.drain(T0 + MIN);
    expect(ids(r.late)).toEqual(['m3']);
    expect(r.inOrder).toEqual([]);
  });

  it('a shuffled backlog batch of two hours comes out in order, the last minute after the delay', () => {
    const b = new ReorderBuffer<Item>(options);
    const rnd = noise(9);
    const batch = Array.from({ length: 121 }, (_, i) => item(i));
    const shuffled = [...batch].sort(() => rnd());
    const now = T0 + 3 * 60 * MIN;
    b.pushAll(shuffled, now);
    const first = b.drain(now).inOrder;
    expect(ids(first)).toEqual(ids(batch.slice(0, 120)));
    expect(ids(b.drain(now + MIN).inOrder)).toEqual(['m120']);
  });

  it('keeps equal timestamps in arrival order and bounds what it holds', () => {
    const b = new ReorderBuffer<Item>({ watermarkDelayMs: 10 * MIN, maxHeld: 2 });
    b.pushAll([item(1, 'a'), item(1, 'b'), item(2, 'c'), item(3, 'd')], T0);
    expect(ids(b.drain(T0).inOrder)).toEqual(['a', 'b']);
    expect(ids(b.flush().inOrder)).toEqual(['c', 'd']);
  });
});

describe('reorder buffer with the section’s stations (low watermark)', () => {
  type Reading = { ts: number; stationId: string; id: string };
  const at = (minute: number, stationId: string): Reading => ({ ts: T0 + minute * MIN, stationId, id: `${stationId}${minute}` });
  const byStation = (a: Reading, b: Reading) => (a.stationId < b.stationId ? -1 : a.stationId > b.stationId ? 1 : 0);
  const options = { watermarkDelayMs: 10 * MIN, maxHeld: 1000 };

  it('releases a reading once every station has sent one at or after it, without waiting for the delay', () => {
    const b = new ReorderBuffer<Reading>(options, byStation, stationSources(2));
    b.pushAll([at(0, 'A'), at(1, 'A')], T0);
    // B not heard yet: nothing is released before the 10-minute watermark or hold.
    expect(ids(b.drain(T0).inOrder)).toEqual([]);
    b.push(at(0, 'B'), T0);
    // Both stations have reached minute 0: minute 0 goes, in station order; A's minute 1 waits for B.
    expect(ids(b.drain(T0).inOrder)).toEqual(['A0', 'B0']);
    b.push(at(1, 'B'), T0);
    expect(ids(b.drain(T0).inOrder)).toEqual(['A1', 'B1']);
    expect(b.size).toBe(0);
  });

  it('a station that is behind holds the others back, then the old rules apply', () => {
    const b = new ReorderBuffer<Reading>(options, byStation, stationSources(2));
    b.pushAll([at(0, 'B'), at(1, 'A'), at(2, 'A'), at(3, 'A')], T0);
    expect(ids(b.drain(T0).inOrder)).toEqual(['B0']);
    // B silent: the processing-time hold releases A's readings after the delay.
    expect(ids(b.drain(T0 + 10 * MIN).inOrder)).toEqual(['A1', 'A2', 'A3']);
  });

  it('releases the same readings in the same order whichever station arrives first', () => {
    const readings = [at(0, 'A'), at(0, 'B'), at(1, 'A'), at(1, 'B'), at(2, 'B'), at(2, 'A')];
    const run = (order: Reading[]) => {
      const b = new ReorderBuffer<Reading>(options, byStation, stationSources(2));
      const out: string[] = [];
      for (const r of order) {
        b.push(r, T0);
        out.push(...ids(b.drain(T0).inOrder));
      }
      out.push(...ids(b.flush().inOrder));
      return out;
    };
    const expected = ['A0', 'B0', 'A1', 'B1', 'A2', 'B2'];
    expect(run(readings)).toEqual(expected);
    expect(run([at(0, 'B'), at(1, 'B'), at(2, 'B'), at(0, 'A'), at(1, 'A'), at(2, 'A')])).toEqual(expected);
    expect(run([at(0, 'A'), at(1, 'A'), at(2, 'A'), at(0, 'B'), at(1, 'B'), at(2, 'B')])).toEqual(expected);
  });
});
