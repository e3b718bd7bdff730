/**
 * Trend check (issue 5 §4): Mann-Kendall significance with the tie
 * correction and Sen's slope over a configurable window, written on
 * simple-statistics (which has neither: we use its `median` and
 * `cumulativeStdNormalProbability`), with a projected time to reach the
 * target limit. A significant trend towards the limit projected to cross it
 * within the horizon raises a blue alert. Formulas: domain-facts §5.2.
 */
import { cumulativeStdNormalProbability, median } from 'simple-statistics';
import type { ClassLimit } from '../../domain/index.js';
import type { TrendOptions } from '../options.js';
import { SeriesHistory, type HistoryState } from './series-history.js';

export { SeriesHistory, type HistoryState } from './series-history.js';

export interface MannKendallResult {
  readonly n: number;
  /** S = Σ_{i<j} sign(x_j − x_i). */
  readonly s: number;
  /** Var(S) with the tie correction: [n(n−1)(2n+5) − Σ t(t−1)(2t+5)] / 18. */
  readonly varS: number;
  /** Continuity-corrected: (S − 1)/√Var for S > 0, 0 for S = 0, (S + 1)/√Var for S < 0. */
  readonly z: number;
  /** Two-sided p-value 2·(1 − Φ(|z|)), Φ from simple-statistics' table (0.01 steps in z). */
  readonly p: number;
  /** Kendall's tau = S / (n(n−1)/2). */
  readonly tau: number;
}

/** Values closer than `precision` are ties (instrument resolution); 0 compares exactly. */
function quantise(values: readonly number[], precision: number): number[] {
  return precision > 0 ? values.map((v) => Math.round(v / precision)) : [...values];
}

/** Mann-Kendall trend test with the tie correction. */
export function mannKendall(values: readonly number[], precision = 0): MannKendallResult {
  const x = quantise(values, precision);
  const n = x.length;
  let s = 0;
  for (let i = 0; i < n - 1; i++) {
    const xi = x[i] as number;
    for (let j = i + 1; j < n; j++) s += Math.sign((x[j] as number) - xi);
  }
  const counts = new Map<number, number>();
  for (const v of x) counts.set(v, (counts.get(v) ?? 0) + 1);
  let tieTerm = 0;
  for (const t of counts.values()) if (t > 1) tieTerm += t * (t - 1) * (2 * t + 5);
  const varS = (n * (n - 1) * (2 * n + 5) - tieTerm) / 18;
  let z = 0;
  if (varS > 0 && s > 0) z = (s - 1) / Math.sqrt(varS);
  else if (varS > 0 && s < 0) z = (s + 1) / Math.sqrt(varS);
  const p = Math.min(1, 2 * (1 - cumulativeStdNormalProbability(Math.abs(z))));
  const pairs = (n * (n - 1)) / 2;
  return { n, s, varS, z, p, tau: pairs > 0 ? s / pairs : 0 };
}

/** Sen's (Theil–Sen) slope: median of (x_j − x_i)/(t_j − t_i) over all pairs with t_j > t_i. */
export function senSlope(times: readonly number[], values: readonly number[]): number {
  const slopes: number[] = [];
  for (let i = 0; i < values.length - 1; i++) {
    for (let j = i + 1; j < values.length; j++) {
      const dt = (times[j] as number) - (times[i] as number);
      if (dt !== 0) slopes.push(((values[j] as number) - (values[i] as number)) / dt);
    }
  }
  return slopes.length === 0 ? 0 : median(slopes);
}

/** Intercept of the Sen line: median of x_i − b·t_i (so the fitted value at t is intercept + b·t). */
export function senIntercept(times: readonly number[], values: readonly number[], slope: number): number {
  return median(values.map((v, i) => v - slope * (times[i] as number)));
}

/** Lag-1 autocorrelation coefficient. */
export function lag1Autocorrelation(values: readonly number[]): number {
  const n = values.length;
  if (n < 3) return 0;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const d = (values[i] as number) - mean;
    den += d * d;
    if (i < n - 1) num += d * ((values[i + 1] as number) - mean);
  }
  return den === 0 ? 0 : num / den;
}

/**
 * Trend-free pre-whitening (Yue, Pilon, Phinney & Cavadias 2002): remove the
 * Sen trend, remove lag-1 serial correlation when significant (|r1| > 1.96/√n),
 * add the trend back. Serially correlated data otherwise make Mann-Kendall
 * far too ready to call a trend.
 */
export function prewhiten(times: readonly number[], values: readonly number[], slope: number): number[] {
  const detrended = values.map((v, i) => v - slope * (times[i] as number));
  const r1 = lag1Autocorrelation(detrended);
  if (Math.abs(r1) <= 1.96 / Math.sqrt(values.length)) return [...values];
  const out: number[] = [];
  for (let i = 1; i < detrended.length; i++) {
    out.push((detrended[i] as number) - r1 * (detrended[i - 1] as number) + slope * (times[i] as number));
  }
  return out;
}

/**
 * Time until a series at `level` moving by `slopePerMs` reaches `limit`:
 * 0 when already past it, undefined when moving away from it (or flat).
 * For pH (a range) the bound in the direction of travel is used.
 */
