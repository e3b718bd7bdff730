import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, TrendDetector, mannKendall, senIntercept, senSlope, timeToLimitMs } from '../../../analytics/index.js';
import { lag1Autocorrelation, prewhiten } from '../../../analytics/detectors/trend.js';
import { HOUR, T0, noise } from './fixtures.js';

describe('Mann-Kendall (hand-computed cases)', () => {
  it.each([
    // values, S, Var(S), z, p
    // 1..5: every pair rises → S = 10; Var = 5·4·15/18 = 16.667; z = 9/√16.667 = 2.2045; Φ(2.20) = 0.9861 → p = 0.0278.
    [[1, 2, 3, 4, 5], 10, 300 / 18, 9 / Math.sqrt(300 / 18), 2 * (1 - 0.9861)],
    [[5, 4, 3, 2, 1], -10, 300 / 18, -9 / Math.sqrt(300 / 18), 2 * (1 - 0.9861)],
    // Ties: 1,2,2,3,3,3. S = 5 + 3 + 3 + 0 + 0 = 11. Var = [6·5·17 − (2·1·9 + 3·2·11)]/18 = (510 − 84)/18 = 23.667;
    // z = 10/√23.667 = 2.0556; Φ(2.06) = 0.9803 → p = 0.0394.
    [[1, 2, 2, 3, 3, 3], 11, 426 / 18, 10 / Math.sqrt(426 / 18), 2 * (1 - 0.9803)],
    // All equal: S = 0 and the tie term cancels the variance → no trend.
    [[2, 2, 2, 2], 0, 0, 0, 1],
    // 3,1,4,1,5: S = (−1+1−1+1) + (1+0+1) + (−1+1) + 1 = 3; tie (two 1s): Var = (5·4·15 − 2·1·9)/18 = 15.667; z = 2/√15.667 = 0.5053; Φ(0.51) = 0.6950 → p = 0.61.
    [[3, 1, 4, 1, 5], 3, 282 / 18, 2 / Math.sqrt(282 / 18), 2 * (1 - 0.695)],
  ])('%j → S %d', (values, s, varS, z, p) => {
    const r = mannKendall(values);
    expect(r.s).toBe(s);
    expect(r.varS).toBeCloseTo(varS, 9);
    expect(r.z).toBeCloseTo(z, 9);
    expect(r.p).toBeCloseTo(p, 4);
  });

  it('treats values closer than the instrument precision as ties', () => {
    // 1.000, 1.004, 1.02 at precision 0.01 → 100, 100, 102: S = 0 + 1 + 1 = 2; one tie pair: Var = (3·2·11 − 2·1·9)/18 = 48/18.
    const r = mannKendall([1.0, 1.004, 1.02], 0.01);
    expect(r.s).toBe(2);
    expect(r.varS).toBeCloseTo(48 / 18, 9);
    expect(mannKendall([1.0, 1.004, 1.02]).s).toBe(3);
  });
});

describe("Sen's slope", () => {
  it.each([
    ['a straight line', [0, 1, 2, 3, 4], [1, 2, 3, 4, 5], 1],
    // Pair slopes: six of 1, then 24.75, 32.67, 48.5, 96 → median of ten = 1: robust to the outlier.
    ['an outlier', [0, 1, 2, 3, 4], [1, 2, 3, 4, 100], 1],
    ['irregular times', [0, 1, 3], [0, 2, 6], 2],
    ['a falling series', [0, 2, 4, 6], [8, 7, 6, 5], -0.5],
  ])('%s', (_name, times, values, slope) => {
    expect(senSlope(times, values)).toBeCloseTo(slope, 12);
  });

  it('intercept makes the line pass through the median residual', () => {
    expect(senIntercept([0, 1, 2, 3], [10, 12, 14, 16], 2)).toBe(10);
  });
});

