/**
 * Token bucket for load runs: at most `ratePerS` readings per second on
 * average, bursts up to one tenth of a second's worth.
 */
import type { SimTimers } from './sim-timers.js';

export class RateLimiter {
  readonly #ratePerS: number;
  readonly #burst: number;
  readonly #timers: SimTimers;
  #tokens: number;
  #lastMs: number;

  constructor(ratePerS: number, timers: SimTimers) {
    this.#ratePerS = ratePerS;
    this.#burst = Math.max(1, ratePerS / 10);
    this.#timers = timers;
    this.#tokens = this.#burst;
    this.#lastMs = timers.now();
  }

  /** Waits until `n` readings may go (a batch larger than the burst waits for its full share). */
  async take(n: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = this.#timers.now();
      this.#tokens = Math.min(Math.max(this.#burst, n), this.#tokens + ((now - this.#lastMs) * this.#ratePerS) / 1000);
      this.#lastMs = now;
      if (this.#tokens >= n || signal?.aborted) {
        this.#tokens -= n;
        return;
      }
      await this.#timers.sleep(Math.max(1, ((n - this.#tokens) * 1000) / this.#ratePerS), signal);
    }
  }
}
