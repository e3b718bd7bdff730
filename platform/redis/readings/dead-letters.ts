/**
 * Dead letters: every refused input with its raw payload, source, station if
 * known, reason code and time, in a Redis stream; listed by reason and
 * station and replayed after the registry or the gateway was fixed.
 */
import { MAX_RAW_BYTES, type DeadLetter, type DeadLetterBook, type DeadLetterFilter, type NewDeadLetter } from '../../../domain/index.js';
import type { Redis } from '../client.js';
import { RedisKeys } from '../keys.js';

export type { DeadLetter, DeadLetterFilter, NewDeadLetter } from '../../../domain/index.js';
export { MAX_ITEMS_PER_LETTER, MAX_RAW_BYTES } from '../../../domain/index.js';

export class DeadLetterStore implements DeadLetterBook {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #maxLen: number;

  /** `maxLen` bounds the store; the count of letters over it is logged by the caller. @defaultValue 1000000 */
  constructor(deps: { redis: Redis; prefix: string; maxLen?: number }) {
    this.#redis = deps.redis;
    this.#key = new RedisKeys(deps.prefix).readingDeadLetters();
    this.#maxLen = deps.maxLen ?? 1_000_000;
  }

  async put(letters: readonly NewDeadLetter[], now = Date.now()): Promise<void> {
    if (letters.length === 0) return;
    const pipeline = this.#redis.pipeline();
    for (const letter of letters) {
      const text = typeof letter.raw === 'string' ? letter.raw : String(letter.raw ?? '');
      const truncated = Buffer.byteLength(text) > MAX_RAW_BYTES;
      const raw = truncated ? Buffer.from(text).subarray(0, MAX_RAW_BYTES).toString() : text;
      pipeline.xadd(this.#key, 'MAXLEN', '~', this.#maxLen, '*', 'd', JSON.stringify({ ...letter, raw, truncated, at: now }));
    }
    const results = await pipeline.exec();
    const failed = results?.find(([err]) => err);
    if (failed) throw failed[0];
  }

  async list(filter: DeadLetterFilter = {}): Promise<DeadLetter[]> {
    const limit = Math.min(filter.limit ?? 100, 1000);
    const out: DeadLetter[] = [];
    let end = filter.before ? `(${filter.before}` : '+';
    // Scan newest first in pages until the filter has found enough.
    for (let scanned = 0; out.length < limit && scanned < 200_000; ) {
      const page = (await this.#redis.xrevrange(this.#key, end, '-', 'COUNT', 1000)) as [string, string[]][];
      if (page.length === 0) break;
      scanned += page.length;
      for (const [id, fields] of page) {
        const letter = { id, ...(JSON.parse(fields[1] ?? '{}') as Omit<DeadLetter, 'id'>) };
        if (filter.code && letter.code !== filter.code) continue;
        if (filter.stationId && letter.stationId !== filter.stationId) continue;
        if (filter.source && letter.source !== filter.source) continue;
        out.push(letter);
        if (out.length >= limit) break;
      }
      end = `(${page[page.length - 1]?.[0]}`;
    }
    return out;
  }

  async get(id: string): Promise<DeadLetter | undefined> {
    const rows = (await this.#redis.xrange(this.#key, id, id)) as [string, string[]][];
    const row = rows[0];
    return row ? { id: row[0], ...(JSON.parse(row[1][1] ?? '{}') as Omit<DeadLetter, 'id'>) } : undefined;
  }

  async remove(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.#redis.xdel(this.#key, ...ids);
  }

  async count(): Promise<number> {
    return Number(await this.#redis.xlen(this.#key));
  }

  /** Counts by reason code over the whole store (for the CLI summary). */
  async countByCode(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    let start = '-';
    for (;;) {
      const page = (await this.#redis.xrange(this.#key, start, '+', 'COUNT', 5000)) as [string, string[]][];
      if (page.length === 0) break;
      for (const [, fields] of page) {
        const code = (JSON.parse(fields[1] ?? '{}') as { code?: string }).code ?? 'unknown';
        counts[code] = (counts[code] ?? 0) + 1;
      }
      start = `(${page[page.length - 1]?.[0]}`;
    }
    return counts;
  }
}
