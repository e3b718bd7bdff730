/**
 * Store writer: reads the readings log through the `store` group in batches,
 * writes them to InfluxDB and acknowledges only after InfluxDB answered
 * success. Up to `writesInFlight` batches are written at once (issue 14: one
 * write at a time left the pipeline idle while InfluxDB synced its WAL or
 * created series); each batch is acknowledged on its own, so the order in
 * which writes finish does not matter. While InfluxDB is down the batches in
 * flight are retried with backoff and nothing new is read, so memory stays
 * bounded and the log holds the backlog.
 */
import { EventEmitter } from 'node:events';
import type { Registry } from '../../domain/index.js';
import type { Logger } from '../logger.js';
import type { InfluxStore } from './client.js';
import type { storeMetrics } from '../metrics.js';
import type { LogConsumer, LogEntry } from '../redis/readings/stream-consumer.js';
import { readingToLine } from './line-protocol.js';

export interface StoreWriterOptions {
  /** Readings per InfluxDB write. @defaultValue 5000 */
  readonly batchSize?: number;
  /**
   * After the first entries arrive, keep reading this long to fill the batch:
   * each InfluxDB write has a fixed cost (1.x syncs its WAL per request), so
   * a few large writes beat many small ones. @defaultValue 250
   */
  readonly lingerMs?: number;
  /** Batches being written (and retried) at once. @defaultValue 4 */
  readonly writesInFlight?: number;
  /** First retry delay after a failed write; doubles up to maxRetryDelayMs. @defaultValue 250 */
  readonly retryDelayMs?: number;
  /** @defaultValue 5000 */
  readonly maxRetryDelayMs?: number;
}

export class StoreWriter extends EventEmitter<{ error: [Error]; written: [number] }> {
  readonly #consumer: LogConsumer;
  readonly #influx: InfluxStore;
  readonly #registry: Registry;
  readonly #logger: Logger;
  readonly #metrics: ReturnType<typeof storeMetrics> | undefined;
  readonly #options: Required<StoreWriterOptions>;
  #running: Promise<void> | undefined;
  #closing = false;
  readonly #wakes = new Set<() => void>();
  readonly #writes = new Set<Promise<void>>();

  constructor(deps: { consumer: LogConsumer; influx: InfluxStore; registry: Registry; logger: Logger; metrics?: ReturnType<typeof storeMetrics>; options?: StoreWriterOptions }) {
    super();
    this.#consumer = deps.consumer;
    this.#influx = deps.influx;
    this.#registry = deps.registry;
    this.#logger = deps.logger;
    this.#metrics = deps.metrics;
    this.#options = { batchSize: 5000, lingerMs: 250, writesInFlight: 4, retryDelayMs: 250, maxRetryDelayMs: 5000, ...deps.options };
  }

  async start(): Promise<void> {
    await this.#consumer.start();
    this.#running = this.#loop().catch((err: unknown) => {
      this.emit('error', err instanceof Error ? err : new Error(String(err)));
    });
  }

  async #loop(): Promise<void> {
    try {
      while (!this.#closing) {
        if (this.#writes.size >= Math.max(1, this.#options.writesInFlight)) {
          await Promise.race(this.#writes);
          continue;
        }
        let entries: LogEntry[];
        try {
          entries = await this.#collect();
        } catch (err) {
          if (this.#closing) return;
          this.#logger.warn({ err }, 'reading the readings log failed; retrying');
          await this.#sleep(this.#options.retryDelayMs * 4);
          continue;
        }
        if (entries.length === 0) continue;
        const write = this.#write(entries).finally(() => this.#writes.delete(write));
        this.#writes.add(write);
      }
    } finally {
      // Closing: the writes in flight end (written and acknowledged, or left pending for after a restart).
      await Promise.all(this.#writes);
    }
  }

  /** Writes one batch until InfluxDB accepts it, then acknowledges its entries. */
  async #write(entries: LogEntry[]): Promise<void> {
    const lines: string[] = [];
    for (const entry of entries) {
      for (const reading of entry.readings) lines.push(readingToLine(reading, this.#registry.section(reading.sectionId)?.riverId ?? 'unknown'));
    }
    const written = await this.#writeUntilDone(lines);
    if (!written) return; // closing: the entries stay pending and are written after restart
    await this.#ackUntilDone(entries);
    this.#metrics?.written.inc(lines.length);
    this.emit('written', lines.length);
  }

  /** Reads until a batch is full or the linger time after the first entry has passed. */
  async #collect(): Promise<LogEntry[]> {
    const entries = await this.#consumer.next();
    if (entries.length === 0) return entries;
    let readings = entries.reduce((n, e) => n + e.readings.length, 0);
    const until = Date.now() + this.#options.lingerMs;
    while (readings < this.#options.batchSize && !this.#closing) {
      const left = until - Date.now();
      if (left <= 0) break;
      const more = await this.#consumer.next(Math.max(1, Math.min(left, 100)));
      entries.push(...more);
      readings += more.reduce((n, e) => n + e.readings.length, 0);
    }
    return entries;
  }

  async #writeUntilDone(lines: string[]): Promise<boolean> {
    let delay = this.#options.retryDelayMs;
    let attempt = 0;
    while (!this.#closing) {
      const stop = this.#metrics?.writeSeconds.startTimer();
      try {
        await this.#influx.writeLines(lines);
        stop?.();
        if (attempt > 0) this.#logger.info({ attempts: attempt + 1, points: lines.length }, 'InfluxDB write succeeded after retries');
        return true;
      } catch (err) {
        attempt++;
        this.#metrics?.failures.inc();
        // Log the first failure and then every tenth, so an outage does not flood the log.
        if (attempt === 1 || attempt % 10 === 0) this.#logger.warn({ err, attempt, points: lines.length }, 'InfluxDB write failed; keeping the batch in the log and retrying');
        await this.#sleep(delay);
        delay = Math.min(delay * 2, this.#options.maxRetryDelayMs);
      }
    }
    return false;
  }

  async #ackUntilDone(entries: LogEntry[]): Promise<void> {
    for (;;) {
      try {
        await this.#consumer.ack(entries);
        return;
      } catch (err) {
        // Not acknowledging only means a rewrite of the same points later, which is harmless.
        if (this.#closing) return;
        this.#logger.warn({ err }, 'acknowledging written readings failed; retrying');
        await this.#sleep(this.#options.retryDelayMs);
      }
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#wakes.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#wakes.add(wake);
    });
  }

  async close(): Promise<void> {
    if (this.#closing) return this.#running;
    this.#closing = true;
    for (const wake of [...this.#wakes]) wake();
    await this.#running;
  }
}
