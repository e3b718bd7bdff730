/**
 * The drift condition of a station's parameter (issue 13 §3): a data-quality
 * alert while the sensor drifts away from the section's other stations
 * (the comparison is analytics/drift.ts). A drifting sensor's values are not
 * evidence of pollution; its history keeps being recorded to see it come back in line.
 */
import { backInLine, DRIFT_NOW_SPAN_MS, DRIFT_REF_AGE_MS, findDrift, minDriftShift } from './drift.js';
import type { SeriesHistory } from './detectors/series-history.js';
import { keys } from './section-alerts.js';
import type { SectionScope } from './section-scope.js';
import type { SeriesState, StationState } from './station-state.js';

/** Drift checks of one section's stations. */
export class DriftCondition {
  readonly #scope: SectionScope;
  /** Last drift check per station and parameter (in memory: at worst one extra check after a restart). */
  readonly #checkedAt = new Map<string, number>();

  constructor(scope: SectionScope) {
    this.#scope = scope;
  }

  /**
   * Drift against the section's other stations (analytics/drift.ts), judged
   * once per trend bucket: 'raised' when a drift starts with this reading,
   * 'open' while it lasts, 'none' otherwise (and when it has just ended).
   */
  check(st: StationState, series: SeriesState, key: string, ts: number): 'raised' | 'open' | 'none' {
    const own = series.trend?.history;
    if (!own) return 'none';
    const open = st.drift[key];
    const checkKey = `${st.station.id}:${key}`;
    const last = this.#checkedAt.get(checkKey);
    if (last !== undefined && ts - last < own.bucketMs) return open ? 'open' : 'none';
    this.#checkedAt.set(checkKey, ts);
    const others: SeriesHistory[] = [];
    for (const other of this.#scope.stations.values()) {
      const h = other.series.get(key)?.trend?.history;
      if (other !== st && h && !other.drift[key]) others.push(h);
    }
    if (others.length === 0) return open ? 'open' : 'none';
    const limit = series.threshold?.rule.targetLimit;
    const level = series.latest?.value ?? 0;
    const minShift = minDriftShift(limit, level);
    const stationId = st.station.id;
    if (open) {
      if (!backInLine(own, others, ts, open.refOffset, minShift)) return 'open';
      delete st.drift[key];
      // What the drifting sensor reported must not make a trend now that it is back in line.
      own.dropBetween(open.sinceTs, ts - DRIFT_NOW_SPAN_MS);
      this.#scope.dq(
        'clear',
        keys.drift(stationId, key),
        stationId,
        [key],
        ts,
        `${key} at ${stationId} is back in line with the section's other stations`,
        {},
      );
      return 'none';
    }
    if (st.suddenEvent) return 'none';
    const found = findDrift(own, others, ts, minShift);
    if (!found) return 'none';
    st.drift[key] = { refOffset: found.refOffset, sinceTs: ts - DRIFT_REF_AGE_MS };
    this.#scope.dq(
      'raise',
      keys.drift(stationId, key),
      stationId,
      [key],
      ts,
      `${key} at ${stationId} drifts away from the section's other stations (offset ${found.offset.toFixed(3)}, was ${found.refOffset.toFixed(3)}): check the sensor`,
      { offset: found.offset, refOffset: found.refOffset, minShift },
    );
    return 'raised';
  }
}
