/**
 * The range a signal's level has normally taken over the last days: the
 * lowest and highest bucket mean (e.g. hourly means of baseline-accepted
 * values over 7 days). The sudden-change detector uses it like CANARY's set
 * points (domain-facts §5.1): a shifted level far outside this range is not
 * silently accepted as the new baseline when the event timeout expires.
 * Constant memory (one number per bucket). Pure, no I/O.
 */

/** JSON-safe form of an {@link OperatingEnvelope}. */
export interface OperatingEnvelopeState {
  buckets: number[];
  means: number[];
  current: { bucket: number; sum: number; count: number } | null;
}

export class OperatingEnvelope {
  readonly #bucketMs: number;
  readonly #capacity: number;
  readonly #bucket: Int32Array;
  readonly #mean: Float64Array;
  #start = 0;
  #size = 0;
  #cur: { bucket: number; sum: number; count: number } | undefined;

  /**
   * @param bucketMs width of one bucket
   * @param windowMs how far back the envelope reaches
   */
  constructor(bucketMs: number, windowMs: number) {
    this.#bucketMs = bucketMs;
    this.#capacity = Math.max(1, Math.ceil(windowMs / bucketMs));
    // Bucket numbers (ts / bucketMs) fit 32 bits for any bucket of a minute or more until the year 6000.
    this.#bucket = new Int32Array(this.#capacity);
    this.#mean = new Float64Array(this.#capacity);
  }

  /** Adds a normal (baseline-accepted) value. */
  add(ts: number, value: number): void {
    const b = Math.floor(ts / this.#bucketMs);
    if (this.#cur && this.#cur.bucket !== b) this.#close();
    if (!this.#cur) this.#cur = { bucket: b, sum: 0, count: 0 };
    this.#cur.sum += value;
    this.#cur.count++;
  }

  /**
   * Lowest and highest bucket mean among buckets within the window before `ts`
   * (the open bucket included), and how many buckets that is.
   */
  range(ts: number): { lo: number; hi: number; buckets: number } {
    // Buckets that overlap [ts − window, ts].
    const oldest = Math.floor((ts - this.#capacity * this.#bucketMs) / this.#bucketMs);
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    let buckets = 0;
    for (let k = 0; k < this.#size; k++) {
      const i = (this.#start + k) % this.#capacity;
      if ((this.#bucket[i] as number) < oldest) continue;
      const m = this.#mean[i] as number;
      if (m < lo) lo = m;
      if (m > hi) hi = m;
      buckets++;
    }
    if (this.#cur && this.#cur.count > 0 && this.#cur.bucket >= oldest) {
      const m = this.#cur.sum / this.#cur.count;
      if (m < lo) lo = m;
      if (m > hi) hi = m;
      buckets++;
    }
    return { lo, hi, buckets };
  }

  #close(): void {
    const cur = this.#cur;
    this.#cur = undefined;
    if (!cur || cur.count === 0) return;
    const mean = cur.sum / cur.count;
    if (this.#size < this.#capacity) {
      const i = (this.#start + this.#size) % this.#capacity;
      this.#bucket[i] = cur.bucket;
      this.#mean[i] = mean;
      this.#size++;
    } else {
      this.#bucket[this.#start] = cur.bucket;
      this.#mean[this.#start] = mean;
      this.#start = (this.#start + 1) % this.#capacity;
    }
  }

  toJSON(): OperatingEnvelopeState {
    const buckets: number[] = [];
    const means: number[] = [];
    for (let k = 0; k < this.#size; k++) {
      const i = (this.#start + k) % this.#capacity;
      buckets.push(this.#bucket[i] as number);
      means.push(this.#mean[i] as number);
    }
    return { buckets, means, current: this.#cur ? { ...this.#cur } : null };
  }

  static fromJSON(state: OperatingEnvelopeState, bucketMs: number, windowMs: number): OperatingEnvelope {
    const e = new OperatingEnvelope(bucketMs, windowMs);
    const n = Math.min(state.buckets?.length ?? 0, state.means?.length ?? 0);
    for (let k = 0; k < n; k++) {
      const b = state.buckets[k];
      const m = state.means[k];
      if (typeof b !== 'number' || typeof m !== 'number' || !Number.isFinite(b) || !Number.isFinite(m)) continue;
      e.#cur = { bucket: b, sum: m, count: 1 };
      e.#close();
    }
    const c = state.current;
    if (c && Number.isFinite(c.bucket) && Number.isFinite(c.sum) && Number.isFinite(c.count) && c.count > 0) e.#cur = { ...c };
    return e;
  }
}
