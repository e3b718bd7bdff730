/**
 * Out-of-sample evaluation (issue 13 §1): a detector's figures are reported
 * on rows whose labels played no part in choosing its options.
 *
 * A *fold* fits on one stretch of rows and scores on another. Fitting picks,
 * among a small grid of option sets around the defaults, the best on the fit
 * stretch alone by an early-warning system's priorities ({@link fitsBetter}):
 * within the false-alarm budget, then the most events caught, then the
 * earliest (median delay), then point F1; scoring replays the same whole
 * stream with that choice and computes the figures over the score stretch
 * only. Each replay is one continuous online pass over the whole file (the
 * detector warms up on whatever came before, as a deployment would), so only
 * the *labels* are split, never the data the detector sees.
 *
 * The grid holds the options a deployment could set without labels only by
 * guessing (the outlier and strong-outlier cut-offs, and whether the level
 * lags behind the readings); every other option is fixed by its documented
 * default. Pure apart from the injected clock.
 */
import type { SignalSpec, SuddenChangeOptions } from '../analytics/detectors/sudden-change.js';
import { SuddenChangeDetector } from '../analytics/detectors/sudden-change.js';
import { evaluateStream } from './evaluate-stream.js';
import type { StreamRow } from './gecco.js';
import { computeMetrics, type EvalMetrics } from './metrics.js';
import { TARGETS } from './tables.js';

/** Candidate option sets a fit chooses from; the first is the defaults. */
export const FIT_GRID: readonly Partial<SuddenChangeOptions>[] = [
  {},
  { outlierThreshold: 1.25 },
  { outlierThreshold: 2 },
  { strongOutlierThreshold: 4 },
  { strongOutlierThreshold: 7 },
  { outlierThreshold: 1.25, strongOutlierThreshold: 4 },
  { outlierThreshold: 2, strongOutlierThreshold: 7 },
  { levelDelayMs: 15 * 60_000 },
];

/** The figures the fit criterion reads. */
export type FitFigures = Pick<
  EvalMetrics,
  'falseAlarmEpisodesPerDay' | 'eventsDetected' | 'medianDelayMin' | 'f1' | 'falseAlarmEpisodes'
>;

/**
 * The fit criterion: whether figures `a` on the fit stretch beat `b`, by an
 * early-warning system's priorities, in this order (issue 13's targets):
 *
 * 1. within the false-alarm budget (≤ 0.5 episodes/day) beats outside it;
 * 2. more labelled events caught;
 * 3. caught earlier: lower median delay (none = never);
 * 4. higher point F1;
 * 5. fewer false-alarm episodes.
 *
 * Otherwise not better (the grid's order decides: defaults first). Point F1
 * alone trades sensitivity for precision: on a fit stretch with few events a
 * less sensitive setting still catches them all, only later, and then misses
 * the weaker events of the next stretch. Event counts cannot see that on a
 * handful of events; the delay can, so it comes before F1.
 */
export function fitsBetter(a: FitFigures, b: FitFigures): boolean {
  const eps = 1e-9;
  const inBudget = (m: FitFigures): boolean => !(m.falseAlarmEpisodesPerDay > TARGETS.falseAlarmEpisodesPerDay + eps);
  if (inBudget(a) !== inBudget(b)) return inBudget(a);
  if (a.eventsDetected !== b.eventsDetected) return a.eventsDetected > b.eventsDetected;
  const delay = (m: FitFigures): number => (Number.isFinite(m.medianDelayMin) ? m.medianDelayMin : Number.POSITIVE_INFINITY);
  if (Math.abs(delay(a) - delay(b)) > eps) return delay(a) < delay(b);
  if (Math.abs(a.f1 - b.f1) > eps) return a.f1 > b.f1;
  return a.falseAlarmEpisodes < b.falseAlarmEpisodes;
}

/** Row ranges [from, to) of one fold. */
export interface FoldSpec {
  readonly name: string;
  readonly fit: { readonly from: number; readonly to: number };
  readonly score: { readonly from: number; readonly to: number };
}

export interface FoldResult {
  readonly name: string;
  /** The option set the fit chose (overrides of the defaults; `{}` = defaults). */
  readonly chosen: Partial<SuddenChangeOptions>;
  /** Its figures on the fit stretch (in sample). */
  readonly fit: EvalMetrics;
  /** Its figures on the score stretch (out of sample: the headline). */
  readonly score: EvalMetrics;
}

