/**
 * One consumer-group reader of a Redis stream, shared by the event-log
 * readers (the alerts dispatcher, the InfluxDB alert points): creates the
 * group from the start of the stream, reads its own pending entries first
 * (after a restart, or after a failed batch), then new ones with a blocking
 * read on its own connection; with `claimIdleMs` it also takes over the
 * entries of a consumer that stopped (XAUTOCLAIM). What an entry means and
 * when it is acknowledged is the handler's business.
 */
import { duplicateConnection, type Redis } from './client.js';
import type { Logger } from '../logger.js';

/** A stream entry as XREADGROUP returns it; fields are null for a pending entry trimmed meanwhile. */
export type StreamEntry = [id: string, fields: string[] | null];
type RawEntries = [string, StreamEntry[]][] | null;

/** XGROUP CREATE ... MKSTREAM from the start of the stream, ignoring "group exists". */
export async function ensureGroup(redis: Redis, key: string, group: string): Promise<void> {
  try {
    await redis.xgroup('CREATE', key, group, '0', 'MKSTREAM');
  } catch (err) {
    if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
  }
}

export interface StreamGroupReaderOptions {
  readonly redis: Redis;
  readonly streamKey: string;
  readonly group: string;
  readonly consumer: string;
  /** Shown in CLIENT LIST for the blocking connection. */
  readonly connectionName: string;
  readonly logger: Logger;
  /** Says what failed in the log line ("alerts dispatcher", …). */
  readonly what: string;
  /** Handles a batch in order, acknowledging what it finished; false means "retry my pending entries after a pause". */
  readonly handle: (entries: readonly StreamEntry[], reader: StreamGroupReader) => Promise<boolean>;
  /** Take over entries another consumer left pending this long (XAUTOCLAIM); off when absent. */
  readonly claimIdleMs?: number;
  /** @defaultValue 100 */
  readonly batch?: number;
  /** @defaultValue 1000 */
  readonly blockMs?: number;
  /** Pause after a failure. @defaultValue 500 */
  readonly retryMs?: number;
}

export class StreamGroupReader {
  readonly #o: StreamGroupReaderOptions;
  #blocking: Redis | undefined;
  #loop: Promise<void> | undefined;
  #stopped = false;
  #lastClaim = 0;

  constructor(options: StreamGroupReaderOptions) {
    this.#o = options;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  async start(): Promise<void> {
    if (this.#loop) return;
    this.#stopped = false;
    this.#blocking = duplicateConnection(this.#o.redis, this.#o.connectionName);
    await ensureGroup(this.#o.redis, this.#o.streamKey, this.#o.group);
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

  async ack(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.#o.redis.xack(this.#o.streamKey, this.#o.group, ...ids);
  }

  async #run(): Promise<void> {
    const { group, consumer, streamKey, logger } = this.#o;
    const retryMs = this.#o.retryMs ?? 500;
    let pending = true;
    while (!this.#stopped) {
      try {
        await this.#claimAbandoned();
        const args: (string | number)[] = ['GROUP', group, consumer, 'COUNT', this.#o.batch ?? 100];
        if (!pending) args.push('BLOCK', this.#o.blockMs ?? 1000);
        args.push('STREAMS', streamKey, pending ? '0' : '>');
        const raw = (await this.#blocking!.call('XREADGROUP', ...args)) as RawEntries;
        const entries = raw?.[0]?.[1] ?? [];
        if (pending && entries.length === 0) {
          pending = false;
          continue;
        }
        if (!(await this.#o.handle(entries, this))) {
          pending = true;
          await new Promise((r) => setTimeout(r, retryMs));
        }
      } catch (err) {
        if (this.#stopped) break;
        if (String((err as Error).message).includes('NOGROUP')) await ensureGroup(this.#o.redis, streamKey, group).catch(() => undefined);
        logger.warn({ err }, `${this.#o.what}: reading or handling failed; retrying`);
        pending = true;
        await new Promise((r) => setTimeout(r, retryMs));
      }
    }
  }

  async #claimAbandoned(): Promise<void> {
    const { claimIdleMs } = this.#o;
    if (claimIdleMs === undefined) return;
    const now = Date.now();
    if (now - this.#lastClaim < Math.max(100, claimIdleMs / 2)) return;
    this.#lastClaim = now;
    const result = (await this.#o.redis.xautoclaim(this.#o.streamKey, this.#o.group, this.#o.consumer, claimIdleMs, '0-0', 'COUNT', this.#o.batch ?? 100)) as [
      string,
      StreamEntry[],
      ...unknown[],
    ];
    const entries = (result[1] ?? []).filter((e) => Array.isArray(e) && e[1] !== null);
    if (entries.length > 0) {
      this.#o.logger.info({ count: entries.length }, `${this.#o.what}: claimed the entries of a stopped consumer`);
      await this.#o.handle(entries, this);
    }
  }
}
