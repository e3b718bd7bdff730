import { describe, expect, it } from 'vitest';
import { ReorderBuffer, sectionHoldLimits } from '../../../analytics/index.js';
import { DEFAULT_OPTIONS } from '../../../analytics/options.js';
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

describe("a section's limit of held readings", () => {
  const reorder = { watermarkDelayMs: MIN, maxHeld: 10_000, maxHeldPerStation: 10 };

  it('is maxHeldPerStation times its stations, never above maxHeld', () => {
    expect(sectionHoldLimits(reorder, 4)).toEqual({ watermarkDelayMs: MIN, maxHeld: 40 });
    expect(sectionHoldLimits(reorder, 2_000)).toEqual({ watermarkDelayMs: MIN, maxHeld: 10_000 });
    expect(sectionHoldLimits(reorder, 0).maxHeld).toBe(10);
    expect(DEFAULT_OPTIONS.reorder.maxHeldPerStation).toBe(10);
  });

  it('a one-second feed of 4 stations holds 40 readings, not the minute, and releases them in order', () => {
    const b = new ReorderBuffer<Item>(sectionHoldLimits(reorder, 4));
    const released: Item[] = [];
    for (let s = 0; s < 60; s++) {
      const now = T0 + s * 1000;
      // Each second's readings arrive in reverse station order: the tie-break is arrival order here.
      for (const st of ['d', 'c', 'b', 'a']) b.push({ ts: now, id: `${st}${s}` }, now);
      released.push(...b.drain(now).inOrder);
      expect(b.size).toBeLessThanOrEqual(40);
    }
    expect(released.length).toBe(240 - 40);
    expect(released.map((r) => r.ts)).toEqual([...released.map((r) => r.ts)].sort((x, y) => x - y));
  });

  it('a station reporting every minute is not affected: the same readings come out at the same drains', () => {
    const limited = new ReorderBuffer<Item>(sectionHoldLimits(reorder, 4));
    const unlimited = new ReorderBuffer<Item>({ watermarkDelayMs: MIN, maxHeld: 10_000 });
    for (let m = 0; m < 30; m++) {
      const now = T0 + m * MIN + 5_000;
      for (const st of ['a', 'b', 'c', 'd']) {
        limited.push(item(m, `${st}${m}`), now);
        unlimited.push(item(m, `${st}${m}`), now);
      }
      expect(ids(limited.drain(now).inOrder)).toEqual(ids(unlimited.drain(now).inOrder));
    }
  });
});
