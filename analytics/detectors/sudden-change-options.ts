/**
 * Options of the sudden-change detector (sudden-change.ts): every window and
 * timeout is a duration with a floor in samples, so the same defaults serve
 * minute data, 5-minute data and 4-hour nutrient cycles. Pure.
 */

/** Detector options. Durations in ms; every window also has a floor in samples. */
export interface SuddenChangeOptions {
  /** Span of the rolling baseline window (accepted values). @defaultValue 1800000 (30 min) */
  baselineWindowMs: number;
  /** The baseline window never holds fewer values than this; a signal is scored only once it has them. @defaultValue 5 */
  baselineMinSamples: number;
  /** At most this many newest values are kept per window (bounds memory and time for dense data). @defaultValue 64 */
  baselineMaxSamples: number;
  /** e-folding time of the residual history behind each signal's scale. @defaultValue 604800000 (7 days) */
  scaleTimeConstantMs: number;
  /** The scale is this quantile of |value − baseline| in normal operation. @defaultValue 0.99 */
  scaleQuantile: number;
  /** A signal is not judged before its residual history covers this long ... @defaultValue 21600000 (6 h) */
  warmUpMs: number;
  /** ... and this many residuals. @defaultValue 30 */
  warmUpMinSamples: number;
  /** A quality reading is an outlier at this many scales from its baseline. @defaultValue 1.5 */
  outlierThreshold: number;
  /** A single signal this many scales out is strong evidence on its own. @defaultValue 5 */
  strongOutlierThreshold: number;
  /** Quality signals that must be outliers together for an outlier row. @defaultValue 2 */
  minParameters: number;
  /** Span of the binomial event discriminator's window. @defaultValue 300000 (5 min) */
  decisionWindowMs: number;
  /** The decision window counts at least this many rows (fewer seen rows are treated as clean). @defaultValue 5 */
  decisionMinSamples: number;
  /**
   * Confirmation never waits longer than this: with sparse data the strong
   * single-signal rows needed shrink to what arrives within it (never below
   * two), as the threshold check's `raiseMaxWaitMs` does. Minute and 5-minute
   * data are unaffected; an hourly plume in one parameter is confirmed by its
   * second reading (issue 13 §6). @defaultValue 3600000 (1 h)
   */
  eventMaxWaitMs: number;
  /** BED: probability that a normal row is an outlier row (with the defaults: 2 outlier rows of 5 start an event). @defaultValue 0.05 */
  outlierProbability: number;
  /** BED: probability that a normal row is a strong single-signal row; higher because sensor faults move one signal (3 rows of 5). @defaultValue 0.2 */
  strongOutlierProbability: number;
  /** BED event threshold, CANARY's rule: an event when BinomialCDF(n; m, p) reaches this, n outlier rows of m. @defaultValue 0.99 */
  eventProbability: number;
  /** An event ends when no quality signal has been an outlier for this long ... @defaultValue 120000 (2 min) */
  clearAfterMs: number;
  /** ... and for at least this many consecutive rows. @defaultValue 2 */
  clearMinSamples: number;
  /** Event timeout: a signal out for this long is re-baselined on its new level. @defaultValue 1800000 (30 min) */
  eventTimeoutMs: number;
  /** ... and for at least this many readings. @defaultValue 3 */
  eventTimeoutMinSamples: number;
  /** Operating envelope: how far back. @defaultValue 604800000 (7 days) */
  envelopeWindowMs: number;
  /** Operating envelope: bucket width (the envelope spans bucket means). @defaultValue 3600000 (1 h) */
  envelopeBucketMs: number;
  /** The envelope is used once it covers this many buckets. @defaultValue 24 */
  envelopeMinBuckets: number;
  /** A level beyond the envelope by more than this × max(envelope width, scale) is never accepted by the timeout. @defaultValue 2 */
  envelopeMargin: number;
  /** ... but only for this long: then even a far level becomes the baseline (a stuck analyser is a data-quality matter). @defaultValue 43200000 (12 h) */
  holdMaxMs: number;
  /** A pause longer than this ... @defaultValue 7200000 (2 h) */
  gapResetMs: number;
  /** ... and than this many usual sampling intervals is a gap: the signal's level window is refilled, an open event ends. @defaultValue 3 */
  gapResetIntervals: number;
  /**
   * Context signals explain quality changes: within `contextWindowMs` of a
   * marked context change, one more quality signal is needed and a single
   * strong signal does not count. Off by default:
   * in a river a flow rise often comes *with* pollution (runoff), and on the
   * GECCO file it changes nothing measurable. @defaultValue false
   */
  contextExplains: boolean;
  /**
   * What a judged reading teaches the scale and the operating envelope waits
   * this long, and is dropped if an event is found around it (issue 13 §2).
   * @defaultValue 3600000 (1 h)
   */
  learnDelayMs: number;
  /**
   * An accepted value joins the baseline level this long after it was read,
   * so a slow rise cannot drag the level along. Off by default: on the GECCO
   * file it also turns every operational step into 15 minutes of outliers,
   * which widen the scale and hide later events (docs/evaluation.md).
   * @defaultValue 0
   */
  levelDelayMs: number;
  /** When an event starts, the readings of this long before it teach nothing (a late detection's first minutes). @defaultValue 3600000 (1 h) */
  eventLookbackMs: number;
  /** After an event ends, the readings of this long teach nothing (the water settling back). @defaultValue 7200000 (2 h) */
  eventGuardMs: number;
  /** A context signal this many scales out counts as an operational change. @defaultValue 5 */
  contextThreshold: number;
  /** An operational change explains quality changes for this long. @defaultValue 600000 (10 min) */
  contextWindowMs: number;
}

