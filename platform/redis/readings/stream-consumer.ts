/**
 * Reads the readings log through one consumer group: first this consumer's
 * own pending entries (work it took before a crash), then new entries; entries
 * left pending by a consumer that died are claimed after `claimIdleMs`.
 * The caller acknowledges after its work is done (at-least-once).
 */
import type { LogEntry, Reading, ReadingsLogReader } from '../../../domain/index.js';
import { isCluster, type Redis } from '../client.js';
import type { Logger } from '../../logger.js';
import { ensureGroup } from '../stream-group.js';
import { RedisKeys } from '../keys.js';

/** How long an empty round of reads waits on a Redis Cluster (no BLOCK there). */
const CLUSTER_POLL_MS = 50;

export type { LogEntry };

export interface LogConsumerOptions {
  readonly prefix: string;
  readonly partitions: readonly number[];
  readonly group: string;
  /** Stable per process role instance, so a restarted process finds its own pending entries. */
  readonly consumer: string;
  /** Entries per read. @defaultValue 500 */
  readonly batchSize?: number;
  /** @defaultValue 1000 */
  readonly blockMs?: number;
  /** Pending entries of other consumers idle this long are taken over. @defaultValue 60000 */
  readonly claimIdleMs?: number;
}

type StreamReply = [key: string, entries: [id: string, fields: string[]][]][] | null;

export class LogConsumer implements ReadingsLogReader {
  readonly #redis: Redis;
  readonly #options: Required<LogConsumerOptions>;
  readonly #keys: RedisKeys;
  readonly #logger: Logger;
  #pendingDone = new Set<number>();
  /** Per partition, the id after which to read this consumer's own pending entries next. */
  #pendingCursor = new Map<number, string>();
  #lastClaimAt = 0;

  /** `redis` must be a connection of its own: XREADGROUP BLOCK holds it. */
  constructor(deps: { redis: Redis; options: LogConsumerOptions; logger: Logger }) {
    this.#redis = deps.redis;
    this.#options = { batchSize: 500, blockMs: 1000, claimIdleMs: 60_000, ...deps.options };
    this.#keys = new RedisKeys(this.#options.prefix);
    this.#logger = deps.logger;
  }

