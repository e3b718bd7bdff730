/**
 * Reads the event log through a consumer group and performs what each
 * transition asks for (notifications, tasks, sampling flows, timers); an
 * entry is acknowledged only after its handler succeeded, so a crash
 * redelivers it (to this consumer, or to another one through XAUTOCLAIM)
 * and the idempotent handlers make the repeat harmless.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Redis } from '../client.js';
import type { Logger } from 'pino';
import { StreamGroupReader, type StreamEntry } from '../stream-group.js';
import { parseEntry, type LoggedEvent } from './event-log.js';

export const DISPATCH_GROUP = 'alerts-dispatch';
const BATCH = 100;
/** After this many failed attempts an entry is logged and skipped, so one poison entry cannot stop the flow. */
const MAX_FAILURES = 20;

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
  readonly #reader: StreamGroupReader;
  readonly #failures = new Map<string, number>();

  constructor(deps: DispatcherDeps) {
    this.#deps = deps;
    this.consumer = deps.consumer ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.#reader = new StreamGroupReader({
      redis: deps.redis,
      streamKey: deps.streamKey,
      group: DISPATCH_GROUP,
      consumer: this.consumer,
      connectionName: `rw-alerts-dispatch-${this.consumer}`,
      logger: deps.logger,
      what: 'alerts dispatcher',
      claimIdleMs: deps.claimIdleMs,
      batch: BATCH,
      handle: (entries, reader) => this.#handleAll(entries, reader),
    });
  }

  start(): Promise<void> {
    return this.#reader.start();
  }

  close(): Promise<void> {
    return this.#reader.close();
  }

  /** Handles entries in order; stops at the first failure (returns false) so order is kept. */
  async #handleAll(entries: readonly StreamEntry[], reader: StreamGroupReader): Promise<boolean> {
    const { logger } = this.#deps;
    for (const [id, fields] of entries) {
      if (reader.stopped) return true;
      const parsed = fields ? parseEntry([id, fields]) : undefined;
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
      await reader.ack([id]);
    }
    return true;
  }
}
