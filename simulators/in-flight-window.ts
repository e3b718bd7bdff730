/**
 * Bounds the number of sends awaiting their acknowledgement (PUBACK, 202,
 * 9014): the sender waits for a free slot before sending the next message.
 */
export class InFlightWindow {
  readonly #size: number;
  #inFlight = 0;
  #waiters: (() => void)[] = [];
  #idle: (() => void)[] = [];

  constructor(size: number) {
    this.#size = Math.max(1, size);
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Resolves once a slot is free (or at once when the signal aborted). */
  acquire(signal?: AbortSignal): Promise<void> {
    if (this.#inFlight < this.#size || signal?.aborted) {
      this.#inFlight += 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const grant = (): void => {
        signal?.removeEventListener('abort', grant);
        const i = this.#waiters.indexOf(grant);
        if (i >= 0) this.#waiters.splice(i, 1);
        this.#inFlight += 1;
        resolve();
      };
      this.#waiters.push(grant);
      signal?.addEventListener('abort', grant, { once: true });
    });
  }

  release(): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    const next = this.#waiters[0];
    if (next && this.#inFlight < this.#size) next();
    if (this.#inFlight === 0) {
      const idle = this.#idle;
      this.#idle = [];
      for (const resolve of idle) resolve();
    }
  }

  /** Resolves when nothing is in flight. */
  drained(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }
}