  async start(): Promise<void> {
    for (const p of this.#options.partitions)
      await ensureGroup(this.#redis, this.#keys.readingsPartition(p), this.#options.group);
    this.#pendingDone.clear();
    this.#pendingCursor.clear();
  }

  /** Next batch: own pending entries first, then claimed, then new ones (blocking up to blockMs). */
  async next(blockMs = this.#options.blockMs): Promise<LogEntry[]> {
    if (isCluster(this.#redis)) return this.#nextOnCluster(blockMs);
    const { partitions, group, consumer, batchSize } = this.#options;
    const pendingParts = partitions.filter((p) => !this.#pendingDone.has(p));
    if (pendingParts.length > 0) {
      // Page through the pending entries once, with a cursor: reading from 0 on every call would hand
      // the same entries out again until they are acknowledged (a spin found by the fault drill).
      const reply = (await this.#redis.xreadgroup(
        'GROUP',
        group,
        consumer,
        'COUNT',
        batchSize,
        'STREAMS',
        ...pendingParts.map((p) => this.#keys.readingsPartition(p)),
        ...pendingParts.map((p) => this.#pendingCursor.get(p) ?? '0'),
      )) as StreamReply;
      const entries = this.#parse(reply);
      for (const [key, list] of reply ?? []) {
        const p = this.#keys.partitionOf(key);
        const last = list[list.length - 1];
        if (last) this.#pendingCursor.set(p, last[0]);
      }
      for (const p of pendingParts)
        if (!(reply ?? []).some(([key, list]) => key === this.#keys.readingsPartition(p) && list.length > 0)) this.#pendingDone.add(p);
      if (entries.length > 0) return entries;
    }
    if (Date.now() - this.#lastClaimAt > this.#options.claimIdleMs / 2) {
      this.#lastClaimAt = Date.now();
      const claimed = await this.#claim();
      if (claimed.length > 0) return claimed;
    }
    const keys = partitions.map((p) => this.#keys.readingsPartition(p));
    const ids = partitions.map(() => '>');
    const reply = (
      blockMs > 0
        ? await this.#redis.xreadgroup('GROUP', group, consumer, 'COUNT', batchSize, 'BLOCK', blockMs, 'STREAMS', ...keys, ...ids)
        : await this.#redis.xreadgroup('GROUP', group, consumer, 'COUNT', batchSize, 'STREAMS', ...keys, ...ids)
    ) as StreamReply;
    return this.#parse(reply);
  }

  /**
   * On a Redis Cluster, XREADGROUP may name streams of one slot only: each
   * partition is read by itself (own pending entries first, then new ones),
   * all at once and without BLOCK, which would hold the node's connection;
   * an empty round waits a little instead.
   */
  async #nextOnCluster(blockMs: number): Promise<LogEntry[]> {
    const { partitions, group, consumer, batchSize } = this.#options;
    const read = async (p: number): Promise<LogEntry[]> => {
      const key = this.#keys.readingsPartition(p);
      const pending = !this.#pendingDone.has(p);
      const cursor = pending ? (this.#pendingCursor.get(p) ?? '0') : '>';
      const reply = (await this.#redis.xreadgroup('GROUP', group, consumer, 'COUNT', batchSize, 'STREAMS', key, cursor)) as StreamReply;
      const list = reply?.[0]?.[1] ?? [];
      if (pending) {
        const last = list[list.length - 1];
        if (last) this.#pendingCursor.set(p, last[0]);
        else this.#pendingDone.add(p);
      }
      return this.#parse(reply);
    };
    if (Date.now() - this.#lastClaimAt > this.#options.claimIdleMs / 2) {
      this.#lastClaimAt = Date.now();
      const claimed = await this.#claim();
      if (claimed.length > 0) return claimed;
    }
    const entries = (await Promise.all(partitions.map(read))).flat();
    if (entries.length === 0 && blockMs > 0) await new Promise((r) => setTimeout(r, Math.min(blockMs, CLUSTER_POLL_MS)));
    return entries;
  }

  async ack(entries: readonly LogEntry[]): Promise<void> {
    const byPartition = new Map<number, string[]>();
    for (const e of entries) {
      const ids = byPartition.get(e.partition) ?? [];
      ids.push(e.id);
      byPartition.set(e.partition, ids);
    }
    if (isCluster(this.#redis)) {
      // One slot per partition: one XACK each, sent together.
      await Promise.all([...byPartition].map(([p, ids]) => this.#redis.xack(this.#keys.readingsPartition(p), this.#options.group, ...ids)));
      return;
    }
    const pipeline = this.#redis.pipeline();
    for (const [p, ids] of byPartition) pipeline.xack(this.#keys.readingsPartition(p), this.#options.group, ...ids);
    const results = await pipeline.exec();
    const failed = results?.find(([err]) => err);
    if (failed) throw failed[0];
  }

  async #claim(): Promise<LogEntry[]> {
    const out: LogEntry[] = [];
    for (const p of this.#options.partitions) {
      const key = this.#keys.readingsPartition(p);
      const reply = (await this.#redis.xautoclaim(
        key,
        this.#options.group,
        this.#options.consumer,
        this.#options.claimIdleMs,
        '0-0',
        'COUNT',
        this.#options.batchSize,
      )) as [string, [string, string[]][]];
      const entries = reply[1] ?? [];
      if (entries.length > 0)
        this.#logger.info({ partition: p, entries: entries.length }, 'claimed entries left pending by a stopped consumer');
      out.push(...this.#parse([[key, entries]]));
    }
    return out;
  }

  #parse(reply: StreamReply): LogEntry[] {
    const out: LogEntry[] = [];
    if (!reply) return out;
    for (const [key, entries] of reply) {
      const partition = this.#keys.partitionOf(key);
      for (const [id, fields] of entries) {
        // A claimed entry may have been trimmed meanwhile (fields null): nothing left to do for it.
        if (!fields) continue;
        const index = fields.indexOf('b');
        const text = index >= 0 ? fields[index + 1] : undefined;
        try {
          const readings = JSON.parse(text ?? '') as Reading[];
          if (!Array.isArray(readings)) throw new Error('entry is not an array of readings');
          out.push({ id, partition, readings });
        } catch (err) {
          // Only RiverWatch writes the log; an unreadable entry is a bug, not gateway input.
          this.#logger.error({ err, id, partition }, 'unreadable readings-log entry skipped');
        }
      }
    }
    return out;
  }
}