describe('projected time to reach the target limit', () => {
  const perHour = (x: number) => x / HOUR;
  it.each([
    ['NH3-N 0.5 rising 0.01/h to 1.0', 0.5, perHour(0.01), { kind: 'upper', value: 1.0 } as const, 50 * HOUR],
    ['DO 6 falling 0.1/h to 5', 6, perHour(-0.1), { kind: 'lower', value: 5 } as const, 10 * HOUR],
    ['pH 8 rising 0.1/h towards 9', 8, perHour(0.1), { kind: 'range', min: 6, max: 9 } as const, 10 * HOUR],
    ['pH 7 falling 0.25/h towards 6', 7, perHour(-0.25), { kind: 'range', min: 6, max: 9 } as const, 4 * HOUR],
    ['already past the limit', 1.2, perHour(0.01), { kind: 'upper', value: 1.0 } as const, 0],
    ['moving away', 0.5, perHour(-0.01), { kind: 'upper', value: 1.0 } as const, undefined],
  ])('%s', (_name, level, slope, limit, expected) => {
    const t = timeToLimitMs(level, slope, limit);
    if (expected === undefined) expect(t).toBeUndefined();
    else expect(t).toBeCloseTo(expected, 3);
  });
});

describe('pre-whitening', () => {
  it('leaves serially independent data alone and removes lag-1 correlation otherwise', () => {
    const rnd = noise(7);
    const white = Array.from({ length: 60 }, () => rnd());
    const times = white.map((_, i) => i);
    expect(Math.abs(lag1Autocorrelation(white))).toBeLessThanOrEqual(1.96 / Math.sqrt(60)); // precondition of this seed
    expect(prewhiten(times, white, 0)).toEqual(white);
    const ar: number[] = [0];
    for (let i = 1; i < 60; i++) ar.push(0.9 * (ar[i - 1] as number) + rnd());
    expect(lag1Autocorrelation(ar)).toBeGreaterThan(0.5);
    expect(Math.abs(lag1Autocorrelation(prewhiten(times, ar, 0)))).toBeLessThan(0.3);
  });
});

describe('TrendDetector', () => {
  const o = { ...DEFAULT_OPTIONS.trend };
  const limit = { kind: 'upper', value: 1.0 } as const;

  it('raises on a significant rise projected to cross within 48 h, with a projection near the truth', () => {
    // 4-hourly NH3-N rising 0.01 mg/L per hour from 0.30 with ±0.02 noise: reaches 1.0 after 70 h.
    const det = new TrendDetector(limit, 0.01, o);
    const rnd = noise(11);
    let raisedAt: number | undefined;
    let crossing: number | undefined;
    for (let i = 0; i < 30 && raisedAt === undefined; i++) {
      const ts = T0 + i * 4 * HOUR;
      const value = Number((0.3 + 0.01 * i * 4 + 0.02 * rnd()).toFixed(2));
      const u = det.update(ts, value);
      if (u.change === 'raise') {
        raisedAt = ts;
        crossing = u.evaluation?.crossingTs;
      }
    }
    expect(raisedAt).toBeDefined();
    const trueCrossing = T0 + 70 * HOUR;
    // Raised before the crossing, and no earlier than 48 h (the horizon) before it.
    expect(raisedAt as number).toBeLessThan(trueCrossing);
    expect(trueCrossing - (raisedAt as number)).toBeLessThanOrEqual(48 * HOUR + 8 * HOUR);
    expect(Math.abs((crossing as number) - trueCrossing)).toBeLessThan(8 * HOUR);
  });

  it('does not raise on a stationary noisy series, nor on a falling one', () => {
    for (const slopePerSample of [0, -0.004]) {
      const det = new TrendDetector(limit, 0.01, o);
      const rnd = noise(3);
      let raised = false;
      for (let i = 0; i < 200; i++) {
        const u = det.update(T0 + i * 30 * 60_000, 0.6 + slopePerSample * i + 0.05 * rnd());
        if (u.change === 'raise') raised = true;
      }
      expect(raised).toBe(false);
    }
  });

  it('does not decide on too few points, and clears once the rise stops', () => {
    const det = new TrendDetector(limit, 0.01, { ...o, minPoints: 8 });
    const changes: string[] = [];
    for (let i = 0; i < 7; i++) expect(det.update(T0 + i * 4 * HOUR, 0.3 + 0.05 * i).evaluation).toBeUndefined();
    for (let i = 7; i < 12; i++) {
      const c = det.update(T0 + i * 4 * HOUR, 0.3 + 0.05 * i).change;
      if (c) changes.push(c);
    }
    expect(changes).toEqual(['raise']);
    // Then the value falls back and stays low: the trend is no longer significant upward.
    for (let i = 12; i < 40; i++) {
      const c = det.update(T0 + i * 4 * HOUR, 0.3 + (i % 2) * 0.02).change;
      if (c) changes.push(c);
    }
    expect(changes).toEqual(['raise', 'clear']);
  });
});
