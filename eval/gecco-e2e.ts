/**
 * Offline vs end to end on the GECCO file (`npm run eval -- --replay-mqtt`):
 * the detector replayed row by row (evaluate-stream.ts), the same rows through
 * ingest validation and a SectionAnalyzer in memory (gecco-pipeline.ts), and
 * the running pipeline fed over MQTT (replay-mqtt.ts). The offline figures are
 * point-wise per row; the pipeline gives alert open/clear events, so all three
 * are compared as episodes (open → clear) and the episodes are turned back
 * into per-row alarms (open ≤ row < clear) for the same metrics.
 */
import { alertsConfig } from '../platform/redis/alerts/index.js';
import type { AlertEpisode } from './alert-episodes.js';
import type { EvalStationConfig } from './eval-config.js';
import type { StreamEvaluation } from './evaluate-stream.js';
import type { StreamRow } from './gecco.js';
import { replayThroughAnalyzer, scoreEpisodes, type EpisodeScore } from './gecco-pipeline.js';
import { runsOf, type EvalMetrics } from './metrics.js';
import type { ReplayMqttResult } from './replay-mqtt.js';

type Span = { readonly openTs: number; readonly closeTs: number | undefined };

/** Alarm runs of the row-wise replay as episodes: open at the run's first row, closed at the next row. */
export function episodesOfAlarms(ts: readonly number[], alarms: readonly boolean[]): Span[] {
  return runsOf(alarms as boolean[]).map((r) => ({ openTs: ts[r.first] as number, closeTs: ts[r.last + 1] }));
}

/** How many spans of `a` have an identical span (open and close time) in `b`. */
export function identicalSpans(a: readonly Span[], b: readonly Span[]): number {
  const keys = new Set(b.map((s) => `${s.openTs}/${s.closeTs ?? '-'}`));
  return a.filter((s) => keys.has(`${s.openTs}/${s.closeTs ?? '-'}`)).length;
}

/** Episodes a monitoring centre would see as separate alerts at real speed: re-raises within the auto-resolve hold merge. */
export function alertsAtRealSpeed(episodes: readonly Pick<AlertEpisode, 'openTs' | 'closeTs'>[], holdMs: number): number {
  let n = 0;
  let lastClose: number | undefined = Number.NEGATIVE_INFINITY;
  for (const e of [...episodes].sort((x, y) => x.openTs - y.openTs)) {
    if (lastClose === undefined || e.openTs > lastClose + holdMs) n++;
    lastClose = e.closeTs === undefined || lastClose === undefined ? undefined : Math.max(lastClose, e.closeTs);
  }
  return n;
}

const pct = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : '–');
const num = (x: number, d = 1): string => (Number.isFinite(x) ? x.toFixed(d) : '–');

function row(name: string, m: EvalMetrics, episodes: number): string {
  return [
    name.padEnd(34),
    pct(m.precision).padStart(6),
    pct(m.recall).padStart(6),
    pct(m.f1).padStart(6),
    `${m.eventsDetected}/${m.events}`.padStart(6),
    String(episodes).padStart(8),
    String(m.falseAlarmEpisodes).padStart(5),
    num(m.falseAlarmEpisodesPerDay, 2).padStart(6),
    num(m.medianDelayMin).padStart(7),
  ].join(' ');
}

export interface E2eComparison {
  readonly offline: { readonly metrics: EvalMetrics; readonly episodes: number };
  readonly analyzer: { readonly metrics: EvalMetrics; readonly episodes: number; readonly others: Record<string, number> };
  readonly endToEnd: {
    readonly metrics: EvalMetrics;
    readonly episodes: number;
    readonly others: Record<string, number>;
    readonly othersInEvents: Record<string, number>;
  };
  readonly identical: {
    readonly analyzerVsOffline: number;
    readonly endToEndVsAnalyzer: number;
    readonly endToEndVsOffline: number;
  };
  readonly alertsAtRealSpeed: number;
  readonly replay: Omit<ReplayMqttResult, 'events'> & { readonly events: number };
}

