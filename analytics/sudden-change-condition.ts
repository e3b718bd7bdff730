/**
 * The sudden-change condition of a station (issue 5 §3): the station's
 * sudden-change engine decides when an event starts and ends; here the
 * event's moving parameters, its level (more parameters, higher level; red
 * for the sudden-pollution pattern at a sensitive section) and the runoff
 * notice (analytics/runoff.ts, issue 13 §3) are kept and turned into one alert.
 */
import type { AlertLevel } from '../domain/index.js';
import { looksLikeRecovery, looksLikeRunoff } from './runoff.js';
import { clearEvent, keys, suddenEvent } from './section-alerts.js';
import type { SectionScope } from './section-scope.js';
import type { StationState } from './station-state.js';

/** Feeds the sudden-change engine; returns whether the station's event state changed. */
export function feedSuddenChange(
  scope: SectionScope,
  st: StationState,
  ts: number,
  evidence: Record<string, number | undefined>,
): boolean {
  if (!st.sudden) return false;
  const r = st.sudden.update(ts, evidence);
  const context = scope.options.suddenChange.contextParameters;
  const moving = r.outliers.filter((k) => !context.includes(k));
  if (r.inEvent && !r.ended) {
    const before = st.suddenEvent;
    const parameters = [...new Set([...(before?.parameters ?? []), ...moving])].sort();
    const baseline: Record<string, number> = { ...(before?.baseline ?? {}) };
    for (const k of parameters) if (baseline[k] === undefined && r.baseline[k] !== undefined) baseline[k] = r.baseline[k];
    st.suddenEvent = { startTs: before?.startTs ?? ts, parameters, score: Math.max(before?.score ?? 0, r.score), baseline };
    return !before || before.parameters.length !== parameters.length;
  }
  if (st.suddenEvent) {
    st.suddenEvent = undefined;
    return true;
  }
  return false;
}

/** Raises, changes or clears the station's sudden-change alert from its tracked event. */
export function suddenCondition(scope: SectionScope, st: StationState, ts: number): void {
  const stationId = st.station.id;
  const ev = st.suddenEvent;
  if (!ev) {
    scope.pollution(
      clearEvent(
        keys.sudden(scope.section.id, stationId),
        'sudden-change',
        scope.section.id,
        stationId,
        [],
        ts,
        `Sudden change at ${stationId} has ended`,
      ),
      undefined,
    );
    return;
  }
  const o = scope.options.suddenChange;
  let level = (ev.parameters.length >= o.multiParameterMin ? o.multiParameterLevel : o.singleParameterLevel) as AlertLevel;
  const pollution = suddenPollution(scope, st);
  if (pollution) level = 'red';
  const values: Record<string, number> = {};
  for (const k of ev.parameters) {
    const latest = st.series.get(k)?.latest;
    if (latest) values[k] = latest.value;
  }
  const latest = (k: string): number | undefined => st.series.get(k)?.latest?.value;
  const recovering = st.runoffUntilTs !== undefined && ev.startTs <= st.runoffUntilTs;
  const runoff = !pollution && o.runoffNotice && (looksLikeRunoff(ev, latest) || (recovering && looksLikeRecovery(ev, latest)));
  if (runoff) st.runoffUntilTs = Math.max(st.runoffUntilTs ?? 0, ts + o.runoffRecoveryMs);
  scope.pollution(suddenEvent(scope.section, stationId, ev, level, values, ts, runoff), ev.startTs);
}

/** Sudden-pollution pattern at a drinking-water or boundary section: sudden change plus a confirmed 劣V value at the station. */
export function suddenPollution(scope: SectionScope, st: StationState): boolean {
  if (!scope.sensitive || !scope.options.suddenChange.sensitiveSectionRed || !st.suddenEvent) return false;
  for (const s of st.series.values()) if ((s.threshold?.level ?? 0) >= 3) return true;
  return false;
}
