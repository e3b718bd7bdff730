/**
 * The readings log: Redis streams between ingress and its consumers
 * (DESIGN.md "Shape"). Ingress appends; the store writer and analytics read
 * through their own consumer groups and acknowledge after their work; an
 * entry is trimmed once every group acknowledged it. Split into partitions by
 * section so each analytics process can own whole sections.
 *
 * Entry format: field `b` = JSON array of readings (domain/reading.ts), in
 * the order they were accepted. High-water and trimming count entries.
 */
import type { Reading, ReadingsLog } from '../../../domain/index.js';
import type { ChainableCommander } from 'ioredis';
import { isCluster, type Redis } from '../client.js';
import { writeReplicated, type ReplicationPolicy } from '../replicated-write.js';
import type { Logger } from '../../logger.js';
import type { ingestMetrics } from '../../metrics.js';
import { RedisKeys } from '../keys.js';
import { ensureGroup } from '../stream-group.js';

/** Most readings in one log entry (a backlog batch of 1,000 is one entry). */
export const MAX_ENTRY_READINGS = 1000;

/** Stream key of a partition (off the hot path; the log and its consumers keep a key book of their own). */
export function partitionKey(prefix: string, partition: number): string {
  return new RedisKeys(prefix).readingsPartition(partition);
}

/** Partition of a section: a stable string hash (FNV-1a) modulo the partition count. */
export function partitionOf(sectionId: string, partitions: number): number {
  if (partitions <= 1) return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < sectionId.length; i++) {
    hash ^= sectionId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % partitions;
}

export interface LogOptions {
  readonly prefix: string;
  readonly partitions: number;
  /** Every consumer group that must acknowledge an entry before it is trimmed. */
  readonly groups: readonly string[];
  readonly highWater: number;
  /** Answer an append only once this many replicas hold it (WAIT); none or 0 = once the master has it. */
  readonly replication?: ReplicationPolicy;
}

/** Appends readings and keeps the log trimmed and its back-pressure flag current. */
export class RedisReadingsLog implements ReadingsLog {
  readonly #redis: Redis;
  readonly #options: LogOptions;
  readonly #keys: RedisKeys;
  readonly #logger: Logger;
  readonly #metrics: ReturnType<typeof ingestMetrics> | undefined;
  #over = false;
  #queue: { readings: readonly Reading[]; resolve: () => void; reject: (err: unknown) => void }[] = [];
  #flushing = false;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #refreshing: Promise<void> | undefined;

  constructor(deps: { redis: Redis; options: LogOptions; logger: Logger; metrics?: ReturnType<typeof ingestMetrics> }) {
    this.#redis = deps.redis;
    this.#options = deps.options;
    this.#keys = new RedisKeys(deps.options.prefix);
    this.#logger = deps.logger;
    this.#metrics = deps.metrics;
  }

  /** Creates the streams and every consumer group (idempotent), then keeps the log trimmed. */
  async start(maintenanceIntervalMs = 1000): Promise<void> {
    for (let p = 0; p < this.#options.partitions; p++) {
      for (const group of this.#options.groups) await ensureGroup(this.#redis, this.#keys.readingsPartition(p), group);
    }
    await this.refresh();
    this.#timer = setInterval(() => {
      this.refresh().catch((err: unknown) => this.#logger.warn({ err }, 'readings log maintenance failed; retrying'));
    }, maintenanceIntervalMs);
    this.#timer.unref();
  }

