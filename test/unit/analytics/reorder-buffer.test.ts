import { describe, expect, it } from 'vitest';
import { ReorderBuffer } from '../../../analytics/index.js';
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
