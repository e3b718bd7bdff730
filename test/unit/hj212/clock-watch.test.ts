import { describe, expect, it } from 'vitest';
import { ClockWatch } from '../../../ingest/hj212/index.js';

describe('ClockWatch', () => {
  it.each([
    { name: 'within the limit', offset: 60_000, due: undefined },
    { name: 'exactly the limit', offset: -120_000, due: undefined },
    { name: 'ahead beyond the limit', offset: 120_001, due: 120_001 },
    { name: 'behind beyond the limit', offset: -3_600_000, due: -3_600_000 },
  ])('$name: correction due $due', ({ offset, due }) => {
    expect(new ClockWatch({ limitMs: 120_000 }).due('S1', 1_000_000 + offset, 1_000_000)).toBe(due);
  });

  it('corrects a station at most once per cooldown, each station on its own', () => {
    const watch = new ClockWatch({ limitMs: 1000, cooldownMs: 10_000 });
    expect(watch.due('S1', 50_000, 0)).toBe(50_000);
    expect(watch.due('S1', 55_000, 5_000)).toBeUndefined();
    expect(watch.due('S2', 55_000, 5_000)).toBe(50_000);
    expect(watch.due('S1', 60_000, 10_000)).toBe(50_000);
  });
});
