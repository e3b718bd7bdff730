/**
 * The usual level of a series at a time (issue 13 §6), from the bucketed
 * history the trend detector keeps (72 h in 45-minute buckets by default):
 *
 * - parameters with a daily cycle (DO, pH, temperature: photosynthesis and
 *   sunshine): the median of the buckets at the same time of day on the
 *   previous three days, so dawn is compared with dawn;
 * - the others: the median of the buckets from three days to four hours ago
 *   (the last hours are left out, so a rise under way does not become its
 *   own reference).
 *
 * Undefined until enough history exists (two earlier days, or three buckets
 * between three days and four hours ago: about 6 h of 5-minute data, 12–16 h
 * of a 4-hourly analyser): then nothing is suppressed. Pure.
 */
import { median } from 'simple-statistics';
import type { SeriesState } from './station-state.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Parameters whose normal level follows the time of day. */
export const DIURNAL_PARAMETERS: ReadonlySet<string> = new Set(['do', 'ph', 'temp']);

/** @param minRecent fewest buckets the non-diurnal median needs */
export function usualLevel(series: SeriesState, key: string, ts: number, minRecent = 3): number | undefined {
  const history = series.trend?.history;
  if (!history) return undefined;
  if (DIURNAL_PARAMETERS.has(key)) {
    const sameTime: number[] = [];
    for (let d = 1; d <= 3; d++) {
      const v = history.valueNear(ts - d * DAY_MS, history.bucketMs);
      if (v !== undefined) sameTime.push(v);
    }
    return sameTime.length >= 2 ? median(sameTime) : undefined;
  }
  const recent = history.valuesBetween(ts - 3 * DAY_MS, ts - 4 * HOUR_MS);
  return recent.length >= minRecent ? median(recent) : undefined;
}
