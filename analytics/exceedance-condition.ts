/**
 * The exceedance condition of a section (issue 5 §2): per parameter, the
 * worst station's threshold level is the section's, raised, changed or
 * cleared as one alert; its usual level and upstream attribution are judged
 * once, when it opens. The per-series levels come from
 * detectors/threshold.ts; the event's shape from section-alerts.ts.
 */
import type { Severity } from './detectors/threshold.js';
import type { Attribution } from './detectors/reach-attribution.js';
import { clearEvent, exceedanceEvent, keys } from './section-alerts.js';
import type { SectionScope } from './section-scope.js';
import type { SeriesState, StationState } from './station-state.js';
import { suddenPollution } from './sudden-change-condition.js';
import { attributeToUpstream } from './upstream-attribution.js';
import { usualLevel } from './usual-level.js';

/** Section-level threshold conditions: worst station per parameter. */
export function exceedanceConditions(scope: SectionScope, ts: number): void {
  const parameters = new Set<string>();
  for (const st of scope.stations.values()) for (const [k, s] of st.series) if (s.threshold) parameters.add(k);
  for (const key of parameters) {
    let worst: { st: StationState; s: SeriesState; level: Severity } | undefined;
    for (const st of scope.stations.values()) {
      const s = st.series.get(key);
      if (!s?.threshold) continue;
      let level = s.threshold.level;
      if (level >= 3 && suddenPollution(scope, st)) level = 4;
      if (!worst || level > worst.level) worst = { st, s, level };
    }
    const condKey = keys.exceedance(scope.section.id, key);
    const open = scope.book.get(condKey);
    if (!worst || worst.level === 0) {
      if (open)
        scope.pollution(
          clearEvent(
            condKey,
            open.kind,
            scope.section.id,
            undefined,
            [key],
            ts,
            `${key} at ${scope.section.id} is back within the target`,
          ),
          undefined,
        );
      continue;
    }
    const det = worst.s.threshold as NonNullable<SeriesState['threshold']>;
    const value = worst.s.latest?.value ?? det.peak?.value;
    const limit = det.rule.targetLimit;
    // The usual level at onset decides whether the condition is a change that travels (pre-warnings, issue 13 §5);
    // judged once, when the condition opens, like the attribution.
    // Without enough history for a usual level, what the water was just before the onset stands in for it.
    const usual = open
      ? (open.evidence.usual as number | undefined)
      : (usualLevel(worst.s, key, det.onsetTs ?? ts) ?? det.preOnsetValue);
    // Attribution is judged once, when the condition opens, and kept while it lasts.
    const attribution = open
      ? (open.evidence.attribution as Attribution | undefined)
      : value === undefined
        ? undefined
        : attributeToUpstream(scope, key, value, det.onsetTs ?? ts, limit);
    const event = exceedanceEvent({
      section: scope.section,
      stationId: worst.st.station.id,
      parameter: key,
      level: worst.level,
      value,
      limit,
      onsetTs: det.onsetTs,
      peak: det.peak,
      attribution,
      usual,
      onsetValue: open ? (open.evidence.onsetValue as number | undefined) : value,
      suspect: det.suspect,
      ts,
      parameters: scope.parameters,
    });
    scope.pollution(event, det.onsetTs);
  }
}
