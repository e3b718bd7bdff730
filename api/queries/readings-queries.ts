/**
 * Reads readings and section classes from InfluxDB over InfluxQL (DESIGN.md
 * "InfluxDB": the one query language 1.x, 2.x and 3.x answer) and shapes
 * them for the API: columnar series (one time array, one value array per
 * parameter) that charts take as they are.
 */
import { isDataFlag, type DataFlag, type WaterClass } from '../../domain/index.js';
import type { InfluxSeries } from '../../platform/influx/client.js';
import {
  downsampledQuery,
  latestReadingsQuery,
  latestSectionClassQuery,
  rawReadingsQuery,
  sectionClassHistoryQuery,
  type Aggregate,
} from './influxql.js';
import type { TimeRange } from './time-range.js';

/** What the queries need of the InfluxDB adapter (platform/influx.ts InfluxStore). */
export interface InfluxReader {
  query(influxql: string): Promise<InfluxSeries[]>;
}

export interface StationLatest {
  readonly stationId: string;
  readonly ts: number;
  readonly values: Readonly<Record<string, number>>;
  /** Non-N flags only (a missing flag means N). */
  readonly flags: Readonly<Record<string, DataFlag>>;
}

/** Columnar readings: `values[p][i]` belongs to `times[i]`. */
export interface ReadingSeries {
  readonly times: number[];
  readonly values: Record<string, (number | null)[]>;
  /** Raw series: flag per point for parameters that have any non-N flag. */
  readonly flags: Record<string, (DataFlag | null)[]>;
  /** Downsampled series: flagged values per bucket for parameters that have any. */
  readonly flagged: Record<string, number[]>;
}

export interface SectionClassPoint {
  readonly ts: number;
  readonly cls: WaterClass;
  readonly deciding: readonly string[];
}

/** Rows of a series as objects keyed by column. */
export function rowsOf(series: InfluxSeries): Record<string, unknown>[] {
  return series.values.map((row) => Object.fromEntries(series.columns.map((c, i) => [c, row[i]])));
}

function asClass(value: unknown): WaterClass | undefined {
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isInteger(n) && n >= 1 && n <= 6 ? (n as WaterClass) : undefined;
}

/** `deciding` is written as a comma-separated list of parameter keys. */
export function parseDeciding(value: unknown): string[] {
  return typeof value === 'string' ? value.split(/[,\s]+/).filter(Boolean) : [];
}

export class ReadingsQueries {
  readonly #influx: InfluxReader;

  constructor(influx: InfluxReader) {
    this.#influx = influx;
  }

  /** Newest reading of each station that has one (values and flags of that one point). */
  async latest(
    stationIds: readonly string[],
    parametersOf: (stationId: string) => readonly string[],
  ): Promise<Map<string, StationLatest>> {
    const out = new Map<string, StationLatest>();
    if (stationIds.length === 0) return out;
    for (const series of await this.#influx.query(latestReadingsQuery(stationIds))) {
      const stationId = series.tags?.station;
      const row = rowsOf(series)[0];
      if (!stationId || !row) continue;
      const values: Record<string, number> = {};
      const flags: Record<string, DataFlag> = {};
      for (const p of parametersOf(stationId)) {
        const v = row[p];
        if (typeof v === 'number') values[p] = v;
        const f = row[`${p}_flag`];
        if (isDataFlag(f) && f !== 'N') flags[p] = f;
      }
      out.set(stationId, { stationId, ts: Number(row.time), values, flags });
    }
    return out;
  }

