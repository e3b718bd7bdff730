/**
 * The GECCO file as the running pipeline sees it, without any I/O: each row
 * becomes a reading payload (signals with a value only, timestamps shifted by
 * `shiftMs`), goes through the ingest validation and one `SectionAnalyzer`
 * with the evaluation registry and parameters, and the alert events come out
 * as they would from the analytics worker. This is the middle column between
 * the offline detector replay (evaluate-stream.ts: the detector alone, one
 * decision per row) and the end-to-end replay over MQTT (replay-mqtt.ts);
 * comparing the three tells what the composition changes and what the
 * transport changes.
 *
 * Also: the analytics options the pipeline needs for this station (its
 * context signals), and the per-row scoring of sudden-change episodes.
 */
import {
  ManualClock,
  type AlertEvent,
  type ParameterTable,
  type Reading,
  type ReadingPayload,
  type Registry,
} from '../domain/index.js';
import { validateSubmission } from '../ingest/validate.js';
import type { AnalyticsOptionsInput } from '../analytics/options.js';
import { SectionAnalyzer } from '../analytics/section-analyzer.js';
import { alarmsFromEpisodes, episodesOf, type AlertEpisode } from './alert-episodes.js';
import type { EvalStationConfig } from './eval-config.js';
import type { StreamRow } from './gecco.js';
import { computeMetrics, type EvalMetrics } from './metrics.js';

/**
 * Analytics options for the evaluation station: its context signals (temperature and the two flows) are
 * context for the sudden-change detector, as in the offline replay. Everything else stays at the defaults.
 */
export function geccoAnalyticsOptions(cfg: EvalStationConfig): AnalyticsOptionsInput {
  return { suddenChange: { contextParameters: cfg.signals.filter((s) => s.role === 'context').map((s) => s.key) } };
}

/** The payload a gateway would publish for a row (signals without a value are left out); undefined when none has one. */
export function rowPayload(stationId: string, row: StreamRow, shiftMs: number, seq: number): ReadingPayload | undefined {
  const values: Record<string, number> = {};
  for (const [k, v] of Object.entries(row.values)) if (v !== undefined) values[k] = v;
  if (Object.keys(values).length === 0) return undefined;
  return { stationId, ts: row.ts + shiftMs, seq, values };
}

export interface AnalyzerReplay {
  readonly events: AlertEvent[];
  readonly readings: number;
  /** Rows the ingest validation would refuse (every signal missing). */
  readonly refusedRows: number;
  readonly wallMs: number;
}

/** Replays the rows through ingest validation and one SectionAnalyzer, in order, no ticks (no offline checks). */
export function replayThroughAnalyzer(
  cfg: EvalStationConfig,
  rows: readonly StreamRow[],
  nowMs: () => number = () => performance.now(),
): AnalyzerReplay {
  const t0 = nowMs();
  const registry: Registry = cfg.registry;
  const parameters: ParameterTable = cfg.parameters;
  const clock = new ManualClock(rows[0]?.ts ?? 0);
  const analyzer = new SectionAnalyzer({
    registry,
    sectionId: cfg.station.sectionId,
    clock,
    parameters,
    options: geccoAnalyticsOptions(cfg),
  });
  const events: AlertEvent[] = [];
  let readings = 0;
  let refusedRows = 0;
  rows.forEach((row, i) => {
    clock.set(row.ts);
    const payload = rowPayload(cfg.station.id, row, 0, i + 1);
    if (!payload) {
      refusedRows++;
      return;
    }
    const result = validateSubmission(
      { source: 'replay', payload, raw: '', authStationId: cfg.station.id },
      { registry, parameters, limits: { maxFutureMs: 300_000, maxAgeMs: 366 * 86_400_000, maxBatch: 1000 }, now: row.ts },
    );
    if (result.readings.length === 0) refusedRows++;
    readings += result.readings.length;
    events.push(...analyzer.process(result.readings as Reading[]));
  });
  return { events, readings, refusedRows, wallMs: nowMs() - t0 };
}

export interface EpisodeScore {
  readonly metrics: EvalMetrics;
  /** Sudden-change episodes of the station. */
  readonly episodes: readonly AlertEpisode[];
  /** Other pollution episodes (threshold, trend) and data-quality episodes, by key prefix, level and parameters. */
  readonly others: Record<string, number>;
  /** Of those, the ones open during at least one labelled row. */
  readonly othersInEvents: Record<string, number>;
}

/**
 * Scores the sudden-change episodes of `events` against the labelled rows:
 * row i is alarmed when an episode is open at its time (episode times shifted back by `shiftMs`).
 */
export function scoreEpisodes(
  events: readonly AlertEvent[],
  rows: readonly StreamRow[],
  labels: readonly boolean[],
  shiftMs = 0,
): EpisodeScore {
  const episodes = episodesOf(events);
  const sudden = episodes.filter((e) => e.kinds.includes('sudden-change'));
  const others: Record<string, number> = {};
  const othersInEvents: Record<string, number> = {};
  const ts = rows.map((r) => r.ts);
  for (const e of episodes) {
    if (e.kinds.includes('sudden-change')) continue;
    const name = `${e.key.split(':')[0] ?? ''}${e.maxLevel ? `/${e.maxLevel}` : ''}${e.parameters.length ? ` ${e.parameters.join('+')}` : ''}`;
    others[name] = (others[name] ?? 0) + 1;
    const open = e.openTs - shiftMs;
    const close = e.closeTs === undefined ? Number.POSITIVE_INFINITY : e.closeTs - shiftMs;
    let inEvent = false;
    for (let i = lowerBound(ts, open); i < ts.length && (ts[i] as number) < close && !inEvent; i++) inEvent = labels[i] === true;
    if (inEvent) othersInEvents[name] = (othersInEvents[name] ?? 0) + 1;
  }
  const shifted = sudden.map((e) => ({
    openTs: e.openTs - shiftMs,
    closeTs: e.closeTs === undefined ? undefined : e.closeTs - shiftMs,
  }));
  return { metrics: computeMetrics(ts, labels, alarmsFromEpisodes(ts, shifted)), episodes: sudden, others, othersInEvents };
}

/** First index with ts[i] ≥ t (ts sorted). */
function lowerBound(ts: readonly number[], t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((ts[mid] as number) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
