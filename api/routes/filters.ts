/** Query-string filters of the list routes: comma-separated values, times, paging defaults. */
import { AppError } from '../../domain/index.js';

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

/** `limit` and `offset` with their defaults (50, 0). */
export function paging(query: { limit?: number | undefined; offset?: number | undefined }): { limit: number; offset: number } {
  return { limit: query.limit ?? 50, offset: query.offset ?? 0 };
}

/** The optional filters that were given, under the service's names. */
export function given<T extends Record<string, unknown>>(filters: T): Partial<{ [K in keyof T]: Exclude<T[K], undefined> }> {
  return Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined)) as Partial<{ [K in keyof T]: Exclude<T[K], undefined> }>;
}
