/**
 * The trend condition of a section (issue 5 §4): open while one of its
 * stations (not a drifting one) shows a trend that will cross the limit
 * within the horizon (detectors/trend.ts), cleared when none does.
 */
import { clearEvent, keys, trendEvent } from './section-alerts.js';
import type { SectionScope } from './section-scope.js';

/** Raises the section's trend alert from the first station with an open trend, or clears it. */
export function trendCondition(scope: SectionScope, key: string, ts: number): void {
  for (const st of scope.stations.values()) {
    const t = st.series.get(key)?.trend;
    if (!t?.open || st.drift[key]) continue;
    scope.pollution(trendEvent(scope.section, st.station.id, key, t.evaluate(), ts), undefined);
    return;
  }
  const condKey = keys.trend(scope.section.id, key);
  if (scope.book.isOpen(condKey))
    scope.pollution(
      clearEvent(condKey, 'trend', scope.section.id, undefined, [key], ts, `Trend of ${key} at ${scope.section.id} has ended`),
      undefined,
    );
}