  /** Raw points oldest first; at most `limit` (ask for one more than allowed to detect overflow). */
  async raw(stationId: string, parameters: readonly string[], range: TimeRange, limit: number): Promise<ReadingSeries> {
    const series = (await this.#influx.query(rawReadingsQuery(stationId, parameters, range, limit)))[0];
    const result: ReadingSeries = {
      times: [],
      values: Object.fromEntries(parameters.map((p) => [p, []])),
      flags: {},
      flagged: {},
    };
    if (!series) return result;
    const rows = rowsOf(series);
    for (const row of rows) result.times.push(Number(row.time));
    for (const p of parameters) {
      result.values[p] = rows.map((row) => (typeof row[p] === 'number' ? (row[p] as number) : null));
      const flags = rows.map((row) => {
        const f = row[`${p}_flag`];
        return isDataFlag(f) && f !== 'N' ? f : null;
      });
      if (flags.some((f) => f !== null)) result.flags[p] = flags;
    }
    return result;
  }

  /** Aggregates per bucket (GROUP BY time()), with empty buckets as nulls. */
  async downsampled(
    stationId: string,
    parameters: readonly string[],
    range: TimeRange,
    interval: { readonly ms: number; readonly offsetMs: number },
    aggregate: Aggregate,
  ): Promise<ReadingSeries> {
    const series = (await this.#influx.query(downsampledQuery([stationId], parameters, range, interval, aggregate)))[0];
    const result: ReadingSeries = {
      times: [],
      values: Object.fromEntries(parameters.map((p) => [p, []])),
      flags: {},
      flagged: {},
    };
    if (!series) return result;
    // GROUP BY time() also yields the bucket that starts before `from`; keep buckets that overlap the range.
    const rows = rowsOf(series).filter((row) => Number(row.time) + interval.ms > range.fromMs);
    for (const row of rows) result.times.push(Number(row.time));
    for (const p of parameters) {
      result.values[p] = rows.map((row) => (typeof row[p] === 'number' ? (row[p] as number) : null));
      const counts = rows.map((row) => (typeof row[`${p}_flagged`] === 'number' ? (row[`${p}_flagged`] as number) : 0));
      if (counts.some((c) => c > 0)) result.flagged[p] = counts;
    }
    return result;
  }

  /**
   * Hourly (or other) aggregates of several stations at once, keyed by
   * station: for reports over weeks or months without moving raw points.
   */
  async downsampledByStation(
    stationIds: readonly string[],
    parameters: readonly string[],
    range: TimeRange,
    interval: { readonly ms: number; readonly offsetMs: number },
    aggregate: Aggregate,
  ): Promise<Map<string, ReadingSeries>> {
    const out = new Map<string, ReadingSeries>();
    if (stationIds.length === 0 || parameters.length === 0) return out;
    const all = await this.#influx.query(
      downsampledQuery(stationIds, parameters, range, interval, aggregate, { byStation: true, fill: 'none' }),
    );
    for (const series of all) {
      const stationId = series.tags?.station;
      if (!stationId) continue;
      const rows = rowsOf(series).filter((row) => Number(row.time) + interval.ms > range.fromMs);
      const result: ReadingSeries = { times: rows.map((r) => Number(r.time)), values: {}, flags: {}, flagged: {} };
      for (const p of parameters) {
        result.values[p] = rows.map((row) => (typeof row[p] === 'number' ? (row[p] as number) : null));
        result.flagged[p] = rows.map((row) => (typeof row[`${p}_flagged`] === 'number' ? (row[`${p}_flagged`] as number) : 0));
      }
      out.set(stationId, result);
    }
    return out;
  }

  /** Newest class point analytics wrote for each section. */
  async latestSectionClass(sectionIds: readonly string[]): Promise<Map<string, SectionClassPoint>> {
    const out = new Map<string, SectionClassPoint>();
    if (sectionIds.length === 0) return out;
    for (const series of await this.#influx.query(latestSectionClassQuery(sectionIds))) {
      const sectionId = series.tags?.section;
      const row = rowsOf(series)[0];
      const cls = asClass(row?.class);
      if (!sectionId || !row || cls === undefined) continue;
      out.set(sectionId, { ts: Number(row.time), cls, deciding: parseDeciding(row.deciding) });
    }
    return out;
  }

  /** Class points of a section in a range, oldest first, at most `limit`. */
  async sectionClassHistory(sectionId: string, range: TimeRange, limit: number): Promise<SectionClassPoint[]> {
    const series = (await this.#influx.query(sectionClassHistoryQuery(sectionId, range, limit)))[0];
    if (!series) return [];
    const out: SectionClassPoint[] = [];
    for (const row of rowsOf(series)) {
      const cls = asClass(row.class);
      if (cls !== undefined) out.push({ ts: Number(row.time), cls, deciding: parseDeciding(row.deciding) });
    }
    return out;
  }
}
