/**
 * InfluxDB adapter: writes through `@influxdata/influxdb-client` (line
 * protocol, gzip) in v2 mode (/api/v2/write) or v1 mode (/write, for 1.x such
 * as Debian's 1.6, by pointing the client's write path there), and reads with
 * InfluxQL over /query, which 1.x, 2.x and 3.x all answer (DESIGN.md "InfluxDB").
 */
import { InfluxDB, type WriteApi, setLogger } from '@influxdata/influxdb-client';
import type { Logger } from './logger.js';

export interface InfluxOptions {
  readonly url: string;
  readonly api: 'v1' | 'v2';
  readonly database: string;
  readonly retentionPolicy?: string;
  readonly username?: string;
  readonly password?: string;
  readonly org?: string;
  readonly bucket?: string;
  readonly token?: string;
  readonly timeoutMs?: number;
  /** Lines per request; batches above this are split by the client. @defaultValue 5000 */
  readonly batchSize?: number;
  /** Compress bodies above this many bytes. @defaultValue 1000 */
  readonly gzipThreshold?: number;
}

export interface InfluxSeries {
  readonly name: string;
  readonly tags?: Record<string, string>;
  readonly columns: string[];
  readonly values: unknown[][];
}

let loggerRouted = false;

export class InfluxStore {
  readonly #options: InfluxOptions;
  readonly #client: InfluxDB;
  readonly #writeApi: WriteApi;

  constructor(options: InfluxOptions, logger?: Logger) {
    this.#options = options;
    if (logger && !loggerRouted) {
      loggerRouted = true;
      const log = logger.child({ component: 'influxdb-client' });
      setLogger({ error: (message, err) => log.debug({ err }, message), warn: (message, err) => log.debug({ err }, message) });
    }
    const token = options.api === 'v2' ? options.token ?? '' : undefined;
    this.#client = new InfluxDB({ url: options.url, ...(token === undefined ? {} : { token }), timeout: options.timeoutMs ?? 10_000 });
    const bucket = options.api === 'v2' ? options.bucket || options.database : options.database;
    const batchSize = options.batchSize ?? 5000;
    this.#writeApi = this.#client.getWriteApi(options.org ?? '', bucket, 'ms', {
      // RiverWatch retries from the readings log and acknowledges only after success, so the
      // client must neither retry nor buffer behind our back, nor flush on its own schedule.
      maxRetries: 0,
      flushInterval: 0,
      batchSize: batchSize + 1,
      maxBufferLines: batchSize * 4,
      gzipThreshold: options.gzipThreshold ?? 1000,
    });
    if (options.api === 'v1') {
      const params = new URLSearchParams({ db: options.database, precision: 'ms' });
      if (options.retentionPolicy) params.set('rp', options.retentionPolicy);
      if (options.username) params.set('u', options.username);
      if (options.password) params.set('p', options.password);
      // 1.x has no /api/v2/write; the client's write path is a plain property (platforms.md).
      (this.#writeApi as unknown as { path: string }).path = `/write?${params.toString()}`;
    }
  }

  /** Writes lines; resolves only when InfluxDB answered success. */
  async writeLines(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    this.#writeApi.writeRecords(lines as string[]);
    await this.#writeApi.flush();
  }

  /** Runs InfluxQL; returns the series of the first statement. */
  async query(influxql: string): Promise<InfluxSeries[]> {
    const results = await this.queryAll(influxql);
    return results[0] ?? [];
  }

  /** Runs InfluxQL (possibly several `;`-separated statements); returns the series of each. */
  async queryAll(influxql: string): Promise<InfluxSeries[][]> {
    const params = new URLSearchParams({ q: influxql, epoch: 'ms', db: this.#options.database });
    if (this.#options.retentionPolicy) params.set('rp', this.#options.retentionPolicy);
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (this.#options.api === 'v1') {
      if (this.#options.username) params.set('u', this.#options.username);
      if (this.#options.password) params.set('p', this.#options.password);
    } else if (this.#options.token) {
      headers.authorization = `Token ${this.#options.token}`;
    }
    const response = await fetch(`${this.#options.url.replace(/\/$/, '')}/query`, {
      method: 'POST',
      headers,
      body: params.toString(),
      signal: AbortSignal.timeout(this.#options.timeoutMs ?? 10_000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`InfluxDB query failed with HTTP ${response.status}: ${text.slice(0, 300)}`);
    const body = JSON.parse(text) as { results?: { series?: InfluxSeries[]; error?: string }[]; error?: string };
    if (body.error) throw new Error(`InfluxDB query failed: ${body.error}`);
    return (body.results ?? []).map((r) => {
      if (r.error) throw new Error(`InfluxDB query failed: ${r.error}`);
      return r.series ?? [];
    });
  }

  /** v1: creates the database if missing (idempotent). v2: the bucket must exist. */
  async ensureDatabase(): Promise<void> {
    if (this.#options.api !== 'v1') return;
    await this.query(`CREATE DATABASE "${this.#options.database.replace(/"/g, '')}"`);
  }

  async ping(): Promise<boolean> {
    try {
      const response = await fetch(`${this.#options.url.replace(/\/$/, '')}/ping`, { signal: AbortSignal.timeout(2000) });
      return response.status === 204 || response.ok;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.#writeApi.close().catch(() => undefined);
  }
}

/** Quotes an InfluxQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Quotes an InfluxQL string literal. */
export function quoteString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
