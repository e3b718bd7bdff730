/**
 * A running estimate of a series' sampling interval, so "a gap" means the same
 * for minute data and 4-hour nutrient cycles: a pause is a gap when it is
 * longer than both a duration and a number of usual intervals. Pure.
 */

/** Smoothing of the interval estimate (weight of the newest interval). */
const ALPHA = 0.2;

export interface GapRule {
  readonly gapResetMs: number;
  readonly gapResetIntervals: number;
}

export class IntervalEstimate {
  #ms: number | undefined;

  constructor(ms?: number) {
    this.#ms = ms !== undefined && Number.isFinite(ms) && ms > 0 ? ms : undefined;
  }

  /** The usual interval, or undefined before two samples. */
  get ms(): number | undefined {
    return this.#ms;
  }

  /**
   * Whether the pause from `lastTs` to `ts` is a gap; learns the interval from
   * pauses that are not. The first pause is never a gap: it sets the estimate.
   */
  isGap(ts: number, lastTs: number | undefined, rule: GapRule): boolean {
    if (lastTs === undefined) return false;
    const dt = ts - lastTs;
    if (dt <= 0) return false;
    if (this.#ms === undefined) {
      // Nothing to compare with yet: the first pause teaches the interval.
      this.#ms = dt;
      return false;
    }
    if (dt > Math.max(rule.gapResetMs, rule.gapResetIntervals * this.#ms)) return true;
    this.#ms += ALPHA * (dt - this.#ms);
    return false;
  }
}
