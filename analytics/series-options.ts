/**
 * Options of the detectors that watch one parameter series (threshold, trend,
 * flat line, spike): the groups that can be overridden per parameter, per
 * section and per section and parameter. Made into schemas, composed,
 * defaulted and resolved in options.ts; every key with its default is
 * listed in docs/analytics.md.
 */
import { Type } from 'typebox';

/** Target-class check (detectors/threshold.ts). */
export const thresholdProps = {
  /** Early-warning band starts at this fraction of an upper limit; for a lower bound (DO) at limit × (2 − f). @defaultValue 0.8 */
  earlyWarningFraction: Type.Number({ default: 0.8, exclusiveMinimum: 0, maximum: 1 }),
  /** pH early-warning band: this many pH units inside 6–9. @defaultValue 0.5 */
  phBandUnits: Type.Number({ default: 0.5, minimum: 0, maximum: 1.5 }),
  /** Raise when this many of the last `raiseWindow` evidence samples reach a level. @defaultValue 2 */
  raiseCount: Type.Integer({ default: 2, minimum: 1 }),
  /** Window (samples) for the M-of-N persistence rule. @defaultValue 3 */
  raiseWindow: Type.Integer({ default: 3, minimum: 1 }),
  /** Confirmation never waits longer than this: the count shrinks for slow series (a 4-h nutrient series confirms on one sample). @defaultValue 3600000 */
  raiseMaxWaitMs: Type.Integer({ default: 3_600_000, minimum: 0 }),
  /** Hysteresis: a level is released only when the value is back below this fraction of its threshold (lower bounds: above threshold × (2 − f)). @defaultValue 0.9 */
  clearFraction: Type.Number({ default: 0.9, exclusiveMinimum: 0, maximum: 1 }),
  /** pH hysteresis in pH units. @defaultValue 0.2 */
  phClearUnits: Type.Number({ default: 0.2, minimum: 0 }),
  /** Consecutive released samples before a level is lowered or cleared. @defaultValue 3 */
  clearCount: Type.Integer({ default: 3, minimum: 1 }),
  /** Clearing never needs longer than this (the count shrinks for slow series). @defaultValue 21600000 */
  clearMaxWaitMs: Type.Integer({ default: 21_600_000, minimum: 0 }),
  /** Red when worse than class V and the exceedance multiple against the target is at least this. @defaultValue 3 */
  severeMultiple: Type.Number({ default: 3, minimum: 0 }),
  /** Red for a lower bound (DO) below this fraction of the class V limit. @defaultValue 0.5 */
  severeLowerBoundFraction: Type.Number({ default: 0.5, minimum: 0, maximum: 1 }),
  /** Red for pH more than this many units outside 6–9. @defaultValue 1 */
  severePhUnits: Type.Number({ default: 1, minimum: 0 }),
  /** A gap longer than this many sampling intervals restarts persistence counting (an open alert stays open). @defaultValue 3 */
  gapResetIntervals: Type.Number({ default: 3, minimum: 1 }),
  /** Raise a provisional blue on the first sample past the limit, before persistence is met. Off: one odd sample must not alarm. @defaultValue false */
  provisional: Type.Boolean({ default: false }),
  /** Also check parameters that do not take part in the section's class (TN in rivers, domain-facts §1.2). @defaultValue false */
  outsideClass: Type.Boolean({ default: false }),
  /**
   * Confirm before escalating (issue 13 §4): a raise past the target that
   * rests on one reading which jumped at least `suspectJumpFactor` × past the
   * series' previous value, with nothing else at the station or section
   * moving, stays a blue "unconfirmed" alert until a re-measurement confirms
   * it (then it takes its level), refutes it (then it clears), or
   * `confirmWithinMs` passes without one (then it is treated as confirmed).
   * @defaultValue true
   */
  confirmSuspect: Type.Boolean({ default: true }),
  /**
   * "Approaching the limit" means getting worse (issue 13 §6): a value in the
   * early-warning band counts only when it is worse than the series' usual
   * level by at least this fraction of the limit. Usual: the median of the
   * last three days (without the last four hours); for DO, pH and temperature
   * the values at the same time of day on the previous days, so a normal
   * dawn or afternoon dip is not a warning. Water that always sits near its
   * limit is one matter for planning, not a daily blue alert. 0 turns it off.
   * @defaultValue 0.1
   */
  earlyWarningMinRiseFraction: Type.Number({ default: 0.1, minimum: 0, maximum: 1 }),
  /**
   * An early warning rests on at least this many readings in the band, however
   * slow the series (`raiseMaxWaitMs` does not shorten it below this): blue
   * asks nobody to act at once, so a 4-hourly analyser's one result in the
   * band waits for the next cycle, and one value just past 80 % of the limit
   * that the next reading does not repeat raises nothing. Exceedances keep
   * the shorter wait. Faster series already need two (`raiseCount`); never
   * more than `raiseCount`.
   * @defaultValue 2
   */
  earlyWarningMinCount: Type.Integer({ default: 2, minimum: 1 }),
  /** How far one reading must jump past the previous one to be suspect (upper bounds: value ≥ f × previous; DO: value ≤ previous / f). @defaultValue 3 */
  suspectJumpFactor: Type.Number({ default: 3, minimum: 1 }),
  /** Deadline for the re-measurement of a suspect reading. @defaultValue 7200000 (2 h) */
  confirmWithinMs: Type.Integer({ default: 7_200_000, minimum: 0 }),
};

