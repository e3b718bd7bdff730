/**
 * Publish-latency histogram with log-spaced buckets (about 2 % relative
 * resolution from 1 µs to hours): constant memory however many samples.
 */
const GROWTH = 1.02;
const MIN_MS = 0.001;
const LOG_GROWTH = Math.log(GROWTH);

export class LatencyHistogram {
  readonly #buckets = new Map<number, number>();
  #count = 0;
  #maxMs = 0;
  #sumMs = 0;

  record(ms: number): void {
    const value = Math.max(MIN_MS, ms);
    const index = Math.floor(Math.log(value / MIN_MS) / LOG_GROWTH);
    this.#buckets.set(index, (this.#buckets.get(index) ?? 0) + 1);
    this.#count += 1;
    this.#sumMs += ms;
    if (ms > this.#maxMs) this.#maxMs = ms;
  }

  get count(): number {
    return this.#count;
  }

  get maxMs(): number {
    return this.#maxMs;
  }

  get meanMs(): number {
    return this.#count === 0 ? 0 : this.#sumMs / this.#count;
  }

  /** The q-quantile (0–1), as the upper edge of its bucket; 0 with no samples. */
  quantileMs(q: number): number {
    if (this.#count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.#count));
    let seen = 0;
    for (const index of [...this.#buckets.keys()].sort((a, b) => a - b)) {
      seen += this.#buckets.get(index) as number;
      if (seen >= rank) return Math.min(this.#maxMs, MIN_MS * GROWTH ** (index + 1));
    }
    return this.#maxMs;
  }
}
