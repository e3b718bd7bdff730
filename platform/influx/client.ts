/**
 * InfluxDB adapter: writes line protocol with one HTTP request per batch of
 * at most `batchSize` lines, in v2 mode (/api/v2/write) or v1 mode (/write,
 * for 1.x such as Debian's 1.6), and reads with InfluxQL over /query, which
 * 1.x, 2.x and 3.x all answer (DESIGN.md "InfluxDB").
 *
 * Why not `@influxdata/influxdb-client`'s write API any more (issue 14): given
 * more lines than its batch size, it sends the first chunks in the background
 * and swallows their errors (WriteBuffer.add: `this.flush().catch(() => {})`),
 * while `flush()` awaits only the last chunk. The store writer then
 * acknowledged readings whose write had failed or was still in flight: a path
 * for acknowledged readings to be trimmed from the log without reaching
 * InfluxDB (test/integration/ingest/influx-write.test.ts). Here every request
 * is awaited and any non-2xx answer rejects. It also drops the client's
 * per-line work (UTF-8 length of every line, a copy per chunk).
 */
import { promisify } from 'node:util';
import { constants, gzip } from 'node:zlib';
import type { Logger } from '../logger.js';

const gzipAsync = promisify(gzip);

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
  /** Lines per request; larger writes are sent as several requests, one after the other. @defaultValue 5000 */
  readonly batchSize?: number;
  /** Compress bodies above this many bytes (gzip level 1: line protocol compresses ~8x at little CPU). @defaultValue 1000 */
  readonly gzipThreshold?: number;
}

export interface InfluxSeries {
  readonly name: string;
  readonly tags?: Record<string, string>;
  readonly columns: string[];
  readonly values: unknown[][];
}

export class InfluxStore {
  readonly #options: InfluxOptions;
  readonly #writeUrl: string;
  readonly #headers: Record<string, string>;

  constructor(options: InfluxOptions, _logger?: Logger) {
    this.#options = options;
    const base = options.url.replace(/\/$/, '');
    if (options.api === 'v1') {
      const params = new URLSearchParams({ db: options.database, precision: 'ms' });
      if (options.retentionPolicy) params.set('rp', options.retentionPolicy);
      if (options.username) params.set('u', options.username);
      if (options.password) params.set('p', options.password);
      this.#writeUrl = `${base}/write?${params.toString()}`;
      this.#headers = { 'content-type': 'text/plain; charset=utf-8' };
    } else {
      const params = new URLSearchParams({ org: options.org ?? '', bucket: options.bucket || options.database, precision: 'ms' });
      this.#writeUrl = `${base}/api/v2/write?${params.toString()}`;
      this.#headers = { 'content-type': 'text/plain; charset=utf-8', ...(options.token ? { authorization: `Token ${options.token}` } : {}) };
    }
  }

  /** Writes lines; resolves only when InfluxDB answered success for every one of them. */
  async writeLines(lines: readonly string[]): Promise<void> {
    const size = Math.max(1, this.#options.batchSize ?? 5000);
    for (let i = 0; i < lines.length; i += size) await this.#post(i === 0 && lines.length <= size ? lines : lines.slice(i, i + size));
  }

  async #post(lines: readonly string[]): Promise<void> {
    const text = lines.join('\n');
    const compress = text.length > (this.#options.gzipThreshold ?? 1000);
    const body = compress ? await gzipAsync(text, { level: constants.Z_BEST_SPEED }) : text;
    const response = await fetch(this.#writeUrl, {
      method: 'POST',
      headers: compress ? { ...this.#headers, 'content-encoding': 'gzip' } : this.#headers,
      body,
      signal: AbortSignal.timeout(this.#options.timeoutMs ?? 10_000),
    });
    const answer = await response.text();
    if (!response.ok) throw new Error(`InfluxDB write failed with HTTP ${response.status}: ${answer.slice(0, 300)}`);
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
    // Nothing buffered: every write is awaited by its caller.
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
