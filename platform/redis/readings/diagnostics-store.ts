/**
 * Station diagnostics in Redis: one capped stream per kind (`{prefix}:diagnostics:{kind}`, newest kept),
 * read back newest first by kind and station. An in-memory twin for tests and benchmarks.
 */
import {
  DIAGNOSTIC_KINDS,
  type DiagnosticKind,
  type DiagnosticsFilter,
  type StationDiagnostic,
  type StationDiagnostics,
} from '../../../domain/station-diagnostics.js';
import type { Redis } from '../client.js';
import { RedisKeys } from '../keys.js';

/** Items kept per report; a longer report keeps its first ones. */
const MAX_ITEMS = 200;

function capped(entry: StationDiagnostic): StationDiagnostic {
  return entry.items.length <= MAX_ITEMS ? entry : { ...entry, items: entry.items.slice(0, MAX_ITEMS) };
}

export class RedisStationDiagnostics implements StationDiagnostics {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #maxLen: number;

  /** `maxLen` caps each kind's stream. @defaultValue 100000 */
  constructor(deps: { redis: Redis; prefix: string; maxLen?: number }) {
    this.#redis = deps.redis;
    this.#keys = new RedisKeys(deps.prefix);
    this.#maxLen = deps.maxLen ?? 100_000;
  }

  #key(kind: DiagnosticKind): string {
    return this.#keys.diagnostics(kind);
  }

  async record(entry: StationDiagnostic): Promise<void> {
    await this.#redis.xadd(this.#key(entry.kind), 'MAXLEN', '~', this.#maxLen, '*', 'd', JSON.stringify(capped(entry)));
  }

  async list(filter: DiagnosticsFilter = {}): Promise<StationDiagnostic[]> {
    const limit = Math.min(filter.limit ?? 50, 1000);
    const kinds = filter.kind ? [filter.kind] : DIAGNOSTIC_KINDS;
    const out: StationDiagnostic[] = [];
    for (const kind of kinds) {
      let end = '+';
      let found = 0;
      for (let scanned = 0; found < limit && scanned < 100_000; ) {
        const page = (await this.#redis.xrevrange(this.#key(kind), end, '-', 'COUNT', 500)) as [string, string[]][];
        if (page.length === 0) break;
        scanned += page.length;
        for (const [, fields] of page) {
          const entry = JSON.parse(fields[1] ?? '{}') as StationDiagnostic;
          if (filter.stationId && entry.stationId !== filter.stationId) continue;
          out.push(entry);
          if (++found >= limit) break;
        }
        end = `(${page[page.length - 1]?.[0]}`;
      }
    }
    return out.sort((a, b) => b.receivedAt - a.receivedAt).slice(0, limit);
  }
}

/** In-memory diagnostics (tests, benchmarks, a server run without Redis). */
export class MemoryStationDiagnostics implements StationDiagnostics {
  readonly #entries: StationDiagnostic[] = [];
  readonly #maxLen: number;

  /** @defaultValue 10000 */
  constructor(maxLen = 10_000) {
    this.#maxLen = maxLen;
  }

  async record(entry: StationDiagnostic): Promise<void> {
    this.#entries.push(capped(entry));
    if (this.#entries.length > this.#maxLen) this.#entries.shift();
  }

  async list(filter: DiagnosticsFilter = {}): Promise<StationDiagnostic[]> {
    return this.#entries
      .filter((e) => (!filter.kind || e.kind === filter.kind) && (!filter.stationId || e.stationId === filter.stationId))
      .reverse()
      .slice(0, filter.limit ?? 50);
  }
}
