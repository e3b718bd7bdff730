/** Wall-clock time the test moves by hand, for driving the paced simulator. */
import type { SimTimers } from '../../../simulators/sim-timers.js';

interface Waiter {
  readonly at: number;
  readonly resolve: () => void;
}

export class FakeTimers implements SimTimers {
  #now: number;
  #waiters: Waiter[] = [];

  constructor(startMs: number) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const waiter: Waiter = {
        at: this.#now + ms,
        resolve: () => {
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
          resolve();
        },
      };
      this.#waiters.push(waiter);
      signal?.addEventListener('abort', () => waiter.resolve(), { once: true });
    });
  }

  /** Moves time forward to `targetMs`, waking sleepers in order and letting the code run between. */
  async advanceTo(targetMs: number): Promise<void> {
    for (;;) {
      await flush();
      const next = this.#waiters.filter((w) => w.at <= targetMs).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.#now = Math.max(this.#now, next.at);
      next.resolve();
    }
    this.#now = targetMs;
    await flush();
  }
}

export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}
