/**
 * InfluxQL statements of the read routes, built from registry ids and
 * parameter keys that were checked before, and quoted anyway. The schema is
 * the one the store writer writes (ingest/line-protocol.ts): measurement
 * `water_quality`, tags river/section/station, a float field per parameter,
 * `<param>_flag` string fields for non-N flags. Section classes come from
 * analytics as measurement `section_class` (tags river, section; fields
 * `class` integer 1–6 and `deciding` string), one point per hour. Pure.
 */
import { quoteIdent, quoteString } from '../../platform/influx/client.js';
import { READINGS_MEASUREMENT, SECTION_CLASS_MEASUREMENT } from '../../platform/influx/schema.js';
import type { TimeRange } from './time-range.js';

/** Measurement analytics writes the hourly class of each section into (platform/influx/schema.ts). */
export { SECTION_CLASS_MEASUREMENT };

export type Aggregate = 'mean' | 'min' | 'max';
export const AGGREGATES: readonly Aggregate[] = ['mean', 'min', 'max'];

const M = quoteIdent(READINGS_MEASUREMENT);
const SC = quoteIdent(SECTION_CLASS_MEASUREMENT);

/** `("tag" = 'a' OR "tag" = 'b')` */
export function anyOf(tag: string, values: readonly string[]): string {
  return `(${values.map((v) => `${quoteIdent(tag)} = ${quoteString(v)}`).join(' OR ')})`;
}

export function timeWhere(range: TimeRange): string {
  return `time >= ${Math.floor(range.fromMs)}ms AND time < ${Math.ceil(range.toMs)}ms`;
}

/** The newest point of each station (one series per station). */
export function latestReadingsQuery(stationIds: readonly string[]): string {
  return `SELECT * FROM ${M} WHERE ${anyOf('station', stationIds)} GROUP BY "station" ORDER BY time DESC LIMIT 1`;
}

/** Raw points with their flags, oldest first; `limit` rows at most. */
export function rawReadingsQuery(stationId: string, parameters: readonly string[], range: TimeRange, limit: number): string {
  const fields = [...parameters.map((p) => quoteIdent(p)), ...parameters.map((p) => quoteIdent(`${p}_flag`))].join(', ');
  return `SELECT ${fields} FROM ${M} WHERE "station" = ${quoteString(stationId)} AND ${timeWhere(range)} ORDER BY time ASC LIMIT ${limit}`;
}

/**
 * One aggregate per parameter and bucket, with the number of flagged (non-N)
 * values that went into it as `<param>_flagged`. Flagged values are in the
 * aggregate: InfluxQL cannot filter one field by another field's absence, so
 * the count lets a caller tell clean buckets from mixed ones.
 */
export function downsampledQuery(
  stationIds: readonly string[],
  parameters: readonly string[],
  range: TimeRange,
  interval: { readonly ms: number; readonly offsetMs: number },
  aggregate: Aggregate,
  options: { readonly byStation?: boolean; readonly fill?: 'null' | 'none' } = {},
): string {
  const fn = aggregate.toUpperCase();
  const fields = parameters
    .flatMap((p) => [
      `${fn}(${quoteIdent(p)}) AS ${quoteIdent(p)}`,
      `COUNT(${quoteIdent(`${p}_flag`)}) AS ${quoteIdent(`${p}_flagged`)}`,
    ])
    .join(', ');
  const offset = interval.offsetMs > 0 ? `, ${interval.offsetMs}ms` : '';
  const groupBy = `time(${interval.ms}ms${offset})${options.byStation ? ', "station"' : ''}`;
  return `SELECT ${fields} FROM ${M} WHERE ${anyOf('station', stationIds)} AND ${timeWhere(range)} GROUP BY ${groupBy} fill(${options.fill ?? 'null'})`;
}

/** The newest class point of each section. */
export function latestSectionClassQuery(sectionIds: readonly string[]): string {
  return `SELECT "class", "deciding" FROM ${SC} WHERE ${anyOf('section', sectionIds)} GROUP BY "section" ORDER BY time DESC LIMIT 1`;
}

/** Class points of one section in a range, oldest first. */
export function sectionClassHistoryQuery(sectionId: string, range: TimeRange, limit: number): string {
  return `SELECT "class", "deciding" FROM ${SC} WHERE "section" = ${quoteString(sectionId)} AND ${timeWhere(range)} ORDER BY time ASC LIMIT ${limit}`;
}
