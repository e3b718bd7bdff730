import { describe, expect, it } from 'vitest';
import { binomialCdf, minOutliersForEvent } from '../../../analytics/detectors/binomial.js';
import { IntervalEstimate } from '../../../analytics/detectors/interval-estimate.js';
import { OperatingEnvelope } from '../../../analytics/detectors/operating-envelope.js';
import { ResidualScale } from '../../../analytics/detectors/residual-scale.js';
import { medianInPlace, RollingWindow } from '../../../analytics/detectors/rolling-window.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('binomial event discriminator arithmetic (domain-facts §5.1)', () => {
  it.each([
    { k: 3, m: 6, p: 0.5, cdf: 0.65625 },
    { k: 4, m: 6, p: 0.5, cdf: 0.890625 },
    { k: 0, m: 5, p: 0.05, cdf: 0.95 ** 5 },
    { k: -1, m: 5, p: 0.05, cdf: 0 },
    { k: 5, m: 5, p: 0.05, cdf: 1 },
  ])('BinomialCDF($k; $m, $p) = $cdf', ({ k, m, p, cdf }) => {
    expect(binomialCdf(k, m, p)).toBeCloseTo(cdf, 10);
  });

  it.each([
    // CANARY's examples: window 6 & 0.85 → 4 of 6; 0.9 → 5 of 6; window 12 & 0.9 → 8; window 20 & 0.95 → 14.
    { m: 6, p: 0.5, threshold: 0.85, n: 4 },
    { m: 6, p: 0.5, threshold: 0.9, n: 5 },
    { m: 12, p: 0.5, threshold: 0.9, n: 8 },
    { m: 20, p: 0.5, threshold: 0.95, n: 14 },
    // RiverWatch defaults: 2 outlier rows or 3 strong rows of 5.
    { m: 5, p: 0.05, threshold: 0.99, n: 2 },
    { m: 5, p: 0.2, threshold: 0.99, n: 3 },
  ])('window $m, p $p, threshold $threshold → $n outliers', ({ m, p, threshold, n }) => {
    expect(minOutliersForEvent(m, p, threshold)).toBe(n);
  });
});

describe('RollingWindow', () => {
  it('evicts by time but keeps the newest minSamples values', () => {
    const w = new RollingWindow(8);
    for (let i = 0; i < 6; i++) w.push(i * MIN, i);
    w.evictUpTo(10 * MIN, 3);
    expect(w.toJSON()).toEqual({ ts: [3 * MIN, 4 * MIN, 5 * MIN], values: [3, 4, 5] });
    w.evictUpTo(3 * MIN, 1);
    expect(w.toJSON().values).toEqual([4, 5]);
  });

  it('drops the oldest when full and survives a JSON round trip', () => {
    const w = new RollingWindow(3);
    for (let i = 0; i < 5; i++) w.push(i, i * 10);
    expect(w.toJSON()).toEqual({ ts: [2, 3, 4], values: [20, 30, 40] });
    expect(w.oldestTs).toBe(2);
    expect(w.newestTs).toBe(4);
    const back = RollingWindow.fromJSON(JSON.parse(JSON.stringify(w.toJSON())), 2);
    expect(back.toJSON()).toEqual({ ts: [3, 4], values: [30, 40] });
  });

  it('copies values since a time', () => {
    const w = new RollingWindow(4);
    [1, 2, 3, 4].forEach((v, i) => w.push(i, v));
    const out = new Float64Array(4);
    expect(w.copyValues(out, 2)).toBe(2);
    expect([...out.subarray(0, 2)]).toEqual([3, 4]);
  });

  it.each([
    { xs: [], median: Number.NaN },
    { xs: [5], median: 5 },
    { xs: [3, 1, 2], median: 2 },
    { xs: [4, 1, 3, 2], median: 2.5 },
    { xs: [7, 7, 7, 1, 7, 7], median: 7 },
    { xs: [0.15, 0.17, 0.16, 0.17, 0.16, 0.16, 0.15, 0.18], median: 0.16 },
    { xs: [9, 8, 7, 6, 5, 4, 3, 2, 1, 0], median: 4.5 },
  ])('median of $xs is $median', ({ xs, median }) => {
    expect(medianInPlace(Float64Array.from(xs), xs.length)).toEqual(median);
  });

  it('median agrees with sorting on random data', () => {
    let seed = 1;
    const rand = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(rand() * 64);
      const xs = Array.from({ length: n }, () => Math.round(rand() * 20) / 4);
      const s = [...xs].sort((a, b) => a - b);
      const expected = n % 2 ? (s[n >> 1] as number) : ((s[n / 2 - 1] as number) + (s[n / 2] as number)) / 2;
      expect(medianInPlace(Float64Array.from(xs), n)).toBe(expected);
    }
  });
});

