/**
 * Time ranges and downsampling intervals of read queries: parsing what a
 * client sends (`from`/`to` as ISO 8601 or epoch ms, `interval` as `15m`,
 * `1h`, `1d`) and enforcing the limits on range and number of points before
 * anything reaches InfluxDB. Pure; returns results, never throws.
 */

export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly code: RangeErrorCode; readonly message: string };

/** Why a range or interval was refused; each maps to HTTP 400 in the routes. */
export type RangeErrorCode = 'RW_INVALID_PAYLOAD' | 'RW_RANGE_TOO_LARGE' | 'RW_TOO_MANY_POINTS';

export interface TimeRange {
  /** Inclusive start, epoch ms. */
  readonly fromMs: number;
  /** Exclusive end, epoch ms. */
  readonly toMs: number;
}

export interface Interval {
  /** As the client wrote it, e.g. `1h`. */
  readonly text: string;
  readonly ms: number;
}

export interface RangeLimits {
  /** Longest range of a raw (not downsampled) query. @defaultValue 31 days */
  readonly maxRawRangeMs: number;
  /** Longest range of a downsampled query. @defaultValue 400 days */
  readonly maxRangeMs: number;
  /** Most points one answer may hold (per station). @defaultValue 20000 */
  readonly maxPoints: number;
  /** Shortest downsampling interval. @defaultValue 1 min */
  readonly minIntervalMs: number;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export const DEFAULT_RANGE_LIMITS: RangeLimits = {
  maxRawRangeMs: 31 * DAY_MS,
  maxRangeMs: 400 * DAY_MS,
  maxPoints: 20_000,
  minIntervalMs: MINUTE_MS,
};

const UNIT_MS: Readonly<Record<string, number>> = { m: MINUTE_MS, h: HOUR_MS, d: DAY_MS };

function fail<T>(code: RangeErrorCode, message: string): Parsed<T> {
  return { ok: false, code, message };
}

/** Parses a time given as epoch milliseconds or ISO 8601 (an offset or `Z` is required: a bare local time is ambiguous). */
export function parseInstant(name: string, text: string): Parsed<number> {
  const trimmed = text.trim();
  if (/^\d{1,15}$/.test(trimmed)) return { ok: true, value: Number(trimmed) };
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/i.test(trimmed)) {
    return fail(
      'RW_INVALID_PAYLOAD',
      `${name}: give epoch milliseconds or ISO 8601 with an offset, e.g. 2026-11-22T08:00:00+08:00 (got "${trimmed.slice(0, 40)}")`,
    );
  }
  const ms = Date.parse(trimmed);
  if (!Number.isFinite(ms)) return fail('RW_INVALID_PAYLOAD', `${name}: "${trimmed.slice(0, 40)}" is not a valid time`);
  return { ok: true, value: ms };
}

/** Parses a downsampling interval: a whole number of minutes, hours or days (`5m`, `1h`, `1d`). */
export function parseInterval(text: string, limits: RangeLimits = DEFAULT_RANGE_LIMITS): Parsed<Interval> {
  const match = /^(\d{1,4})([mhd])$/.exec(text.trim());
  const unit = match ? UNIT_MS[match[2] as string] : undefined;
  if (!match || unit === undefined || Number(match[1]) === 0) {
    return fail(
      'RW_INVALID_PAYLOAD',
      `interval: give a whole number of minutes, hours or days, e.g. 15m, 1h, 1d (got "${text.slice(0, 20)}")`,
    );
  }
  const ms = Number(match[1]) * unit;
  if (ms < limits.minIntervalMs) return fail('RW_INVALID_PAYLOAD', `interval: at least ${limits.minIntervalMs / MINUTE_MS} min`);
  return { ok: true, value: { text: `${match[1]}${match[2]}`, ms } };
}

/**
 * A range from the query string. `to` defaults to now, `from` to `to`
 * minus `defaultSpanMs`; `from` must be before `to`.
 */
export function parseRange(
  from: string | undefined,
  to: string | undefined,
  nowMs: number,
  defaultSpanMs: number,
): Parsed<TimeRange> {
  let toMs = nowMs;
  if (to !== undefined && to !== '') {
    const parsed = parseInstant('to', to);
    if (!parsed.ok) return parsed;
    toMs = parsed.value;
  }
  let fromMs = toMs - defaultSpanMs;
  if (from !== undefined && from !== '') {
    const parsed = parseInstant('from', from);
    if (!parsed.ok) return parsed;
    fromMs = parsed.value;
  }
  if (fromMs >= toMs)
    return fail(
      'RW_INVALID_PAYLOAD',
      `from (${new Date(fromMs).toISOString()}) must be before to (${new Date(toMs).toISOString()})`,
    );
  return { ok: true, value: { fromMs, toMs } };
}

/** Points a downsampled query yields at most: every bucket that overlaps the range, aligned or not. */
export function bucketCount(range: TimeRange, intervalMs: number): number {
  return Math.ceil((range.toMs - range.fromMs) / intervalMs) + 1;
}

/** Checks a range (and interval, when downsampling) against the limits before the query runs. */
export function checkLimits(
  range: TimeRange,
  interval: Interval | undefined,
  limits: RangeLimits = DEFAULT_RANGE_LIMITS,
): Parsed<TimeRange> {
  const spanMs = range.toMs - range.fromMs;
  if (!interval) {
    if (spanMs > limits.maxRawRangeMs) {
      return fail(
        'RW_RANGE_TOO_LARGE',
        `raw readings can be asked for at most ${formatSpan(limits.maxRawRangeMs)} at a time (asked ${formatSpan(spanMs)}); use a shorter range or interval=1h for hourly means`,
      );
    }
    return { ok: true, value: range };
  }
  if (spanMs > limits.maxRangeMs) {
    return fail('RW_RANGE_TOO_LARGE', `at most ${formatSpan(limits.maxRangeMs)} at a time (asked ${formatSpan(spanMs)})`);
  }
  const points = bucketCount(range, interval.ms);
  if (points > limits.maxPoints) {
    return fail(
      'RW_TOO_MANY_POINTS',
      `interval=${interval.text} over ${formatSpan(spanMs)} gives ${points} points, more than ${limits.maxPoints}; use a longer interval or a shorter range`,
    );
  }
  return { ok: true, value: range };
}

/** A span in words for error messages: `31 d`, `6 h`, `15 min`. */
export function formatSpan(ms: number): string {
  if (ms >= DAY_MS && ms % DAY_MS === 0) return `${ms / DAY_MS} d`;
  if (ms >= DAY_MS) return `${(ms / DAY_MS).toFixed(1)} d`;
  if (ms >= HOUR_MS) return `${Math.round((ms / HOUR_MS) * 10) / 10} h`;
  return `${Math.round(ms / MINUTE_MS)} min`;
}

/**
 * GROUP BY time() offset so that buckets of a day or longer start at local
 * midnight (China Standard Time is UTC+8: daily means run 00:00–24:00 CST,
 * not UTC). Intervals shorter than the offset are unaffected.
 */
export function bucketOffsetMs(intervalMs: number, tzOffsetMin: number): number {
  const offset = -tzOffsetMin * MINUTE_MS;
  return ((offset % intervalMs) + intervalMs) % intervalMs;
}
