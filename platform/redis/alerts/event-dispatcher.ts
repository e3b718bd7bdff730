/**
 * Reads the event log through a consumer group and performs what each
 * transition asks for (notifications, tasks, sampling flows, timers); an
 * entry is acknowledged only after its handler succeeded, so a crash
 * redelivers it (to this consumer, or to another one through XAUTOCLAIM)
 * and the idempotent handlers make the repeat harmless.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { parseEntry, type LoggedEvent } from './event-log.js';

export const DISPATCH_GROUP = 'alerts-dispatch';
const BATCH = 100;
const BLOCK_MS = 1000;
/** After this many failed attempts an entry is logged and skipped, so one poison entry cannot stop the flow. */
const MAX_FAILURES = 20;

type RawEntries = [string, [string, string[]][]][] | null;

export interface DispatcherDeps {
  readonly redis: Redis;
  readonly streamKey: string;
  readonly claimIdleMs: number;
  /**
   * Consumer name, stable across restarts of this process (from RW_INSTANCE), so a restarted
   * dispatcher takes up its own pending entries at once instead of waiting `claimIdleMs` for
   * them to be claimed. Without it, a random name (tests with several services in one process).
   */
  readonly consumer?: string;
  readonly logger: Logger;
  readonly handle: (entry: LoggedEvent) => Promise<void>;
}

export class Dispatcher {
  readonly #deps: DispatcherDeps;
  readonly consumer: string;
  #blocking: Redis | undefined;
  #loop: Promise<void> | undefined;
  #stopped = false;
  readonly #failures = new Map<string, number>();
  #lastClaim = 0;

  constructor(deps: DispatcherDeps) {
    this.#deps = deps;
    this.consumer = deps.consumer ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  }

  async start(): Promise<void> {
    if (this.#loop) return;
    this.#stopped = false;
    this.#blocking = this.#deps.redis.duplicate({ connectionName: `rw-alerts-dispatch-${this.consumer}` });
    await this.#ensureGroup();
    this.#loop = this.#run();
  }

  async close(): Promise<void> {
    this.#stopped = true;
    // Disconnecting aborts a blocked XREADGROUP.
    this.#blocking?.disconnect();
    await this.#loop;
    this.#loop = undefined;
    this.#blocking = undefined;
  }

  async #ensureGroup(): Promise<void> {
    try {
      // From the start of the log: entries written before any dispatcher ran still get handled.
      await this.#deps.redis.xgroup('CREATE', this.#deps.streamKey, DISPATCH_GROUP, '0', 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
  }

  async #run(): Promise<void> {
    const { logger } = this.#deps;
    let pending = true;
    while (!this.#stopped) {
      try {
        await this.#claimAbandoned();
        const args: (string | number)[] = ['GROUP', DISPATCH_GROUP, this.consumer, 'COUNT', BATCH];
        if (!pending) args.push('BLOCK', BLOCK_MS);
        args.push('STREAMS', this.#deps.streamKey, pending ? '0' : '>');
        const raw = (await this.#blocking!.call('XREADGROUP', ...args)) as RawEntries;
        const entries = raw?.[0]?.[1] ?? [];
        if (pending && entries.length === 0) {
          pending = false;
          continue;
        }
        const ok = await this.#handleAll(entries);
        // After a failure, go back to our pending entries (in order) after a pause.
        if (!ok) {
          pending = true;
          await new Promise((r) => setTimeout(r, 500));
        }
      } catch (err) {
        if (this.#stopped) break;
        const message = String((err as Error).message);
        if (message.includes('NOGROUP')) await this.#ensureGroup().catch(() => undefined);
        logger.warn({ err }, 'alerts dispatcher read failed; retrying');
        pending = true;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  async #claimAbandoned(): Promise<void> {
    const now = Date.now();
    if (now - this.#lastClaim < Math.max(100, this.#deps.claimIdleMs / 2)) return;
    this.#lastClaim = now;
    const result = (await this.#deps.redis.xautoclaim(
      this.#deps.streamKey,
      DISPATCH_GROUP,
      this.consumer,
      this.#deps.claimIdleMs,
      '0-0',
      'COUNT',
      BATCH,
    )) as [string, [string, string[]][], ...unknown[]];
    const entries = (result[1] ?? []).filter((e) => Array.isArray(e) && e[1] !== null);
    if (entries.length > 0) {
      this.#deps.logger.info({ count: entries.length }, 'claimed event-log entries of a stopped dispatcher');
      await this.#handleAll(entries);
    }
  }

  /** Handles entries in order; stops at the first failure (returns false) so order is kept. */
  async #handleAll(entries: [string, string[]][]): Promise<boolean> {
    const { redis, streamKey, logger } = this.#deps;
    for (const entry of entries) {
      if (this.#stopped) return true;
      const [id] = entry;
      const parsed = parseEntry(entry);
      try {
        if (parsed) await this.#deps.handle(parsed);
        this.#failures.delete(id);
      } catch (err) {
        const failures = (this.#failures.get(id) ?? 0) + 1;
        this.#failures.set(id, failures);
        if (failures < MAX_FAILURES) {
          logger.warn({ err, entryId: id, failures }, 'event-log entry failed; will retry');
          return false;
        }
        logger.error({ err, entryId: id, failures }, 'event-log entry failed too often; skipped');
        this.#failures.delete(id);
      }
      await redis.xack(streamKey, DISPATCH_GROUP, id);
    }
    return true;
  }
}