/** Trend check (detectors/trend.ts). */
export const trendProps = {
  /** @defaultValue true */
  enabled: Type.Boolean({ default: true }),
  /** Mann-Kendall window. @defaultValue 259200000 (72 h) */
  windowMs: Type.Integer({ default: 259_200_000, minimum: 60_000 }),
  /** Samples are averaged into windowMs / maxPoints buckets, so a minute series and a 4-h series cost the same. @defaultValue 96 */
  maxPoints: Type.Integer({ default: 96, minimum: 4, maximum: 1000 }),
  /** Fewest buckets in the window before any decision. @defaultValue 8 */
  minPoints: Type.Integer({ default: 8, minimum: 4 }),
  /** The buckets must also span this fraction of the window (no decision on the rising half of one daily cycle). @defaultValue 0.5 */
  minSpanFraction: Type.Number({ default: 0.5, minimum: 0, maximum: 1 }),
  /** Two-sided significance level. @defaultValue 0.01 */
  alpha: Type.Number({ default: 0.01, exclusiveMinimum: 0, maximum: 0.5 }),
  /** Blue when the projected crossing of the target limit is within this horizon. @defaultValue 172800000 (48 h) */
  horizonMs: Type.Integer({ default: 172_800_000, minimum: 0 }),
  /** Trend-free pre-whitening (Yue et al. 2002) against serial correlation. @defaultValue true */
  prewhiten: Type.Boolean({ default: true }),
  /** Evaluations without the condition before the trend alert clears. @defaultValue 2 */
  clearEvaluations: Type.Integer({ default: 2, minimum: 1 }),
  /** Hysteresis: the condition is released only when the crossing is beyond horizon × this factor. @defaultValue 1.5 */
  clearHorizonFactor: Type.Number({ default: 1.5, minimum: 1 }),
};

/** Flat-line check (detectors/data-quality.ts). */
export const flatLineProps = {
  /** @defaultValue true */
  enabled: Type.Boolean({ default: true }),
  /** Samples in a run before a flat line can be reported. @defaultValue 6 */
  minSamples: Type.Integer({ default: 6, minimum: 2 }),
  /** The run must also last this long (12 h; 48 h for CODMn, NH3-N, TP, TN: see PARAMETER_DEFAULTS). @defaultValue 43200000 */
  minDurationMs: Type.Integer({ default: 43_200_000, minimum: 0 }),
  /** "Stuck" = within this many instrument precisions of the run's first value. @defaultValue 0.5 */
  tolerancePrecisions: Type.Number({ default: 0.5, minimum: 0 }),
  /** Values at or below this are not judged (a reading pinned at a detection limit is not a fault). @defaultValue none */
  ignoreAtOrBelow: Type.Optional(Type.Number()),
};

/** Spike check (detectors/spike-detector.ts). */
export const spikeProps = {
  /** @defaultValue true */
  enabled: Type.Boolean({ default: true }),
  /** A jump larger than this many robust scales (1.4826 × MAD of recent steps) that comes straight back. @defaultValue 8 */
  thresholdScales: Type.Number({ default: 8, exclusiveMinimum: 0 }),
  /** "Comes back": the next value is within this fraction of the jump from the value before. @defaultValue 0.5 */
  returnFraction: Type.Number({ default: 0.5, minimum: 0, maximum: 1 }),
  /** Recent steps kept for the robust scale. @defaultValue 30 */
  historySamples: Type.Integer({ default: 30, minimum: 5 }),
  /** Steps needed before spikes are judged. @defaultValue 10 */
  minHistory: Type.Integer({ default: 10, minimum: 3 }),
  /** Only series sampled at least this often: one 4-h analyzer result may be a real short plume (domain-facts §6). @defaultValue 3600000 */
  maxIntervalMs: Type.Integer({ default: 3_600_000, minimum: 0 }),
  /** A spike is always kept out of the pollution checks; the data-quality alert needs this many spikes within `windowMs` (a spiky sensor, not one odd value). @defaultValue 3 */
  raiseCount: Type.Integer({ default: 3, minimum: 1 }),
  /** Spikes are counted over this window; the alert clears once a whole window has passed without one. @defaultValue 86400000 (24 h) */
  windowMs: Type.Integer({ default: 86_400_000, minimum: 60_000 }),
  /** Floor of the robust scale in instrument precisions. @defaultValue 1 */
  minScalePrecisions: Type.Number({ default: 1, minimum: 0 }),
};
