/**
 * The robust baseline of one signal for the sudden-change detector:
 *
 * - level: median of the values accepted over a short rolling time window
 *   (outliers and in-event values are not added, so an event does not become
 *   its own baseline; CANARY's outlier handling, domain-facts §5.1);
 * - scale: a high quantile of the signal's own |residual| history, floored at
 *   the instrument precision (see residual-scale.ts); outlier residuals enter
 *   it clipped at the outlier threshold, in-event residuals not at all;
 * - event timeout: a level shift that persists longer than the timeout is
 *   accepted as the new baseline (the window is reloaded with the values since
 *   the shift began), unless the new level lies far outside the range the
 *   signal held over the last days (operating-envelope.ts), where it keeps
 *   counting as a change for up to `holdMaxMs` (a stuck analyser must not
 *   hold an event open for ever: that is a data-quality matter);
 * - gaps: after a gap longer than `gapResetMs` and `gapResetIntervals`
 *   sampling intervals, the level window is refilled before the signal is
 *   scored again (the scale is kept);
 * - delayed learning (learning-queue.ts): what a judged reading teaches the
 *   scale and the envelope waits `learnDelayMs`, and is dropped when the
 *   detector taints its time (before, during and after an event), so neither
 *   the minutes before a late detection nor the hours after an event teach
 *   the baseline that pollution is normal (issue 13 §2).
 *
 * Pure, no I/O: timestamps come with the values.
 */
import { OperatingEnvelope, type OperatingEnvelopeState } from './operating-envelope.js';
import { ResidualScale, type ResidualScaleState } from './residual-scale.js';
import { IntervalEstimate } from './interval-estimate.js';
import { LearningQueue, type LearningQueueState } from './learning-queue.js';
import { medianInPlace, RollingWindow, type RollingWindowState } from './rolling-window.js';

/** The options a signal baseline needs (a subset of the sudden-change options). */
export interface BaselineOptions {
  readonly baselineWindowMs: number;
  readonly baselineMinSamples: number;
  readonly baselineMaxSamples: number;
  readonly scaleTimeConstantMs: number;
  readonly scaleQuantile: number;
  readonly warmUpMs: number;
  readonly warmUpMinSamples: number;
  readonly outlierThreshold: number;
  readonly eventTimeoutMs: number;
  readonly eventTimeoutMinSamples: number;
  readonly envelopeWindowMs: number;
  readonly envelopeBucketMs: number;
  readonly envelopeMinBuckets: number;
  readonly envelopeMargin: number;
  readonly holdMaxMs: number;
  readonly gapResetMs: number;
  readonly gapResetIntervals: number;
  readonly learnDelayMs: number;
  readonly eventLookbackMs: number;
  readonly levelDelayMs: number;
}

/** One reading scored against the baseline. */
export interface BaselineScore {
  /** Baseline level (median of the window). */
  readonly level: number;
  /** value − level. */
  readonly residual: number;
  /** |residual| in units of the signal's scale; undefined while the scale warms up. */
  readonly z: number | undefined;
}

/** JSON-safe form of a {@link SignalBaseline}. */
export interface SignalBaselineState {
  window: RollingWindowState;
  recent: RollingWindowState;
  scale: ResidualScaleState;
  envelope: OperatingEnvelopeState;
  lastTs: number | null;
  intervalMs: number | null;
  outlierSinceTs: number | null;
  outlierCount: number;
  /** Lessons not yet learned (absent in snapshots written before issue 13). */
  learning?: LearningQueueState;
  /** Accepted values not yet in the level window (absent in snapshots written before issue 13). */
  pendingLevel?: LearningQueueState;
}

/** Working buffer for medians, shared by all baselines (single-threaded, never held across calls). */
let SCRATCH = new Float64Array(64);
function scratch(size: number): Float64Array {
  if (SCRATCH.length < size) SCRATCH = new Float64Array(size);
  return SCRATCH;
}

export class SignalBaseline {
  readonly precision: number;
  readonly #o: BaselineOptions;
  #window: RollingWindow;
  #recent: RollingWindow;
  #scale: ResidualScale;
  #envelope: OperatingEnvelope;
  #lastTs: number | undefined;
  #interval = new IntervalEstimate();
  #outlierSinceTs: number | undefined;
  #outlierCount = 0;
  #learning: LearningQueue;
  #pendingLevel: LearningQueue;
  /** Cached median of the window; NaN when stale. */
  #level = Number.NaN;

