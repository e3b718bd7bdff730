/**
 * Issue 13 (calm water): a value in the early-warning band is "approaching
 * the limit" only when it is out of character: worse than the series' usual
 * level by a share of the limit AND by several of the series' own robust
 * spreads. The spread from the history (usualSpread), then the threshold
 * detector with it.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, ThresholdDetector } from '../../../analytics/index.js';
import { SeriesHistory } from '../../../analytics/detectors/series-history.js';
import type { SeriesState } from '../../../analytics/station-state.js';
import { usualLevel, usualSpread } from '../../../analytics/usual-level.js';
import { HOUR, MIN, T0 } from './fixtures.js';

const defaults = DEFAULT_OPTIONS.threshold;
const DAY = 24 * HOUR;

/** A series state holding only a trend history (72 h in 45-min buckets, as the defaults keep). */
function seriesWith(values: { ts: number; value: number }[]): SeriesState {
  const history = new SeriesHistory(72 * HOUR, 96);
  for (const v of values) history.add(v.ts, v.value);
  return { trend: { history } } as unknown as SeriesState;
}

/** Three days of 4-hourly readings cycling through `pattern`. */
function fourHourly(pattern: number[]): { ts: number; value: number }[] {
  return Array.from({ length: 18 }, (_, i) => ({ ts: T0 + i * 4 * HOUR, value: pattern[i % pattern.length] as number }));
}

describe('usualSpread: how far a series normally scatters around its usual level', () => {
  const NOW = T0 + 3 * DAY;

  it('is 1.4826 × the median absolute deviation of the values the usual level is the median of', () => {
    const s = seriesWith(fourHourly([4.2, 4.4, 4.6, 4.4]));
    expect(usualLevel(s, 'codmn', NOW)).toBeCloseTo(4.4, 9);
    // |deviations| 0.2, 0, 0.2, 0 …: median 0.1 (as many zeros as 0.2s), so 0.148.
    expect(usualSpread(s, 'codmn', NOW)).toBeCloseTo(0.14826, 4);
  });

  it('is 0 for a series that never moves, and wider for one that scatters more', () => {
    expect(usualSpread(seriesWith(fourHourly([4.4])), 'codmn', NOW)).toBe(0);
    const wide = usualSpread(seriesWith(fourHourly([3.8, 4.4, 5.0, 4.4])), 'codmn', NOW) as number;
    expect(wide).toBeGreaterThan(usualSpread(seriesWith(fourHourly([4.2, 4.4, 4.6, 4.4])), 'codmn', NOW) as number);
  });

  it('is unknown for the diurnal parameters, without history, and with too little of it', () => {
    expect(usualSpread(seriesWith(fourHourly([7.2, 7.6])), 'do', NOW)).toBeUndefined();
    expect(usualSpread({ trend: undefined } as unknown as SeriesState, 'codmn', NOW)).toBeUndefined();
    expect(usualSpread(seriesWith(fourHourly([4.4]).slice(0, 2)), 'codmn', T0 + 12 * HOUR)).toBeUndefined();
  });
});

describe('threshold: a band value within the series’ own scatter is not approaching', () => {
  // CODMn, class III limit 6: the band starts at 4.8; the share of the limit is 0.1 × 6 = 0.6.
  const feed = (values: number[], usual: number, usualSpread: number | undefined, options = defaults) => {
    const det = new ThresholdDetector({ key: 'codmn', targetClass: 3, waterBody: 'river' }, options);
    return values.map((value, i) => {
      const sample = { ts: T0 + i * 5 * MIN, value, flag: 'N' as const, intervalMs: 5 * MIN, usual };
      det.update(usualSpread === undefined ? sample : { ...sample, usualSpread });
      return det.level;
    });
  };

  it.each([
    // rise 0.7 ≥ 0.6, and ≥ 3 × 0.15: out of character, blue
    ['usual 4.3 with a narrow scatter (0.15): 5.0 is blue', [5, 5, 5], 4.3, 0.15, [0, 1, 1]],
    // rise 0.7 ≥ 0.6 but < 3 × 0.3: the series strays that far anyway
    ['usual 4.3 with a wide scatter (0.3): 5.0 is not approaching', [5, 5, 5], 4.3, 0.3, [0, 0, 0]],
    // rise 1.2 ≥ 3 × 0.3: beyond even a wide scatter
    ['usual 4.3 with a wide scatter (0.3): 5.5 is blue', [5.5, 5.5], 4.3, 0.3, [0, 1]],
    ['scatter unknown: the share of the limit alone decides', [5, 5, 5], 4.3, undefined, [0, 1, 1]],
    ['a series that never moves (scatter 0): the share of the limit alone decides', [5, 5], 4.3, 0, [0, 1]],
    ['past the limit, the scatter does not matter', [6.5, 6.5], 4.3, 2, [0, 2]],
  ] as const)('%s', (_name, values, usual, spread, expected) => {
    expect(feed([...values], usual, spread)).toEqual(expected);
  });

  it('earlyWarningMinRiseSpreads 0 turns the scatter rule off', () => {
    expect(feed([5, 5, 5], 4.3, 0.3, { ...defaults, earlyWarningMinRiseSpreads: 0 })).toEqual([0, 1, 1]);
  });

  it('an open blue is released once the values fall back inside the scatter, after the clear count', () => {
    const det = new ThresholdDetector({ key: 'codmn', targetClass: 3, waterBody: 'river' }, defaults);
    const levels: number[] = [];
    // 5.2: rise 0.9 ≥ 3 × 0.25; 5.0: rise 0.7 ≥ 0.6 but < 0.75, inside the series' scatter.
    [5.2, 5.2, 5.0, 5.0, 5.0].forEach((value, i) => {
      det.update({ ts: T0 + i * 5 * MIN, value, flag: 'N', intervalMs: 5 * MIN, usual: 4.3, usualSpread: 0.25 });
      levels.push(det.level);
    });
    expect(levels).toEqual([0, 1, 1, 1, 0]);
  });
});
