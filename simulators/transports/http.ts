/**
 * HTTP transport: `POST {baseUrl}/api/v1/readings` with the station's
 * bearer token and the same JSON as MQTT; 202 means durable. Under
 * back-pressure the server answers 503 with Retry-After: the transport waits
 * that long and retries, without limit, until closed. Network errors and
 * other 5xx are retried with exponential back-off a bounded number of times;
 * other 4xx are the server refusing the readings and are not retried.
 * HTTP has no command channel: stations on HTTP receive commands only when
 * an MQTT command channel is added (cli: --mqtt-url with --transport http).
 */
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { StationMessage } from '../model/station-stream.js';
import { encodeMessage } from './payload.js';
import type { CommandHandler, SendResult, SimTransport, TransportStation } from './transport.js';

export interface HttpTransportOptions {
  /** Server base URL, e.g. `http://localhost:8080`. */
  readonly baseUrl: string;
  readonly stations: readonly TransportStation[];
  readonly logger: Logger;
  /** Attempts after a network error or a 5xx other than 503. @defaultValue 5 */
  readonly maxRetries?: number;
  /** Longest wait honoured from a Retry-After header. @defaultValue 60000 */
  readonly maxRetryAfterMs?: number;
  /** @defaultValue 10000 */
  readonly requestTimeoutMs?: number;
  /** Injected for tests. @defaultValue globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** Retry-After as delay-seconds or an HTTP date (RFC 9110 §10.2.3), in ms from `nowMs`. */
export function parseRetryAfterMs(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

export class HttpTransport implements SimTransport {
  readonly name = 'http';
  readonly #options: HttpTransportOptions;
  readonly #log: Logger;
  readonly #tokens = new Map<string, string | undefined>();
  readonly #fetch: typeof fetch;
  readonly #closed = new AbortController();
  readonly #counters = { backpressureWaits: 0, retries: 0, refused: 0 };

  constructor(options: HttpTransportOptions) {
    // Every pending connect / request / wait listens for close: more than the default 10 at once is normal.
    setMaxListeners(0, this.#closed.signal);
    this.#options = options;
    this.#log = options.logger.child({ component: 'sim-http' });
    this.#fetch = options.fetch ?? globalThis.fetch;
    for (const s of options.stations) this.#tokens.set(s.id, s.token);
  }

  async start(): Promise<void> {}

  async send(message: StationMessage): Promise<SendResult> {
    const url = new URL('/api/v1/readings', this.#options.baseUrl).toString();
    const body = encodeMessage(message);
    const token = this.#tokens.get(message.stationId);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    const maxRetries = this.#options.maxRetries ?? 5;
    let failures = 0;
    for (;;) {
      if (this.#closed.signal.aborted) throw new Error('http transport is closed');
      let response: Response;
      try {
        response = await this.#fetch(url, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.any([this.#closed.signal, AbortSignal.timeout(this.#options.requestTimeoutMs ?? 10_000)]),
        });
      } catch (err) {
        if (this.#closed.signal.aborted) throw new Error('http transport is closed', { cause: err });
        failures += 1;
        if (failures > maxRetries)
          throw new Error(`HTTP: ${url} unreachable after ${maxRetries} retries: ${(err as Error).message}`, { cause: err });
        this.#counters.retries += 1;
        await this.#wait(backoffMs(failures));
        continue;
      }
      const text = await response.text().catch(() => '');
      if (response.status >= 200 && response.status < 300) return { ok: true, ...rejectedCount(text) };
      if (response.status === 503) {
        this.#counters.backpressureWaits += 1;
        const retryAfter = parseRetryAfterMs(response.headers.get('retry-after'), Date.now()) ?? 1000;
        await this.#wait(Math.min(retryAfter, this.#options.maxRetryAfterMs ?? 60_000));
        continue;
      }
      if (response.status >= 500) {
        failures += 1;
        if (failures > maxRetries) return { ok: false, reason: `HTTP ${response.status} after ${maxRetries} retries` };
        this.#counters.retries += 1;
        await this.#wait(backoffMs(failures));
        continue;
      }
      this.#counters.refused += 1;
      return { ok: false, reason: `HTTP ${response.status} ${errorCode(text)}`.trim() };
    }
  }

  #wait(ms: number): Promise<void> {
    const signal = this.#closed.signal;
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }

  onCommand(_handler: CommandHandler): void {
    // HTTP has no push channel; see the file comment.
  }

  counters(): Readonly<Record<string, number>> {
    return { ...this.#counters };
  }

  async close(): Promise<void> {
    if (!this.#closed.signal.aborted) {
      this.#closed.abort();
      this.#log.debug('http transport closed');
    }
  }
}

function backoffMs(failures: number): number {
  return Math.min(10_000, 200 * 2 ** (failures - 1));
}

/** `{ "code": "RW_..." }` from an error body, when there is one. */
function errorCode(text: string): string {
  try {
    const body = JSON.parse(text) as { code?: unknown; message?: unknown };
    return [body.code, body.message].filter((x) => typeof x === 'string').join(': ');
  } catch {
    return text.slice(0, 200);
  }
}

/** A 202 body may list readings refused one by one (`rejected: [...]`). */
function rejectedCount(text: string): { rejected?: number } {
  try {
    const body = JSON.parse(text) as { rejected?: unknown };
    return Array.isArray(body.rejected) && body.rejected.length > 0 ? { rejected: body.rejected.length } : {};
  } catch {
    return {};
  }
}
