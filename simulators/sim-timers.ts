/**
 * Wall-clock time and sleeping, injected so the runner can be driven by
 * tests. `sleep` resolves early (without error) when the signal aborts.
 */
export interface SimTimers {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemTimers: SimTimers = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) {
        resolve();
        return;
      }
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', done, { once: true });
    }),
};