  /**
   * Appends readings; resolves once they are in Redis. Appends made while a
   * write is in flight are coalesced into the next write: one pipeline with
   * one entry per partition, so many small MQTT messages cost few round
   * trips and few socket writes (profile in the issue 3 note).
   */
  append(readings: readonly Reading[]): Promise<void> {
    if (readings.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ readings, resolve, reject });
      if (!this.#flushing) this.#scheduleFlush();
    });
  }

  #scheduleFlush(): void {
    this.#flushing = true;
    // setImmediate lets the appends of this turn of the event loop join the write.
    setImmediate(() => void this.#flush());
  }

  async #flush(): Promise<void> {
    const batch = this.#queue.splice(0, this.#queue.length);
    const { partitions, replication } = this.#options;
    const byPartition = new Map<number, Reading[]>();
    for (const item of batch) {
      for (const reading of item.readings) {
        const p = partitionOf(reading.sectionId, partitions);
        const list = byPartition.get(p);
        if (list) list.push(reading);
        else byPartition.set(p, [reading]);
      }
    }
    const started = performance.now();
    try {
      // On a Redis Cluster a pipeline must stay in one slot: one pipeline per partition, sent together.
      const groups = isCluster(this.#redis) ? [...byPartition].map((e) => [e]) : [[...byPartition]];
      await Promise.all(
        groups.map(async (group) => {
          const append = (pipeline: ChainableCommander): void => {
            for (const [p, list] of group) {
              // An entry holds at most MAX_ENTRY_READINGS readings so consumers read in bounded steps.
              for (let i = 0; i < list.length; i += MAX_ENTRY_READINGS) {
                pipeline.xadd(this.#keys.readingsPartition(p), '*', 'b', JSON.stringify(list.slice(i, i + MAX_ENTRY_READINGS)));
              }
            }
          };
          // Acknowledged means replicated (issue 16): with replicas asked for, the same pipeline ends in WAIT
          // and a shortfall refuses the whole write (RW_NOT_REPLICATED); the sender resends, and a repeat is harmless.
          if (replication && replication.replicas > 0) {
            await writeReplicated(this.#redis, replication, append);
            return;
          }
          const pipeline = this.#redis.pipeline();
          append(pipeline);
          const results = await pipeline.exec();
          const failed = results?.find(([err]) => err);
          if (!results || failed) throw failed?.[0] ?? new Error('readings log append returned no result');
        }),
      );
      this.#metrics?.appendSeconds.observe((performance.now() - started) / 1000);
      for (const item of batch) item.resolve();
    } catch (err) {
      for (const item of batch) item.reject(err);
    } finally {
      if (this.#queue.length > 0) this.#scheduleFlush();
      else this.#flushing = false;
    }
  }

  async isOverHighWater(): Promise<boolean> {
    return this.#over;
  }

  /** The cached back-pressure flag, without a round trip (hot path). */
  get overHighWater(): boolean {
    return this.#over;
  }

  /** Trims what every group acknowledged and recomputes the back-pressure flag. */
  refresh(): Promise<void> {
    this.#refreshing ??= this.#refresh().finally(() => (this.#refreshing = undefined));
    return this.#refreshing;
  }

  async #refresh(): Promise<void> {
    let total = 0;
    for (let p = 0; p < this.#options.partitions; p++) {
      const key = this.#keys.readingsPartition(p);
      const length = await trimAcknowledged(this.#redis, key, this.#options.groups, this.#metrics, p);
      this.#metrics?.logLength.set({ partition: String(p) }, length);
      total += length;
    }
    const over = total >= this.#options.highWater;
    if (over !== this.#over) {
      this.#logger[over ? 'warn' : 'info']({ entries: total, highWater: this.#options.highWater }, over ? 'readings log over high-water mark: pushing back' : 'readings log below high-water mark: accepting again');
    }
    this.#over = over;
    this.#metrics?.backpressure.set(over ? 1 : 0);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#refreshing?.catch(() => undefined);
  }
}

/** Next stream id after `id` (ids are `ms-seq`). */
function successor(id: string): string {
  const [ms, seq] = id.split('-');
  return `${ms}-${Number(seq ?? 0) + 1}`;
}

function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number) as [number, number];
  const [bm, bs] = b.split('-').map(Number) as [number, number];
  return am !== bm ? am - bm : as - bs;
}

/**
 * Removes the entries every group has acknowledged: below the oldest pending
 * entry of any group, and never past what a group has not yet been delivered.
 * Returns the stream length afterwards.
 */
async function trimAcknowledged(
  redis: Redis,
  key: string,
  groups: readonly string[],
  metrics: ReturnType<typeof ingestMetrics> | undefined,
  partition: number,
): Promise<number> {
  const info = (await redis.xinfo('GROUPS', key).catch(() => [])) as unknown[][];
  const byName = new Map<string, Record<string, unknown>>();
  for (const row of info) {
    const record: Record<string, unknown> = {};
    for (let i = 0; i + 1 < row.length; i += 2) record[String(row[i])] = row[i + 1];
    byName.set(String(record.name), record);
  }
  let threshold: string | undefined;
  for (const group of groups) {
    const record = byName.get(group);
    if (!record) return Number(await redis.xlen(key)); // a group is missing: trim nothing
    const lastDelivered = String(record['last-delivered-id'] ?? '0-0');
    const pending = Number(record.pending ?? 0);
    let bound = successor(lastDelivered);
    if (pending > 0) {
      const summary = (await redis.xpending(key, group)) as [number, string | null, string | null, unknown];
      if (summary[1]) bound = summary[1];
    }
    const lag = record.lag === null || record.lag === undefined ? 0 : Number(record.lag);
    metrics?.consumerLag.set({ group, partition: String(partition) }, lag + pending);
    if (threshold === undefined || compareIds(bound, threshold) < 0) threshold = bound;
  }
  if (threshold !== undefined && threshold !== '0-1') await redis.xtrim(key, 'MINID', threshold);
  return Number(await redis.xlen(key));
}
