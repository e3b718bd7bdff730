/** Query-string filters of the list routes: comma-separated values, times, paging defaults. */
import { AppError, type Station } from '../../domain/index.js';
import { checkLimits, parseRange, type Interval, type Parsed, type RangeLimits, type TimeRange } from '../queries/time-range.js';

/** Parses a comma-separated filter; refuses values outside `allowed`. */
export function parseList<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T[] | undefined {
  if (value === undefined || value === '') return undefined;
  const items = value.split(',').map((s) => s.trim());
  const bad = items.filter((s) => !(allowed as readonly string[]).includes(s));
  if (bad.length > 0)
    throw new AppError('RW_INVALID_PAYLOAD', `${name}: unknown value(s) ${bad.join(', ')}; allowed: ${allowed.join(', ')}`);
  return items as T[];
}

/** Parses a time filter given as ISO 8601 or epoch ms. */
export function parseTime(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw new AppError('RW_INVALID_PAYLOAD', `${name}: not an ISO 8601 time or epoch milliseconds`);
  return ms;
}

/** One page of a list held whole in memory, each item as `view` shows it. */
export function slicePage<T, V>(all: readonly T[], page: { limit: number; offset: number }, view: (item: T) => V) {
  return { items: all.slice(page.offset, page.offset + page.limit).map(view), total: all.length, limit: page.limit, offset: page.offset };
}

/** The optional filters that were given, under the service's names. */
export function given<T extends Record<string, unknown>>(filters: T): Partial<{ [K in keyof T]: Exclude<T[K], undefined> }> {
  return Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined)) as Partial<{ [K in keyof T]: Exclude<T[K], undefined> }>;
}

/** The parameters a history or export asks for (comma-separated; default all of the station); one the station does not measure is refused. */
export function parametersAsked(station: Station, text: string | undefined): string[] {
  if (text === undefined || text.trim() === '') return [...station.parameters];
  const asked = [...new Set(text.split(',').map((p) => p.trim()).filter(Boolean))];
  const unknown = asked.filter((p) => !station.parameters.includes(p));
  if (unknown.length > 0)
    throw new AppError(
      'RW_INVALID_PAYLOAD',
      `parameters: ${unknown.join(', ')} not measured at ${station.id}; it measures ${station.parameters.join(', ')}`,
    );
  return asked;
}

/** The value of a parsed range or interval, or its refusal thrown as an error (400 with its code). */
export function orRefuse<T>(parsed: Parsed<T>): T {
  if (!parsed.ok) throw new AppError(parsed.code, parsed.message);
  return parsed.value;
}

/** `from`/`to` of a query (default: the `defaultSpanMs` before now), checked against the limits (raw unless `interval`). */
export function rangeWithin(
  query: { readonly from?: string | undefined; readonly to?: string | undefined },
  nowMs: number,
  defaultSpanMs: number,
  limits: RangeLimits,
  interval?: Interval,
): TimeRange {
  return orRefuse(checkLimits(orRefuse(parseRange(query.from, query.to, nowMs, defaultSpanMs)), interval, limits));
}
