/**
 * Live events: alert and task transitions as the alerts stage writes them
 * into its event log (a Redis stream), so the stream survives restarts and
 * every API process sees every transition. The SSE route that serves them is
 * api/routes/live-events.ts.
 */
import { duplicateConnection, type Redis } from './client.js';
import type { Logger } from 'pino';
import { parseEntry, type LoggedEvent } from './alerts/index.js';

type RawEntries = [string, [string, string[]][]][] | null;
type Listener = (entry: LoggedEvent) => void;

const REPLAY_PAGE = 500;
/** A reconnecting client gets at most this many missed events; older ones are in the alert and task history. */
const REPLAY_MAX = 10_000;
const STREAM_ID = /^\d+-\d+$/;

/** Compares two stream ids (`ms-seq`). */
export function compareStreamIds(a: string, b: string): number {
  const [am = 0n, as = 0n] = a.split('-').map(BigInt);
  const [bm = 0n, bs = 0n] = b.split('-').map(BigInt);
  return am === bm ? (as === bs ? 0 : as < bs ? -1 : 1) : am < bm ? -1 : 1;
}

/**
 * One blocking reader of the event log per process, fanning out to the
 * connected clients; replays from a given id for a reconnecting client.
 */
export class LiveEventHub {
  readonly #redis: Redis;
  readonly #streamKey: string;
  readonly #logger: Logger;
  readonly #listeners = new Set<Listener>();
  #blocking: Redis | undefined;
  #loop: Promise<void> | undefined;
  #stopped = false;
  #lastId = '0-0';

  constructor(deps: { redis: Redis; streamKey: string; logger: Logger }) {
    this.#redis = deps.redis;
    this.#streamKey = deps.streamKey;
    this.#logger = deps.logger;
  }

  async start(): Promise<void> {
    if (this.#loop) return;
    this.#stopped = false;
    this.#blocking = duplicateConnection(this.#redis, 'rw-live-events');
    const last = (await this.#redis.xrevrange(this.#streamKey, '+', '-', 'COUNT', 1))[0];
    this.#lastId = last?.[0] ?? '0-0';
    this.#loop = this.#run();
  }

  async close(): Promise<void> {
    this.#stopped = true;
    this.#blocking?.disconnect();
    await this.#loop;
    this.#loop = undefined;
    this.#blocking = undefined;
    this.#listeners.clear();
  }

  /**
   * Delivers events after `fromId` (replayed from the stream), then live
   * ones, each once and in order. Without `fromId`, live events only.
   */
  async subscribe(fromId: string | undefined, listener: Listener): Promise<() => void> {
    if (fromId === undefined || !STREAM_ID.test(fromId)) {
      this.#listeners.add(listener);
      return () => this.#listeners.delete(listener);
    }
    // Buffer live events while replaying, then hand over without gaps or repeats.
    const buffered: LoggedEvent[] = [];
    const buffer: Listener = (entry) => buffered.push(entry);
    this.#listeners.add(buffer);
    let delivered = fromId;
    try {
      let count = 0;
      for (;;) {
        const page = (await this.#redis.xrange(this.#streamKey, `(${delivered}`, '+', 'COUNT', REPLAY_PAGE)) as [
          string,
          string[],
        ][];
        for (const raw of page) {
          const entry = parseEntry(raw);
          delivered = raw[0];
          if (entry) listener(entry);
        }
        count += page.length;
        if (page.length < REPLAY_PAGE || count >= REPLAY_MAX) break;
      }
    } finally {
      this.#listeners.delete(buffer);
    }
    for (const entry of buffered) if (compareStreamIds(entry.id, delivered) > 0) listener(entry);
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      try {
        const raw = (await this.#blocking!.xread(
          'COUNT',
          500,
          'BLOCK',
          5000,
          'STREAMS',
          this.#streamKey,
          this.#lastId,
        )) as RawEntries;
        for (const item of raw?.[0]?.[1] ?? []) {
          this.#lastId = item[0];
          const entry = parseEntry(item);
          if (!entry) continue;
          for (const listener of [...this.#listeners]) {
            try {
              listener(entry);
            } catch (err) {
              this.#logger.warn({ err }, 'live event listener failed');
            }
          }
        }
      } catch (err) {
        if (this.#stopped) break;
        this.#logger.warn({ err }, 'live events read failed; retrying');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }
}