describe('ResidualScale', () => {
  it('reads a high quantile of quantised residuals on the log grid, floored at one precision', () => {
    const s = new ResidualScale(0.01, 7 * 24 * HOUR);
    expect(Number.isNaN(s.quantile(0.99))).toBe(true);
    for (let i = 0; i < 100; i++) s.add(i * MIN, 0);
    expect(s.quantile(0.99)).toBe(0.01); // all zeros: the precision floor
    for (let i = 0; i < 100; i++) s.add((100 + i) * MIN, i % 10 === 0 ? 0.02 : 0.01);
    // 5 % of residuals at 2 precisions: the 99th percentile is in the bin that starts at 0.02.
    expect(s.quantile(0.99)).toBeCloseTo(0.02 * 2 ** 0.25, 6);
    expect(s.quantile(0.5)).toBeCloseTo(0.01 * 2 ** 0.25, 6); // upper edge of the bin that starts at one precision
    expect(s.samples).toBe(200);
    expect(s.spanMs(199 * MIN)).toBe(199 * MIN);
  });

  it('forgets: after a few time constants of larger residuals the quantile follows them', () => {
    const s = new ResidualScale(1, HOUR);
    for (let i = 0; i < 600; i++) s.add(i * MIN, 1);
    const before = s.quantile(0.99);
    for (let i = 600; i < 900; i++) s.add(i * MIN, 8);
    expect(s.quantile(0.5)).toBeGreaterThan(6 * before);
  });

  it('survives a JSON round trip and renormalisation over a long time', () => {
    const s = new ResidualScale(0.1, MIN);
    for (let i = 0; i < 2000; i++) s.add(i * MIN, (i % 3) * 0.1); // 2000 time constants: weights renormalised
    const back = ResidualScale.fromJSON(JSON.parse(JSON.stringify(s.toJSON())), 0.1, MIN);
    expect(back.quantile(0.9)).toBe(s.quantile(0.9));
    expect(Number.isFinite(back.quantile(0.9))).toBe(true);
  });
});

describe('OperatingEnvelope', () => {
  it('spans the bucket means of the window and forgets older buckets', () => {
    const e = new OperatingEnvelope(HOUR, 24 * HOUR);
    for (let h = 0; h < 30; h++) for (let m = 0; m < 60; m += 10) e.add(h * HOUR + m * MIN, h < 5 ? 100 : 10 + (h % 3));
    const r = e.range(30 * HOUR);
    expect(r).toEqual({ lo: 10, hi: 12, buckets: 24 });
  });

  it('round-trips through JSON', () => {
    const e = new OperatingEnvelope(HOUR, 48 * HOUR);
    for (let i = 0; i < 300; i++) e.add(i * 10 * MIN, i % 7);
    const back = OperatingEnvelope.fromJSON(JSON.parse(JSON.stringify(e.toJSON())), HOUR, 48 * HOUR);
    expect(back.range(300 * 10 * MIN)).toEqual(e.range(300 * 10 * MIN));
  });
});

describe('IntervalEstimate', () => {
  const rule = { gapResetMs: 2 * HOUR, gapResetIntervals: 3 };
  it.each([
    { name: 'minute data, 3 h pause', interval: MIN, pause: 3 * HOUR, gap: true },
    { name: 'minute data, 90 min pause', interval: MIN, pause: 90 * MIN, gap: false },
    { name: '4-hour data, next sample', interval: 4 * HOUR, pause: 4 * HOUR, gap: false },
    { name: '4-hour data, one sample missed', interval: 4 * HOUR, pause: 8 * HOUR, gap: false },
    { name: '4-hour data, a day without samples', interval: 4 * HOUR, pause: 24 * HOUR, gap: true },
  ])('$name → gap $gap', ({ interval, pause, gap }) => {
    const est = new IntervalEstimate();
    let ts = 0;
    for (let i = 0; i < 10; i++, ts += interval) est.isGap(ts + interval, ts, rule);
    expect(est.isGap(ts + pause, ts, rule)).toBe(gap);
  });
});
