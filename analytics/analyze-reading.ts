/**
 * What happens when a reading arrives at a section analyzer (issue 5): only
 * values flagged N or T reach the pollution detectors; flagged, flat-lined,
 * drifting and spike values go to data quality only. A reading not newer
 * than its station's last processed one (a redelivery, or a reading later
 * than the reorder buffer's watermark) is counted and ignored, so it can
 * cause neither a false nor a double alert.
 */
import { flagOf, isEvidence, type Reading } from '../domain/index.js';
import type { DriftCondition } from './drift-condition.js';
import { exceedanceConditions } from './exceedance-condition.js';
import { keys } from './section-alerts.js';
import type { SectionScope } from './section-scope.js';
import { feedSuddenChange, suddenCondition } from './sudden-change-condition.js';
import { trendCondition } from './trend-condition.js';
import { usualLevel } from './usual-level.js';

/** Counters an operator watches (readings ignored and why). */
export interface AnalyzerStats {
  processed: number;
  /** Not newer than the station's last processed reading (redelivery or too late). */
  stale: number;
  unknownStation: number;
}

/**
 * Analyses one reading of the section: data quality first (offline, flags,
 * flat line, drift, spikes), then the evidence that passed it feeds the
 * threshold, trend and sudden-change detectors and their conditions.
 */
export function analyzeReading(
  scope: SectionScope,
  driftCondition: DriftCondition,
  stats: AnalyzerStats,
  reading: Reading,
): void {
  if (reading.sectionId !== scope.section.id) return;
  const st = scope.stations.get(reading.stationId);
  if (!st) {
    stats.unknownStation += 1;
    return;
  }
  if (st.lastTs !== undefined && reading.ts <= st.lastTs) {
    stats.stale += 1;
    return;
  }
  st.lastTs = reading.ts;
  stats.processed += 1;
  const ts = reading.ts;
  const stationId = st.station.id;

  // Offline means "nothing received" (processing time): a station uploading its backlog after a link
  // outage, or a simulation catching up, is sending even though its readings are old.
  if (st.offline.seen(Math.max(ts, reading.receivedAt)) === 'clear')
    scope.dq('clear', keys.offline(stationId), stationId, [], ts, `Station ${stationId} is sending again`, {});

  const flagChange = st.flags.update(Object.keys(reading.values), reading.flags);
  if (flagChange) {
    const flagged = st.flags.flagged;
    const flaggedKeys = Object.keys(flagged).sort();
    const message =
      flagChange === 'raise'
        ? `Station ${stationId} reports ${flaggedKeys.map((k) => `${k}:${flagged[k]}`).join(', ')}`
        : `Station ${stationId} flags are back to normal`;
    scope.dq(flagChange, keys.flag(stationId), stationId, flaggedKeys, ts, message, { flags: { ...flagged } });
  }

  const evidence: Record<string, number | undefined> = {};
  let thresholdChanged = false;
  for (const key in reading.values) {
    const value = reading.values[key] as number;
    if (!Number.isFinite(value)) continue;
    const series = st.seriesFor(key);
    const intervalMs = series.observe(ts);
    const flag = flagOf(reading, key);
    if (!isEvidence(flag)) continue; // fault/maintenance/calibration: data quality only (DESIGN.md)

    const flat = series.flat.update(ts, value);
    if (flat === 'raise') {
      scope.dq(
        'raise',
        keys.flat(stationId, key),
        stationId,
        [key],
        ts,
        `${key} at ${stationId} stuck at ${value} since ${new Date(series.flat.runStartTs as number).toISOString()}`,
        {
          values: { [key]: value },
          runStartTs: series.flat.runStartTs,
          samples: series.flat.runCount,
        },
      );
      // The stuck sensor's earlier values are not evidence either.
      if (series.threshold?.reset()) thresholdChanged = true;
      series.latest = undefined;
    } else if (flat === 'clear') {
      scope.dq('clear', keys.flat(stationId, key), stationId, [key], ts, `${key} at ${stationId} is moving again`, {
        values: { [key]: value },
      });
    }
    if (series.flat.open) continue;

    const drift = driftCondition.check(st, series, key, ts);
    if (drift !== 'none') {
      // A drifting sensor's values are data quality only; its history keeps being recorded to see it come back in line.
      series.trend?.history.add(ts, value);
      if (drift === 'raised') {
        if (series.threshold?.reset()) thresholdChanged = true;
        series.latest = undefined;
        trendCondition(scope, key, ts);
      }
      continue;
    }

    const spike = series.spike.update(ts, value, intervalMs);
    if (spike.spikeTs !== undefined) series.threshold?.retract(spike.spikeTs);
    if (spike.change) {
      const message =
        spike.change === 'raise'
          ? `${key} at ${stationId}: ${spike.count} implausible spikes within ${Math.round(scope.options.parameter(key).spike.windowMs / 3_600_000)} h (latest ${spike.spikeValue})`
          : `${key} at ${stationId}: no further spikes`;
      scope.dq(spike.change, keys.spike(stationId, key), stationId, [key], ts, message, {
        values: spike.spikeValue === undefined ? {} : { [key]: spike.spikeValue },
        spikeTs: spike.spikeTs,
        spikes: spike.count,
        scale: spike.scale,
      });
    }

    // A logger repeating the last 4-h analyzer result is not a new measurement for the sudden-change detector.
    const repeat =
      series.latest !== undefined &&
      series.latest.value === value &&
      scope.options.suddenChange.repeatedValuesAreStale.includes(key);
    if (!repeat) evidence[key] = value;
    if (series.latest) {
      series.latest.ts = ts;
      series.latest.value = value;
      series.latest.flag = flag;
    } else series.latest = { ts, value, flag };
    if (series.threshold) {
      const corroborated = st.suddenEvent !== undefined || scope.pastTargetElsewhere(key, stationId);
      const usual = series.trend ? (usualLevel(series, key, ts) ?? null) : undefined;
      if (series.threshold.update({ ts, value, flag, intervalMs, corroborated, usual })) thresholdChanged = true;
    }
    if (series.trend) {
      const t = series.trend.update(ts, value);
      if (t.change) trendCondition(scope, key, ts);
    }
  }

  const suddenChanged = feedSuddenChange(scope, st, ts, evidence);
  if (thresholdChanged || suddenChanged) exceedanceConditions(scope, ts);
  // A threshold change can turn an ongoing sudden change red (sudden-pollution pattern), so re-judge it too.
  if (suddenChanged || (thresholdChanged && st.suddenEvent)) suddenCondition(scope, st, ts);
  scope.upstreamEvents(scope.upstream.advance(ts));
}
