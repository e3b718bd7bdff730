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

/** Receives what a flushed entry teaches: |residual| for the scale and the value for the envelope, NaN for nothing. */
export type Learn = (ts: number, residual: number, value: number) => void;

/** A ring of (ts, residual, value) triples in three typed arrays; grows by doubling, never shrinks. */
export class LearningQueue {
  readonly #delayMs: number;
  #capacity: number;
  #ts: Float64Array;
  #residual: Float64Array;
  #value: Float64Array;
  #head = 0;
  #size = 0;
  #taintFrom = Number.NaN;
  #taintUntil = Number.NaN;

  /**
   * @param delayMs how long an entry waits before it is learned
   * @param capacity entries held before the ring grows (64: an hour of minute data, so the first hour of judging
   * does not churn the heap with growth)
   */
  constructor(delayMs: number, capacity = 64) {
    this.#delayMs = delayMs;
    this.#capacity = Math.max(1, Math.floor(capacity));
    this.#ts = new Float64Array(this.#capacity);
    this.#residual = new Float64Array(this.#capacity);
    this.#value = new Float64Array(this.#capacity);
  }

  /** Entries waiting. */
  get size(): number {
    return this.#size;
  }

  /** Queues what the reading at `ts` would teach (NaN for nothing). */
  push(ts: number, residual: number, value: number): void {
    if (this.#size === this.#capacity) this.#grow();
    let i = this.#head + this.#size;
    if (i >= this.#capacity) i -= this.#capacity;
    this.#ts[i] = ts;
    this.#residual[i] = residual;
    this.#value[i] = value;
    this.#size++;
  }

  /**
   * Marks [fromTs, untilTs] as tainted: entries in it are never learned. A
   * span that touches or overlaps the current one extends it; a later one
   * replaces it (entries before it have been learned or dropped by then when
   * the spans are further apart than the delay).
   */
  taint(fromTs: number, untilTs: number): void {
    if (fromTs <= this.#taintUntil) {
      this.#taintFrom = Math.min(this.#taintFrom, fromTs);
      this.#taintUntil = Math.max(this.#taintUntil, untilTs);
    } else {
      this.#taintFrom = fromTs;
      this.#taintUntil = untilTs;
    }
  }

  /** Whether `ts` lies in the tainted span. */
  isTainted(ts: number): boolean {
    return ts >= this.#taintFrom && ts <= this.#taintUntil;
  }

  /** Hands every entry older than `nowTs − delay` to `learn`, except tainted ones. */
  flush(nowTs: number, learn: Learn): void {
    const cutoff = nowTs - this.#delayMs;
    let head = this.#head;
    let size = this.#size;
    while (size > 0) {
      const ts = this.#ts[head] as number;
      if (ts > cutoff) break;
      if (!(ts >= this.#taintFrom && ts <= this.#taintUntil)) learn(ts, this.#residual[head] as number, this.#value[head] as number);
      if (++head === this.#capacity) head = 0;
      size--;
    }
    this.#head = head;
    this.#size = size;
  }

  /** Drops everything waiting (after a long gap the old context says nothing). */
  clear(): void {
    this.#head = 0;
    this.#size = 0;
  }

  #grow(): void {
    const entries = this.#entries();
    this.#capacity *= 2;
    this.#ts = new Float64Array(this.#capacity);
    this.#residual = new Float64Array(this.#capacity);
    this.#value = new Float64Array(this.#capacity);
    entries.forEach(([t, r, v], k) => {
      this.#ts[k] = t;
      this.#residual[k] = r;
      this.#value[k] = v;
    });
    this.#head = 0;
  }

  #entries(): [number, number, number][] {
    const out: [number, number, number][] = [];
    for (let k = 0, i = this.#head; k < this.#size; k++) {
      out.push([this.#ts[i] as number, this.#residual[i] as number, this.#value[i] as number]);
      if (++i === this.#capacity) i = 0;
    }
    return out;
  }

  toJSON(): LearningQueueState {
    const nul = (x: number): number | null => (Number.isFinite(x) ? x : null);
    const entries = this.#entries();
    return {
      ts: entries.map((e) => e[0]),
      residual: entries.map((e) => nul(e[1])),
      value: entries.map((e) => nul(e[2])),
      taintFrom: Number.isFinite(this.#taintFrom) ? this.#taintFrom : null,
      taintUntil: Number.isFinite(this.#taintUntil) ? this.#taintUntil : null,
    };
  }

  /** Rebuilds a queue; an unreadable state gives an empty one. */
  static fromJSON(state: LearningQueueState | undefined, delayMs: number, capacity?: number): LearningQueue {
    const q = new LearningQueue(delayMs, capacity);
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
