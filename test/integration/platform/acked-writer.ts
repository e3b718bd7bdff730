/**
 * A steady writer for failover tests: appends 0, 1, 2, … to one list, one at
 * a time, and notes which values were acknowledged and when; afterwards
 * `compare()` says which acknowledged values the surviving Redis lacks.
 */
import type { RedisClient } from '../../../platform/redis/client-factory.js';

/** Appends `value` to `key`; resolves once acknowledged (default: a plain RPUSH). */
export type AppendOnce = (client: RedisClient, key: string, value: string) => Promise<unknown>;

export class Writer {
  readonly acked: { value: number; issuedAtMs: number; atMs: number }[] = [];
  /** Connection errors the client reported (it retries; they are expected during a failover). */
  errors = 0;
  /** Appends that failed and were sent again (the value is retried until acknowledged). */
  refused = 0;
  readonly refusals = new Map<string, number>();
  #stopped = false;
  #next = 0;

  constructor(
    private readonly client: RedisClient,
    private readonly key: string,
    private readonly append: AppendOnce = (c, k, v) => c.rpush(k, v),
  ) {
    client.on('error', () => this.errors++);
  }

  async run(): Promise<void> {
    while (!this.#stopped) {
      const value = this.#next++;
      for (;;) {
        const issuedAtMs = performance.now();
        this.pendingSinceMs = issuedAtMs;
        try {
          await this.append(this.client, this.key, String(value));
          this.pendingSinceMs = undefined;
          this.acked.push({ value, issuedAtMs, atMs: performance.now() });
          break;
        } catch (err) {
          this.pendingSinceMs = undefined;
          this.refused++;
          const code = (err as { code?: string }).code ?? (err as Error).message.slice(0, 40);
          this.refusals.set(code, (this.refusals.get(code) ?? 0) + 1);
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    }
  }

  /** Since when the append in progress has been waiting (undefined between appends). */
  pendingSinceMs: number | undefined;

  /** `code: count, …` of the refused appends. */
  describeRefusals(): string {
    return [...this.refusals].map(([code, n]) => `${code}: ${n}`).join(', ');
  }

  stop(): void {
    this.#stopped = true;
  }

  async until(count: number, timeoutMs = 30_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.acked.length < count) {
      if (performance.now() > deadline)
        throw new Error(`only ${this.acked.length} of ${count} writes acknowledged within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /**
   * When the first write issued after `sinceMs` (the killed master is gone) was
   * acknowledged; the write in flight at the kill may have been answered by
   * the old master just before it died.
   */
  async firstSuccessAfter(sinceMs: number, timeoutMs: number): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const found = this.acked.find((a) => a.issuedAtMs > sinceMs);
      if (found) return found.atMs;
      if (performance.now() > deadline)
        throw new Error(
          `no write acknowledged within ${timeoutMs} ms of the kill; ${this.refused} refused (${this.describeRefusals()}); ${this.pendingSinceMs === undefined ? 'no append pending' : `an append pending for ${Math.round(performance.now() - this.pendingSinceMs)} ms`}`,
        );
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  compare(stored: readonly number[]): { acked: number; missing: number; doubled: number } {
    const counts = new Map<number, number>();
    for (const v of stored) counts.set(v, (counts.get(v) ?? 0) + 1);
    return {
      acked: this.acked.length,
      missing: this.acked.filter((a) => !counts.has(a.value)).length,
      doubled: [...counts.values()].filter((n) => n > 1).length,
    };
  }
}