  constructor(precision: number, options: BaselineOptions) {
    this.precision = precision;
    this.#o = options;
    this.#window = new RollingWindow(options.baselineMaxSamples);
    this.#recent = new RollingWindow(options.baselineMaxSamples);
    this.#scale = new ResidualScale(precision, options.scaleTimeConstantMs);
    this.#envelope = new OperatingEnvelope(options.envelopeBucketMs, options.envelopeWindowMs);
    this.#learning = new LearningQueue(learningDelay(options));
    // Used only with a level delay (off by default): no room held for it otherwise.
    this.#pendingLevel = new LearningQueue(options.levelDelayMs, options.levelDelayMs > 0 ? 64 : 1);
  }

  /**
   * Nothing queued with a time in [fromTs, untilTs] will be learned (the
   * detector calls this around an event). The level window is not touched.
   */
  taint(fromTs: number, untilTs: number): void {
    this.#learning.taint(fromTs, untilTs);
    this.#pendingLevel.taint(fromTs, untilTs);
  }

  /** Current baseline level, or undefined before the window holds enough values. */
  level(): number | undefined {
    if (this.#window.size < this.#o.baselineMinSamples) return undefined;
    if (Number.isNaN(this.#level)) {
      const buf = scratch(this.#o.baselineMaxSamples);
      this.#level = medianInPlace(buf, this.#window.copyValues(buf));
    }
    return this.#level;
  }

  /** The scale (residual quantile, ≥ precision), or undefined while warming up. */
  scale(ts: number): number | undefined {
    if (this.#scale.samples < this.#o.warmUpMinSamples || this.#scale.spanMs(ts) < this.#o.warmUpMs) return undefined;
    return this.#scale.quantile(this.#o.scaleQuantile);
  }

  /**
   * Scores a value against the baseline. Call once per reading, in time
   * order, then {@link commit} with the decision. Returns undefined while the
   * level window is (re)filling.
   */
  score(ts: number, value: number): BaselineScore | undefined {
    if (this.#interval.isGap(ts, this.#lastTs, this.#o)) {
      // After a long gap the old level says little about the new one: refill before judging.
      this.#window.clear();
      this.#level = Number.NaN;
      this.#recent.clear();
      this.#pendingLevel.clear();
      this.#outlierSinceTs = undefined;
      this.#outlierCount = 0;
    }
    this.#lastTs = ts;
    if (this.#learning.size > 0) this.#learning.flush(ts, this.#learn);
    if (this.#pendingLevel.size > 0) this.#pendingLevel.flush(ts, this.#joinLevel);
    this.#recent.push(ts, value);
    this.#recent.evictUpTo(ts - Math.max(this.#o.eventTimeoutMs, this.#o.baselineWindowMs), this.#o.baselineMinSamples);
    const level = this.level();
    if (level === undefined) return undefined;
    const residual = value - level;
    const scale = this.scale(ts);
    return { level, residual, z: scale === undefined ? undefined : Math.abs(residual) / scale };
  }

  /**
   * Records the decision on the value last scored.
   * @param outlier the value was judged an outlier for this signal
   * @param accept the value may join the baseline (not an outlier, and the station is not in an event)
   * @param learnScale the residual may join the scale history (the station is not in an event)
   * @returns true when the event timeout re-baselined the signal on this value
   */
  commit(
    ts: number,
    value: number,
    s: BaselineScore | undefined,
    outlier: boolean,
    accept: boolean,
    learnScale: boolean,
  ): boolean {
    if (s === undefined || s.z === undefined) {
      // Warming up: everything joins at once (nothing is judged yet, so nothing can be an event).
      this.#push(ts, value);
      this.#envelope.add(ts, value);
      if (s !== undefined) this.#scale.add(ts, s.residual);
      return false;
    }
    // Winsorised: an outlier counts as lying beyond the threshold (right for a quantile's rank) without its size,
    // so one wild value cannot inflate a short history's scale (30 residuals of a 4-hour series).
    const residual = learnScale
      ? Math.min(Math.abs(s.residual), this.#o.outlierThreshold * (this.scale(ts) ?? Number.POSITIVE_INFINITY))
      : Number.NaN;
    const accepted = !outlier && accept;
    if (accepted) this.#push(ts, value);
    if (learnScale || accepted) this.#learning.push(ts, residual, accepted ? value : Number.NaN);
    if (!outlier) {
      this.#outlierSinceTs = undefined;
      this.#outlierCount = 0;
      return false;
    }
    if (this.#outlierSinceTs === undefined) this.#outlierSinceTs = ts;
    this.#outlierCount++;
    if (
      ts - this.#outlierSinceTs >= this.#o.eventTimeoutMs &&
      this.#outlierCount >= this.#o.eventTimeoutMinSamples &&
      (ts - this.#outlierSinceTs >= this.#o.holdMaxMs || !this.isFarOutside(ts))
    ) {
      this.#rebaseline(this.#outlierSinceTs);
      return true;
    }
    return false;
  }

  /**
   * Whether the recent level lies far outside the signal's operating envelope:
   * beyond [lo, hi] by more than `envelopeMargin` × max(hi − lo, scale).
   * False while the envelope covers too few buckets to say.
   */
  isFarOutside(ts: number): boolean {
    const env = this.#envelope.range(ts);
    if (env.buckets < this.#o.envelopeMinBuckets) return false;
    const buf = scratch(this.#o.baselineMaxSamples);
    const n = this.#recent.copyValues(buf);
    const start = Math.max(0, n - this.#o.baselineMinSamples);
    const recentLevel = medianInPlace(buf.subarray(start), n - start);
    const margin = this.#o.envelopeMargin * Math.max(env.hi - env.lo, this.scale(ts) ?? this.precision);
    return recentLevel < env.lo - margin || recentLevel > env.hi + margin;
  }

  /**
   * An accepted value joins the level window `levelDelayMs` later, so the
   * level is what the water did a little while ago: a slow rise that stays
   * under the outlier threshold from one reading to the next cannot drag the
   * level along with it (a ramp-shaped event, issue 13 §2).
   */
  #push(ts: number, value: number): void {
    if (this.#o.levelDelayMs <= 0) this.#joinLevel(ts, Number.NaN, value);
    else this.#pendingLevel.push(ts, Number.NaN, value);
  }

  readonly #joinLevel = (ts: number, _residual: number, value: number): void => {
    this.#window.push(ts, value);
    this.#window.evictUpTo(ts - this.#o.baselineWindowMs, this.#o.baselineMinSamples);
    this.#level = Number.NaN;
  };

  /** A lesson whose delay has passed untainted. */
  readonly #learn = (ts: number, residual: number, value: number): void => {
    if (residual === residual) this.#scale.add(ts, residual); // not NaN
    if (value === value) this.#envelope.add(ts, value);
  };

  /** Event timeout: the values since the shift began become the baseline (CANARY reloads its history window). */
  #rebaseline(sinceTs: number): void {
    this.#window.clear();
    this.#level = Number.NaN;
    this.#recent.forEach((t, v) => {
      if (t >= sinceTs) this.#window.push(t, v);
    });
    this.#outlierSinceTs = undefined;
    this.#outlierCount = 0;
  }

  toJSON(): SignalBaselineState {
    return {
      window: this.#window.toJSON(),
      recent: this.#recent.toJSON(),
      scale: this.#scale.toJSON(),
      envelope: this.#envelope.toJSON(),
      lastTs: this.#lastTs ?? null,
      intervalMs: this.#interval.ms ?? null,
      outlierSinceTs: this.#outlierSinceTs ?? null,
      outlierCount: this.#outlierCount,
      learning: this.#learning.toJSON(),
      pendingLevel: this.#pendingLevel.toJSON(),
    };
  }

  static fromJSON(state: SignalBaselineState, precision: number, options: BaselineOptions): SignalBaseline {
    const b = new SignalBaseline(precision, options);
    b.#window = RollingWindow.fromJSON(state.window, options.baselineMaxSamples);
    b.#recent = RollingWindow.fromJSON(state.recent, options.baselineMaxSamples);
    b.#scale = ResidualScale.fromJSON(state.scale, precision, options.scaleTimeConstantMs);
    b.#envelope = OperatingEnvelope.fromJSON(state.envelope, options.envelopeBucketMs, options.envelopeWindowMs);
    b.#lastTs = state.lastTs ?? undefined;
    b.#interval = new IntervalEstimate(state.intervalMs ?? undefined);
    b.#outlierSinceTs = state.outlierSinceTs ?? undefined;
    b.#outlierCount = Number.isFinite(state.outlierCount) ? state.outlierCount : 0;
    b.#learning = LearningQueue.fromJSON(state.learning, learningDelay(options));
    b.#pendingLevel = LearningQueue.fromJSON(state.pendingLevel, options.levelDelayMs, options.levelDelayMs > 0 ? 64 : 1);
    return b;
  }
}

/** Lessons wait at least as long as the detector looks back when an event starts, so none escapes the taint. */
function learningDelay(o: BaselineOptions): number {
  return Math.max(o.learnDelayMs, o.eventLookbackMs);
}