/** The first row index at or after `ts` (rows.length when none). */
export function rowAt(rows: readonly StreamRow[], ts: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((rows[mid] as StreamRow).ts < ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Runs each fold: one replay per grid entry (shared between folds), choice
 * on the fit stretch, figures on the score stretch.
 */
export function runFolds(
  rows: readonly StreamRow[],
  labels: readonly boolean[],
  signals: readonly SignalSpec[],
  folds: readonly FoldSpec[],
  base: Partial<SuddenChangeOptions> = {},
  grid: readonly Partial<SuddenChangeOptions>[] = FIT_GRID,
): FoldResult[] {
  const ts = rows.map((r) => r.ts);
  const alarmsPerCandidate = grid.map(
    (g) => evaluateStream(rows, labels, () => new SuddenChangeDetector([...signals], { ...base, ...g })).alarms,
  );
  return folds.map((fold) => {
    let best = 0;
    let bestFit: EvalMetrics | undefined;
    alarmsPerCandidate.forEach((alarms, i) => {
      const m = computeMetrics(ts, labels, alarms, fold.fit);
      if (bestFit === undefined || fitsBetter(m, bestFit)) {
        best = i;
        bestFit = m;
      }
    });
    const alarms = alarmsPerCandidate[best] as boolean[];
    return {
      name: fold.name,
      chosen: grid[best] ?? {},
      fit: bestFit as EvalMetrics,
      score: computeMetrics(ts, labels, alarms, fold.score),
    };
  });
}

/** Two folds at a split time: fit before, score after; and fit after, score before. */
export function crossFolds(rows: readonly StreamRow[], splitTs: number, names: readonly [string, string]): FoldSpec[] {
  const k = rowAt(rows, splitTs);
  const first = { from: 0, to: k };
  const second = { from: k, to: rows.length };
  return [
    { name: `fit ${names[0]} → score ${names[1]}`, fit: first, score: second },
    { name: `fit ${names[1]} → score ${names[0]}`, fit: second, score: first },
  ];
}

/** Pools the score stretches of several folds into one set of figures (counts summed, ratios recomputed). */
export function pooled(results: readonly FoldResult[]): {
  precision: number;
  recall: number;
  f1: number;
  events: number;
  eventsDetected: number;
  falseAlarmEpisodes: number;
  days: number;
  falseAlarmEpisodesPerDay: number;
  medianDelayMin: number;
} {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let events = 0;
  let detected = 0;
  let fa = 0;
  let days = 0;
  const delays: number[] = [];
  for (const r of results) {
    const m = r.score;
    tp += m.truePositives;
    fp += m.falsePositives;
    fn += m.falseNegatives;
    events += m.events;
    detected += m.eventsDetected;
    fa += m.falseAlarmEpisodes;
    days += m.days;
    if (Number.isFinite(m.medianDelayMin)) delays.push(m.medianDelayMin);
  }
  const precision = tp + fp === 0 ? Number.NaN : tp / (tp + fp);
  const recall = tp + fn === 0 ? Number.NaN : tp / (tp + fn);
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  delays.sort((a, b) => a - b);
  return {
    precision,
    recall,
    f1,
    events,
    eventsDetected: detected,
    falseAlarmEpisodes: fa,
    days,
    falseAlarmEpisodesPerDay: days > 0 ? fa / days : Number.NaN,
    // Median of the folds' medians: a summary, the per-fold medians are printed beside it.
    medianDelayMin: delays.length === 0 ? Number.NaN : (delays[Math.floor((delays.length - 1) / 2)] as number),
  };
}

/** The printed block of the headline (one line per fold, then the pooled line). */
export function formatFolds(results: readonly FoldResult[]): string[] {
  const f = (x: number, d = 3): string => (Number.isFinite(x) ? x.toFixed(d) : '–');
  const opts = (o: Partial<SuddenChangeOptions>): string =>
    Object.keys(o).length === 0
      ? 'defaults'
      : Object.entries(o)
          .map(([k, v]) => `${k}=${String(v)}`)
          .join(', ');
  const out = [
    `${'fold'.padEnd(32)} ${'P'.padStart(6)} ${'R'.padStart(6)} ${'F1'.padStart(6)} ${'events'.padStart(7)} ${'FA/day'.padStart(7)} ${'med dly'.padStart(7)}  chosen on the fit stretch (its F1 there)`,
  ];
  for (const r of results) {
    const m = r.score;
    out.push(
      `${r.name.padEnd(32)} ${f(m.precision).padStart(6)} ${f(m.recall).padStart(6)} ${f(m.f1).padStart(6)} ${`${m.eventsDetected}/${m.events}`.padStart(7)} ${f(m.falseAlarmEpisodesPerDay, 2).padStart(7)} ${f(m.medianDelayMin, 1).padStart(7)}  ${opts(r.chosen)} (${f(r.fit.f1)})`,
    );
  }
  if (results.length > 1) {
    const p = pooled(results);
    out.push(
      `${'pooled score stretches'.padEnd(32)} ${f(p.precision).padStart(6)} ${f(p.recall).padStart(6)} ${f(p.f1).padStart(6)} ${`${p.eventsDetected}/${p.events}`.padStart(7)} ${f(p.falseAlarmEpisodesPerDay, 2).padStart(7)} ${f(p.medianDelayMin, 1).padStart(7)}`,
    );
  }
  return out;
}