export function compareEndToEnd(
  cfg: EvalStationConfig,
  rows: readonly StreamRow[],
  labels: readonly boolean[],
  offline: StreamEvaluation,
  replay: ReplayMqttResult,
): E2eComparison {
  const ts = rows.map((r) => r.ts);
  const offlineSpans = episodesOfAlarms(ts, offline.alarms);
  const inMemory = replayThroughAnalyzer(cfg, rows);
  const analyzer: EpisodeScore = scoreEpisodes(inMemory.events, rows, labels);
  const e2e: EpisodeScore = scoreEpisodes(replay.events, rows, labels, replay.shiftMs);
  const unshift = (e: AlertEpisode): Span => ({
    openTs: e.openTs - replay.shiftMs,
    closeTs: e.closeTs === undefined ? undefined : e.closeTs - replay.shiftMs,
  });
  const e2eSpans = e2e.episodes.map(unshift);
  return {
    offline: { metrics: offline.metrics, episodes: offlineSpans.length },
    analyzer: { metrics: analyzer.metrics, episodes: analyzer.episodes.length, others: analyzer.others },
    endToEnd: { metrics: e2e.metrics, episodes: e2e.episodes.length, others: e2e.others, othersInEvents: e2e.othersInEvents },
    identical: {
      analyzerVsOffline: identicalSpans(analyzer.episodes, offlineSpans),
      endToEndVsAnalyzer: identicalSpans(e2eSpans, analyzer.episodes),
      endToEndVsOffline: identicalSpans(e2eSpans, offlineSpans),
    },
    alertsAtRealSpeed: alertsAtRealSpeed(e2eSpans, alertsConfig().autoResolveHoldMs),
    replay: { ...replay, events: replay.events.length },
  };
}

export function printEndToEnd(c: E2eComparison, out: (line: string) => void = console.log): void {
  const r = c.replay;
  const days = Math.round(r.shiftMs / 86_400_000);
  out('');
  out('GECCO end to end: rows published over MQTT (QoS 1) to real Mosquitto → ingest → Redis readings log → analytics');
  out('worker → alerts side (Redis), store → InfluxDB 1.x; services on loopback in a temp folder, roles in this process.');
  out(
    `  timestamps shifted by ${days} whole days (the file ends within a day before the run); ${r.published.readings} readings in ${r.published.messages} messages published in ${num(r.published.ms / 1000)} s; ${r.emptyRows} rows with no value not published (ingest refuses an empty reading)`,
  );
  out(
    `  analytics processed ${r.analytics.readings} readings (late ${r.analytics.late}, ignored as stale ${r.analytics.stale}), ${r.analytics.events} alert events; parameters: ${r.parameterWiring}${r.timedOut ? '; TIMED OUT waiting for analytics' : ''}`,
  );
  out(
    `  wall time: services ${num(r.timings.servicesMs / 1000)} s, roles ${num(r.timings.rolesMs / 1000)} s, publish ${num(r.published.ms / 1000)} s, until analytics done ${num(r.timings.drainMs / 1000)} s (the last readings wait for the reorder buffer's 60 s hold), total ${num(r.timings.totalMs / 1000)} s`,
  );
  out('');
  out(
    `${'sudden-change, whole file'.padEnd(34)} ${'P'.padStart(6)} ${'R'.padStart(6)} ${'F1'.padStart(6)} ${'events'.padStart(6)} ${'episodes'.padStart(8)} ${'FA ep'.padStart(5)} ${'FA/day'.padStart(6)} ${'med dly'.padStart(7)}`,
  );
  out(row('offline detector, row by row', c.offline.metrics, c.offline.episodes));
  out(row('offline SectionAnalyzer, episodes', c.analyzer.metrics, c.analyzer.episodes));
  out(row('end to end over MQTT, episodes', c.endToEnd.metrics, c.endToEnd.episodes));
  out(
    `  identical episodes (same open and clear row): analyzer vs offline ${c.identical.analyzerVsOffline}/${c.analyzer.episodes}, end to end vs analyzer ${c.identical.endToEndVsAnalyzer}/${c.endToEnd.episodes}, end to end vs offline ${c.identical.endToEndVsOffline}/${c.endToEnd.episodes}`,
  );
  const others = Object.entries(c.endToEnd.others)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}${k.startsWith('dq-') ? '' : ` (${c.endToEnd.othersInEvents[k] ?? 0} during a labelled event)`}`)
    .join(', ');
  out(`  other episodes the pipeline raised on this file (not scored by the GECCO figures): ${others || 'none'}`);
  const stored = r.storedDetail.map((a) => `${a.kind} ${a.key} ×${a.occurrences} (${a.maxLevel}, ${a.status})`).join('; ');
  out(`  alerts side: ${r.storedDetail.length} alerts stored: ${stored}`);
  out(
    `  (the alerts side merges re-raises of a key within its auto-resolve hold, ${alertsConfig().autoResolveHoldMs / 60_000} min of clock time; the replay runs 58 days in seconds, so every episode of a key lands in one alert. At real speed the ${c.endToEnd.episodes} sudden-change episodes would be ${c.alertsAtRealSpeed} alerts.)`,
  );
}