/** The defaults, documented on {@link SuddenChangeOptions}. */
export const DEFAULT_SUDDEN_CHANGE_OPTIONS: Readonly<SuddenChangeOptions> = Object.freeze({
  baselineWindowMs: 30 * 60_000,
  baselineMinSamples: 5,
  baselineMaxSamples: 64,
  scaleTimeConstantMs: 7 * 86_400_000,
  scaleQuantile: 0.99,
  warmUpMs: 6 * 3_600_000,
  warmUpMinSamples: 30,
  outlierThreshold: 1.5,
  strongOutlierThreshold: 5,
  minParameters: 2,
  decisionWindowMs: 5 * 60_000,
  decisionMinSamples: 5,
  eventMaxWaitMs: 3_600_000,
  outlierProbability: 0.05,
  strongOutlierProbability: 0.2,
  eventProbability: 0.99,
  clearAfterMs: 2 * 60_000,
  clearMinSamples: 2,
  eventTimeoutMs: 30 * 60_000,
  eventTimeoutMinSamples: 3,
  envelopeWindowMs: 7 * 86_400_000,
  envelopeBucketMs: 3_600_000,
  envelopeMinBuckets: 24,
  envelopeMargin: 2,
  holdMaxMs: 12 * 3_600_000,
  gapResetMs: 2 * 3_600_000,
  gapResetIntervals: 3,
  contextExplains: false,
  learnDelayMs: 3_600_000,
  levelDelayMs: 0,
  eventLookbackMs: 3_600_000,
  eventGuardMs: 7_200_000,
  contextThreshold: 5,
  contextWindowMs: 10 * 60_000,
});

/** Problems with a partial options object (unknown keys, wrong types, out-of-range values); empty when fine. */
export function checkSuddenChangeOptions(options: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  const defaults = DEFAULT_SUDDEN_CHANGE_OPTIONS as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(options)) {
    if (!(key in defaults)) {
      problems.push(`suddenChange.${key}: unknown option`);
      continue;
    }
    if (typeof defaults[key] === 'boolean') {
      if (typeof value !== 'boolean') problems.push(`suddenChange.${key}: must be true or false`);
      continue;
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      problems.push(`suddenChange.${key}: must be a finite number ≥ 0`);
      continue;
    }
    const probability = key === 'scaleQuantile' || key.endsWith('Probability');
    if (probability && !(value > 0 && value < 1)) problems.push(`suddenChange.${key}: must be between 0 and 1`);
    const count = key.endsWith('Samples') || key === 'minParameters' || key === 'envelopeMinBuckets';
    if (count && !(Number.isInteger(value) && value >= 1)) problems.push(`suddenChange.${key}: must be a whole number ≥ 1`);
    if ((key === 'scaleTimeConstantMs' || key === 'envelopeBucketMs' || key === 'envelopeWindowMs') && value <= 0) {
      problems.push(`suddenChange.${key}: must be > 0`);
    }
  }
  return problems;
}

/** Merges options over the defaults, dropping undefined values. */
export function resolveSuddenChangeOptions(options: Partial<SuddenChangeOptions> = {}): SuddenChangeOptions {
  const out: SuddenChangeOptions = { ...DEFAULT_SUDDEN_CHANGE_OPTIONS };
  for (const [k, v] of Object.entries(options)) {
    if (v !== undefined && k in out) (out as unknown as Record<string, unknown>)[k] = v;
  }
  if (out.baselineMaxSamples < out.baselineMinSamples) out.baselineMaxSamples = out.baselineMinSamples;
  return out;
}