export function timeToLimitMs(level: number, slopePerMs: number, limit: ClassLimit): number | undefined {
  let bound: number;
  let rising: boolean;
  if (limit.kind === 'range') {
    if (slopePerMs === 0) return undefined;
    rising = slopePerMs > 0;
    bound = rising ? limit.max : limit.min;
  } else {
    bound = limit.value;
    rising = limit.kind === 'upper';
  }
  if (rising ? level > bound : level < bound) return 0;
  if (rising ? slopePerMs <= 0 : slopePerMs >= 0) return undefined;
  return (bound - level) / slopePerMs;
}

/** One Mann-Kendall / Sen evaluation over the window. */
export interface TrendEvaluation {
  readonly mk: MannKendallResult;
  readonly slopePerHour: number;
  /** Sen-line value at the newest complete bucket. */
  readonly level: number;
  readonly atTs: number;
  readonly windowMs: number;
  /** Projected crossing of the target limit, epoch ms; undefined when moving away from it. */
  readonly crossingTs: number | undefined;
  /** Significant, towards the limit, and crossing within the horizon. */
  readonly holds: boolean;
}

export interface TrendState {
  history: HistoryState;
  open: boolean;
  releaseRun: number;
}

const HOUR_MS = 3_600_000;

/** Mann-Kendall / Sen trend towards a target limit, with hysteresis, for one series. */
export class TrendDetector {
  readonly #o: TrendOptions;
  readonly #limit: ClassLimit;
  readonly #precision: number;
  readonly history: SeriesHistory;
  #open: boolean;
  #releaseRun: number;

  constructor(limit: ClassLimit, precision: number, options: TrendOptions, state?: TrendState) {
    this.#o = options;
    this.#limit = limit;
    this.#precision = precision;
    this.history = new SeriesHistory(options.windowMs, options.maxPoints, state?.history);
    this.#open = state?.open ?? false;
    this.#releaseRun = state?.releaseRun ?? 0;
  }

  get open(): boolean {
    return this.#open;
  }

  /** Adds an evidence sample; evaluates when a bucket completes. `change` is set when the alert opens or clears. */
  update(ts: number, value: number): { evaluation: TrendEvaluation | undefined; change: 'raise' | 'clear' | undefined } {
    const completed = this.history.add(ts, value);
    if (!completed || !this.#o.enabled) return { evaluation: undefined, change: undefined };
    const evaluation = this.evaluate();
    if (!evaluation) return { evaluation, change: undefined };
    if (!this.#open) {
      if (!evaluation.holds) return { evaluation, change: undefined };
      this.#open = true;
      this.#releaseRun = 0;
      return { evaluation, change: 'raise' };
    }
    this.#releaseRun = this.#released(evaluation) ? this.#releaseRun + 1 : 0;
    if (this.#releaseRun < this.#o.clearEvaluations) return { evaluation, change: undefined };
    this.#open = false;
    this.#releaseRun = 0;
    return { evaluation, change: 'clear' };
  }

  /** Evaluates the complete buckets of the window; undefined when there are too few. */
  evaluate(): TrendEvaluation | undefined {
    const { times, values } = this.history.closed(this.#o.windowMs);
    if (values.length < this.#o.minPoints) return undefined;
    const spanMs = (times[times.length - 1] as number) - (times[0] as number) + this.history.bucketMs;
    if (spanMs < this.#o.minSpanFraction * this.#o.windowMs) return undefined;
    const t0 = times[0] as number;
    const hours = times.map((t) => (t - t0) / HOUR_MS);
    const slopePerHour = senSlope(hours, values);
    const series = this.#o.prewhiten ? prewhiten(hours, values, slopePerHour) : values;
    const mk = mannKendall(series, this.#precision);
    const atTs = times[times.length - 1] as number;
    const level = senIntercept(hours, values, slopePerHour) + slopePerHour * (hours[hours.length - 1] as number);
    const toLimit = timeToLimitMs(level, slopePerHour / HOUR_MS, this.#limit);
    const towards = toLimit !== undefined && Math.sign(mk.z) === Math.sign(slopePerHour);
    const significant = mk.p < this.#o.alpha;
    const holds = significant && towards && toLimit > 0 && toLimit <= this.#o.horizonMs;
    return {
      mk,
      slopePerHour,
      level,
      atTs,
      windowMs: this.#o.windowMs,
      crossingTs: toLimit === undefined ? undefined : atTs + toLimit,
      holds,
    };
  }

  snapshot(): TrendState {
    return { history: this.history.snapshot(), open: this.#open, releaseRun: this.#releaseRun };
  }

  /** Hysteresis: released when not significant, turned away, already past the limit, or crossing beyond horizon × factor. */
  #released(e: TrendEvaluation): boolean {
    if (e.mk.p >= this.#o.alpha || e.crossingTs === undefined) return true;
    const toLimit = e.crossingTs - e.atTs;
    return toLimit <= 0 || toLimit > this.#o.horizonMs * this.#o.clearHorizonFactor;
  }
}
