/**
 * Scores a simulated scenario run against its ground-truth labels
 * (docs/evaluation.md gives the definitions in prose). Pure.
 *
 * - A label (station, parameter, window) is **detected** when a pollution
 *   alert of the label's section — early-warning, exceedance, sudden-change or
 *   trend, never data-quality and never an upstream-arrival pre-warning — that
 *   names the label's parameter is raised (opened, or updated with a new
 *   level or parameter) inside the window, or, for a label whose station
 *   read past the target class, up to that parameter's next reading after
 *   the first reading past the target. An alert that was already open before
 *   the window and says nothing new inside it does not count.
 * - A spill **meets the target** at a station when it is detected no later
 *   than the next reading of the parameter that first went past the target
 *   class there (one sampling interval of that series).
 * - An alert episode is **explained** by a label of the same station (or the
 *   same section, for water events) whose window, extended by `slackMs`,
 *   contains the episode's opening time; it is **caused by a fault** when
 *   every label that explains it is a fault (data-quality) label.
 */
import type { GroundTruthLabel, LabelCategory } from '../simulators/index.js';
import { isOriginPollution, ORIGIN_POLLUTION_KINDS, type AlertEpisode, type EpisodeRaise } from './alert-episodes.js';
import type { PastTarget, ScenarioRun } from './river-run.js';

/** Time after a label's end during which an alert opening is still put down to it. @defaultValue 2 h */
export const EXPLAIN_SLACK_MS = 2 * 3_600_000;
const MONTH_MS = 30 * 86_400_000;

export interface LabelDetection {
  readonly index: number;
  readonly label: GroundTruthLabel;
  readonly pastTarget: PastTarget | undefined;
  readonly detectedTs: number | undefined;
  readonly by: (EpisodeRaise & { readonly key: string }) | undefined;
}

/** Detection of one label by the origin pollution episodes of its section. */
export function detectLabel(
  index: number,
  label: GroundTruthLabel,
  episodes: readonly AlertEpisode[],
  pastTarget: PastTarget | undefined,
): LabelDetection {
  const start = label.startMs;
  const end = Math.max(
    label.endMs ?? Number.POSITIVE_INFINITY,
    pastTarget?.nextTs ?? Number.NEGATIVE_INFINITY,
    pastTarget?.waterPastTs !== undefined && pastTarget.intervalMs !== undefined
      ? pastTarget.waterPastTs + pastTarget.intervalMs
      : Number.NEGATIVE_INFINITY,
  );
  let best: { ts: number; raise: EpisodeRaise; key: string } | undefined;
  for (const ep of episodes) {
    if (ep.sectionId !== label.sectionId || !isOriginPollution(ep)) continue;
    if (ep.openTs > end || (ep.closeTs !== undefined && ep.closeTs <= start)) continue;
    const named = new Set<string>();
    for (const r of ep.raises) {
      if (r.ts > end) break;
      for (const p of r.parameters) named.add(p);
      // A runoff notice is not a pollution alert, neither for a spill nor for rain (issue 13 §3).
      if (r.ts < start || !named.has(label.parameter) || !ORIGIN_POLLUTION_KINDS.includes(r.kind)) continue;
      if (!best || r.ts < best.ts) best = { ts: r.ts, raise: r, key: ep.key };
      break;
    }
  }
  return {
    index,
    label,
    pastTarget,
    detectedTs: best?.ts,
    by: best ? { ...best.raise, key: best.key } : undefined,
  };
}

export function detectAll(run: ScenarioRun, episodes: readonly AlertEpisode[], kind: GroundTruthLabel['kind']): LabelDetection[] {
  const out: LabelDetection[] = [];
  run.labels.forEach((label, index) => {
    if (label.kind === kind) out.push(detectLabel(index, label, episodes, run.pastTarget.get(index)));
  });
  return out;
}

/** One event at one station: its labels (parameters) taken together. */
export interface StationEventSummary {
  readonly eventId: string;
  readonly stationId: string;
  readonly sectionId: string;
  readonly labels: number;
  readonly detectedLabels: number;
  /** Earliest detection over the parameters. */
  readonly detectedTs: number | undefined;
  readonly detectedBy: string | undefined;
  readonly windowStartMs: number;
  readonly peakMs: number | undefined;
  /** Earliest reading past the target class over the class parameters, and that parameter's next reading. */
  readonly firstPast: { readonly ts: number; readonly nextTs: number | undefined; readonly parameter: string } | undefined;
  /** Earliest minute the modelled water was past the target, and the sampling interval of that parameter. */
  readonly waterPast: { readonly ts: number; readonly intervalMs: number | undefined; readonly parameter: string } | undefined;
  /** Label says the peak exceeds the target (calm value + peak change, class parameters only). */
  readonly labelledPastTarget: boolean;
  /** Detected no later than firstPast.nextTs; undefined when no reading went past the target. */
  readonly metTarget: boolean | undefined;
  /** Detected no later than waterPast.ts + its interval; undefined when the water never went past the target. */
  readonly metStrict: boolean | undefined;
}

