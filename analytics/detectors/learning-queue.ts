/**
 * Delayed learning for a signal baseline (issue 13 §2): what a reading
 * teaches the baseline's scale and operating envelope is held back for a
 * while, and thrown away if an event is found around it. Without the delay a
 * pollution event that is caught late (a slow rise, caught only when it is
 * strong) has already taught the scale its first minutes; an event that
 * recurs every day then widens the scale a little each time (residuals past
 * the outlier threshold enter it clipped at the threshold, so more than
 * 1 − quantile of them moves the quantile up) until the event no longer
 * counts as a change: the detector learns the pollution as normal.
 *
 * Each entry carries its time, the (clipped) |residual| for the scale or NaN,
 * and the value for the envelope or NaN. The detector taints a span of time
 * (from some time before an event began to some time after it ended); an
 * entry whose time falls in a tainted span is dropped instead of learned.
 * Pure, no I/O; constant work per reading amortised.
 */

/** JSON-safe form of a {@link LearningQueue}. */
export interface LearningQueueState {
  ts: number[];
  residual: (number | null)[];
  value: (number | null)[];
  taintFrom: number | null;
  taintUntil: number | null;
}

/** What a flushed entry teaches. */
export interface Lesson {
  readonly ts: number;
  /** |residual| for the scale, NaN when the entry teaches the scale nothing. */
  readonly residual: number;
  /** Value for the operating envelope, NaN when it teaches the envelope nothing. */
  readonly value: number;
}

export class LearningQueue {
  readonly #delayMs: number;
  #ts: number[] = [];
  #residual: number[] = [];
  #value: number[] = [];
  #head = 0;
  #taintFrom: number | undefined;
  #taintUntil: number | undefined;

  /** @param delayMs how long an entry waits before it is learned */
  constructor(delayMs: number) {
    this.#delayMs = delayMs;
  }

  /** Entries waiting. */
  get size(): number {
    return this.#ts.length - this.#head;
  }

  /** Queues what the reading at `ts` would teach (NaN for nothing). */
  push(ts: number, residual: number, value: number): void {
    this.#ts.push(ts);
    this.#residual.push(residual);
    this.#value.push(value);
  }

  /**
   * Marks [fromTs, untilTs] as tainted: entries in it are never learned. A
   * span that touches or overlaps the current one extends it; a later one
   * replaces it (entries before it have been learned or dropped by then when
   * the spans are further apart than the delay).
   */
  taint(fromTs: number, untilTs: number): void {
    if (this.#taintFrom !== undefined && this.#taintUntil !== undefined && fromTs <= this.#taintUntil) {
      this.#taintFrom = Math.min(this.#taintFrom, fromTs);
      this.#taintUntil = Math.max(this.#taintUntil, untilTs);
    } else {
      this.#taintFrom = fromTs;
      this.#taintUntil = untilTs;
    }
  }

  /** Whether `ts` lies in the tainted span. */
  isTainted(ts: number): boolean {
    return this.#taintFrom !== undefined && this.#taintUntil !== undefined && ts >= this.#taintFrom && ts <= this.#taintUntil;
  }

  /** Hands every entry older than `nowTs − delay` to `learn`, except tainted ones. */
  flush(nowTs: number, learn: (lesson: Lesson) => void): void {
    const cutoff = nowTs - this.#delayMs;
    while (this.#head < this.#ts.length && (this.#ts[this.#head] as number) <= cutoff) {
      const ts = this.#ts[this.#head] as number;
      if (!this.isTainted(ts))
        learn({ ts, residual: this.#residual[this.#head] as number, value: this.#value[this.#head] as number });
      this.#head++;
    }
    // Compact now and then so the arrays do not grow without bound.
    if (this.#head > 256 && this.#head * 2 > this.#ts.length) {
      this.#ts = this.#ts.slice(this.#head);
      this.#residual = this.#residual.slice(this.#head);
      this.#value = this.#value.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Drops everything waiting (after a long gap the old context says nothing). */
  clear(): void {
    this.#ts = [];
    this.#residual = [];
    this.#value = [];
    this.#head = 0;
  }

  toJSON(): LearningQueueState {
    const nul = (x: number): number | null => (Number.isFinite(x) ? x : null);
    return {
      ts: this.#ts.slice(this.#head),
      residual: this.#residual.slice(this.#head).map(nul),
      value: this.#value.slice(this.#head).map(nul),
      taintFrom: this.#taintFrom ?? null,
      taintUntil: this.#taintUntil ?? null,
    };
  }

  /** Rebuilds a queue; an unreadable state gives an empty one. */
  static fromJSON(state: LearningQueueState | undefined, delayMs: number): LearningQueue {
    const q = new LearningQueue(delayMs);
    if (!state || !Array.isArray(state.ts) || !Array.isArray(state.residual) || !Array.isArray(state.value)) return q;
    const n = Math.min(state.ts.length, state.residual.length, state.value.length);
    for (let i = 0; i < n; i++) {
      const ts = state.ts[i];
      if (typeof ts !== 'number' || !Number.isFinite(ts)) continue;
      q.push(ts, state.residual[i] ?? Number.NaN, state.value[i] ?? Number.NaN);
    }
    if (typeof state.taintFrom === 'number' && typeof state.taintUntil === 'number') q.taint(state.taintFrom, state.taintUntil);
    return q;
  }
}
