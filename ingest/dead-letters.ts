/**
 * Dead letters: every refused input with its raw payload, source, station if
 * known, reason code and time, in a Redis stream; listed by reason and
 * station and replayed after the registry or the gateway was fixed.
 */
import type { ErrorCode, IngressKind, Rejection, Submission } from '../domain/index.js';
import type { Redis } from '../platform/redis.js';

/** Refusals listed in one letter; the rest are counted. */
export const MAX_ITEMS_PER_LETTER = 50;

/** Raw payloads are kept up to this size; larger ones are truncated (and say so). */
export const MAX_RAW_BYTES = 65_536;

export interface DeadLetter {
  readonly id: string;
  readonly at: number;
  readonly source: IngressKind;
  readonly code: ErrorCode;
  readonly message: string;
  readonly stationId?: string;
  readonly peer?: string;
  /** Position of the refused reading in its batch, and parameter for a refused value. */
  readonly index?: number;
  readonly parameter?: string;
  readonly raw: string;
  readonly truncated: boolean;
  /** Refusals of this reason in the submission (first {@link MAX_ITEMS_PER_LETTER}), and how many there were. */
  readonly items?: readonly { readonly index?: number; readonly parameter?: string; readonly stationId?: string; readonly message: string }[];
  readonly count?: number;
  /** Context needed to replay: the topic and the authenticated station at the time. */
  readonly topic?: { sectionId: string; stationId: string };
  readonly authStationId?: string;
}

export type NewDeadLetter = Omit<DeadLetter, 'id' | 'at' | 'truncated'>;

export interface DeadLetterFilter {
  readonly code?: string;
  readonly stationId?: string;
  readonly source?: string;
  readonly limit?: number;
  /** Return letters older than this id (paging, newest first). */
  readonly before?: string;
}

export class DeadLetterStore {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #maxLen: number;

  /** `maxLen` bounds the store; the count of letters over it is logged by the caller. @defaultValue 1000000 */
  constructor(deps: { redis: Redis; prefix: string; maxLen?: number }) {
    this.#redis = deps.redis;
    this.#key = `${deps.prefix}:deadletters`;
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

/**
 * Dead letters for the rejections of one submission: one letter per reason
 * code, holding the raw payload once and the refusals of that reason. (One
 * letter per refused value would store a 1,000-reading batch a thousand
 * times; the fuzzer showed a 1,196× blow-up.)
 */
export function lettersFor(submission: Submission, rejections: readonly Rejection[]): NewDeadLetter[] {
  const byCode = new Map<string, Rejection[]>();
  for (const r of rejections) byCode.set(r.code, [...(byCode.get(r.code) ?? []), r]);
  return [...byCode.values()].map((group) => {
    const first = group[0] as Rejection;
    const stationId = first.stationId ?? submission.authStationId;
    return {
      source: submission.source,
      code: first.code,
      message: group.length === 1 ? first.message : `${first.message} (and ${group.length - 1} more of this reason)`,
      raw: submission.raw,
      count: group.length,
      items: group.slice(0, MAX_ITEMS_PER_LETTER).map((r) => ({
        message: r.message,
        ...(r.index === undefined ? {} : { index: r.index }),
        ...(r.parameter === undefined ? {} : { parameter: r.parameter }),
        ...(r.stationId === undefined ? {} : { stationId: r.stationId }),
      })),
      ...(stationId === undefined ? {} : { stationId }),
      ...(submission.peer === undefined ? {} : { peer: submission.peer }),
      ...(first.index === undefined ? {} : { index: first.index }),
      ...(first.parameter === undefined ? {} : { parameter: first.parameter }),
      ...(submission.topic === undefined ? {} : { topic: submission.topic }),
      ...(submission.authStationId === undefined ? {} : { authStationId: submission.authStationId }),
    };
  });
}