export function byStationEvent(
  detections: readonly LabelDetection[],
  classParameter: (l: GroundTruthLabel) => boolean,
): StationEventSummary[] {
  const groups = new Map<string, LabelDetection[]>();
  for (const d of detections) {
    const k = `${d.label.eventId}\u0000${d.label.stationId}`;
    groups.set(k, [...(groups.get(k) ?? []), d]);
  }
  const out: StationEventSummary[] = [];
  for (const list of groups.values()) {
    const first = list[0] as LabelDetection;
    const detected = list.filter((d) => d.detectedTs !== undefined);
    const earliest = detected.sort((a, b) => (a.detectedTs as number) - (b.detectedTs as number))[0];
    let firstPast: StationEventSummary['firstPast'];
    let waterPast: StationEventSummary['waterPast'];
    for (const d of list) {
      const p = d.pastTarget;
      if (p?.firstPastTs !== undefined && (!firstPast || p.firstPastTs < firstPast.ts))
        firstPast = { ts: p.firstPastTs, nextTs: p.nextTs, parameter: d.label.parameter };
      if (p?.waterPastTs !== undefined && (!waterPast || p.waterPastTs < waterPast.ts))
        waterPast = { ts: p.waterPastTs, intervalMs: p.intervalMs, parameter: d.label.parameter };
    }
    const det = earliest?.detectedTs;
    out.push({
      eventId: first.label.eventId,
      stationId: first.label.stationId,
      sectionId: first.label.sectionId,
      labels: list.length,
      detectedLabels: detected.length,
      detectedTs: det,
      detectedBy: earliest?.by
        ? `${earliest.by.kind}/${earliest.by.level ?? '-'} ${earliest.by.parameters.join('+')}`
        : undefined,
      windowStartMs: Math.min(...list.map((d) => d.label.startMs)),
      peakMs: first.label.peakMs,
      firstPast,
      waterPast,
      labelledPastTarget: list.some((d) => d.label.exceedsTarget === true && classParameter(d.label)),
      metTarget: firstPast === undefined ? undefined : det !== undefined && det <= (firstPast.nextTs ?? Number.POSITIVE_INFINITY),
      metStrict:
        waterPast === undefined
          ? undefined
          : det !== undefined && det <= waterPast.ts + (waterPast.intervalMs ?? Number.POSITIVE_INFINITY),
    });
  }
  return out.sort((a, b) => a.windowStartMs - b.windowStartMs || a.stationId.localeCompare(b.stationId));
}

export type Explanation = LabelCategory | 'fault-only' | 'none';

export interface ExplainedEpisode {
  readonly episode: AlertEpisode;
  /** pollution / natural when such a label explains it; fault-only when only data-quality labels do; none otherwise. */
  readonly explanation: Explanation;
  readonly eventIds: readonly string[];
}

/** Puts each origin pollution episode down to the labels around it (station/time, `slackMs` after a label's end). */
export function explainEpisodes(
  labels: readonly GroundTruthLabel[],
  episodes: readonly AlertEpisode[],
  slackMs = EXPLAIN_SLACK_MS,
): ExplainedEpisode[] {
  return episodes.filter(isOriginPollution).map((episode) => {
    const hits = labels.filter((l) => {
      const sameStation = episode.stationId !== undefined && l.stationId === episode.stationId;
      const where = l.category === 'data-quality' ? sameStation : sameStation || l.sectionId === episode.sectionId;
      const end = (l.endMs ?? Number.POSITIVE_INFINITY) + slackMs;
      return where && episode.openTs >= l.startMs && episode.openTs <= end;
    });
    const cats = new Set(hits.map((l) => l.category));
    const explanation: Explanation = cats.has('pollution')
      ? 'pollution'
      : cats.has('natural')
        ? 'natural'
        : cats.has('data-quality')
          ? 'fault-only'
          : 'none';
    return { episode, explanation, eventIds: [...new Set(hits.map((l) => l.eventId))].sort() };
  });
}

/** Station-months of a run (30-day months) and sections in it. */
export function exposure(run: ScenarioRun): { stationMonths: number; sectionMonths: number } {
  const months = (run.toMs - run.fromMs) / MONTH_MS;
  return {
    stationMonths: run.stations.length * months,
    sectionMonths: new Set(run.stations.map((s) => s.sectionId)).size * months,
  };
}

/** Data-quality episodes that answer a fault (same station, opened inside the fault window + slack), per fault and station. */
export function faultsSeen(
  labels: readonly GroundTruthLabel[],
  episodes: readonly AlertEpisode[],
  slackMs = EXPLAIN_SLACK_MS,
): { eventId: string; kind: string; stationId: string; dqKeys: string[] }[] {
  const groups = new Map<string, GroundTruthLabel[]>();
  for (const l of labels)
    if (l.category === 'data-quality')
      groups.set(`${l.eventId}\u0000${l.stationId}`, [...(groups.get(`${l.eventId}\u0000${l.stationId}`) ?? []), l]);
  return [...groups.values()].map((ls) => {
    const l0 = ls[0] as GroundTruthLabel;
    const from = Math.min(...ls.map((l) => l.startMs));
    const to = Math.max(...ls.map((l) => l.endMs ?? Number.POSITIVE_INFINITY)) + slackMs;
    const dqKeys = episodes
      .filter((e) => e.kinds.includes('data-quality') && e.stationId === l0.stationId && e.openTs >= from && e.openTs <= to)
      .map((e) => e.key);
    return { eventId: l0.eventId, kind: l0.kind, stationId: l0.stationId, dqKeys: [...new Set(dqKeys)] };
  });
}
