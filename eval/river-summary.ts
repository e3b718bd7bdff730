/**
 * Figures of the simulated river scenarios, JSON-safe (printed by
 * river-report.ts, `npm run eval -- --json` prints them as they are).
 */
import { jointTasksOpened } from './joint-tasks.js';
import { isClassParameter, type Registry } from '../domain/index.js';
import type { GroundTruthLabel } from '../simulators/index.js';
import type { RiverScenarioResult } from './river-scenarios.js';
import {
  byStationEvent,
  detectAll,
  explainEpisodes,
  exposure,
  faultsSeen,
  type ExplainedEpisode,
  type LabelDetection,
  type StationEventSummary,
} from './river-scoring.js';
import { preWarningCauses, preWarnings, type PreWarning } from './pre-warnings.js';

export interface ScenarioFigures {
  readonly name: string;
  readonly purpose: string;
  readonly seed: number;
  readonly fromMs: number;
  readonly toMs: number;
  readonly days: number;
  readonly stations: number;
  readonly readings: number;
  readonly rejected: number;
  /** Readings the analyzers ignored as not newer than their station's last one. */
  readonly stale: number;
  readonly wallMs: number;
  readonly stationMonths: number;
  readonly sectionMonths: number;
  /** Origin pollution episodes by explanation (pollution / natural / fault-only / none). */
  readonly episodes: Record<string, number>;
  readonly dataQualityEpisodes: number;
  readonly preWarningEpisodes: number;
  /** Rain-runoff notices (kind `runoff`, never pollution). */
  readonly runoffEpisodes: number;
  /** Joint on-site tasks the alerts would open under the default task rules (joint-tasks.ts). */
  readonly jointTasks: number;
  readonly jointTasksBySection: Readonly<Record<string, number>>;
  /** Pre-warning episodes by the explanation of the upstream episode that triggered them. */
  readonly preWarningCauses: Record<string, number>;
  /** Opened outside every label: by kind/level. */
  readonly unexplained: readonly EpisodeLine[];
  readonly faultOnly: readonly EpisodeLine[];
  readonly natural: readonly EpisodeLine[];
  readonly spills: readonly StationEventSummary[];
  readonly spillLabels: LabelCounts;
  readonly preWarnings: readonly PreWarning[];
  readonly trends: readonly StationEventSummary[];
  readonly trendLabels: LabelCounts;
  readonly rain: readonly StationEventSummary[];
  readonly faults: readonly { eventId: string; kind: string; stationId: string; dqKeys: string[] }[];
}

export interface EpisodeLine {
  readonly key: string;
  readonly openTs: number;
  readonly closeTs: number | undefined;
  readonly kinds: string;
  readonly maxLevel: string;
  readonly parameters: string;
  /** First raise's evidence, e.g. `codmn 4.9 (limit 6)`. */
  readonly evidence: string;
  /** First raise's value and limit of the first parameter, when the evidence has them. */
  readonly value: number | undefined;
  readonly limit: number | undefined;
  readonly eventIds: readonly string[];
}

export interface LabelCounts {
  readonly labels: number;
  readonly detected: number;
  /** Labels of class parameters whose station read past the target class. */
  readonly pastTarget: number;
  /** ... detected no later than that parameter's next reading. */
  readonly pastTargetInTime: number;
  /** Labels of class parameters whose modelled water went past the target class. */
  readonly waterPast: number;
  /** ... detected no later than one sampling interval of that parameter after the water went past. */
  readonly waterPastInTime: number;
  /** ... of which no reading of the parameter was past the target (the plume passed between samples). */
  readonly waterPastNeverRead: number;
  /** Labels whose peak is labelled past target (exceedsTarget, class parameters) but no reading went past. */
  readonly labelledPastButNoReading: number;
  /** River TN labels flagged exceedsTarget (TN is not a river class parameter, domain-facts §1.2). */
  readonly tnRiverExceedsLabels: number;
}

function line(x: ExplainedEpisode): EpisodeLine {
  const e = x.episode;
  const r = e.raises[0];
  const evidence = r
    ? Object.entries(r.values)
        .map(([k, v]) => `${k} ${v}${r.limit[k] === undefined ? '' : ` (limit ${r.limit[k]})`}`)
        .join(', ')
    : '';
  const first = e.parameters[0];
  return {
    key: e.key,
    value: r && first !== undefined ? r.values[first] : undefined,
    limit: r && first !== undefined ? r.limit[first] : undefined,
    openTs: e.openTs,
    closeTs: e.closeTs,
    kinds: e.kinds.join('→'),
    maxLevel: e.maxLevel ?? '-',
    parameters: e.parameters.join('+'),
    evidence,
    eventIds: x.eventIds,
  };
}

function counts(ds: readonly LabelDetection[], registry: Registry): LabelCounts {
  const cls = (l: GroundTruthLabel) => {
    const s = registry.section(l.sectionId);
    return s !== undefined && isClassParameter(l.parameter, s.waterBody);
  };
  const past = ds.filter((d) => d.pastTarget?.firstPastTs !== undefined);
  const water = ds.filter((d) => d.pastTarget?.waterPastTs !== undefined);
  return {
    labels: ds.length,
    detected: ds.filter((d) => d.detectedTs !== undefined).length,
    pastTarget: past.length,
    pastTargetInTime: past.filter(
      (d) => d.detectedTs !== undefined && d.detectedTs <= (d.pastTarget?.nextTs ?? Number.POSITIVE_INFINITY),
    ).length,
    waterPast: water.length,
    waterPastInTime: water.filter(
      (d) =>
        d.detectedTs !== undefined &&
        d.detectedTs <= (d.pastTarget?.waterPastTs as number) + (d.pastTarget?.intervalMs ?? Number.POSITIVE_INFINITY),
    ).length,
    waterPastNeverRead: water.filter((d) => d.pastTarget?.firstPastTs === undefined).length,
    labelledPastButNoReading: ds.filter(
      (d) => d.label.exceedsTarget === true && cls(d.label) && d.pastTarget?.firstPastTs === undefined,
    ).length,
    tnRiverExceedsLabels: ds.filter((d) => d.label.exceedsTarget === true && !cls(d.label)).length,
  };
}

export function scenarioFigures(result: RiverScenarioResult, registry: Registry): ScenarioFigures {
  const { run, episodes, spec } = result;
  const classParameter = (l: GroundTruthLabel): boolean => {
    const s = registry.section(l.sectionId);
    return s !== undefined && isClassParameter(l.parameter, s.waterBody);
  };
  const explained = explainEpisodes(run.labels, episodes);
  const byExplanation: Record<string, number> = { pollution: 0, natural: 0, 'fault-only': 0, none: 0 };
  for (const x of explained) byExplanation[x.explanation] = (byExplanation[x.explanation] ?? 0) + 1;
  const spills = detectAll(run, episodes, 'spill');
  const trends = detectAll(run, episodes, 'trend');
  const rain = detectAll(run, episodes, 'rain');
  const tasks = jointTasksOpened(episodes, registry);
  return {
    name: spec.name,
    purpose: spec.purpose,
    seed: run.seed,
    fromMs: run.fromMs,
    toMs: run.toMs,
    days: (run.toMs - run.fromMs) / 86_400_000,
    stations: run.stations.length,
    readings: run.readings,
    rejected: run.rejected,
    stale: run.stale,
    wallMs: run.wallMs,
    stationMonths: exposure(run).stationMonths,
    sectionMonths: exposure(run).sectionMonths,
    episodes: byExplanation,
    dataQualityEpisodes: episodes.filter((e) => e.kinds.includes('data-quality')).length,
    preWarningEpisodes: episodes.filter((e) => e.kinds.includes('upstream-arrival')).length,
    runoffEpisodes: episodes.filter((e) => e.kinds.length === 1 && e.kinds[0] === 'runoff').length,
    jointTasks: tasks.opened,
    jointTasksBySection: tasks.bySection,
    preWarningCauses: preWarningCauses(explained, episodes),
    unexplained: explained.filter((x) => x.explanation === 'none').map(line),
    faultOnly: explained.filter((x) => x.explanation === 'fault-only').map(line),
    natural: explained.filter((x) => x.explanation === 'natural').map(line),
    spills: byStationEvent(spills, classParameter),
    spillLabels: counts(spills, registry),
    preWarnings: preWarnings(run, episodes, spills),
    trends: byStationEvent(trends, classParameter),
    trendLabels: counts(trends, registry),
    rain: byStationEvent(rain, classParameter),
    faults: faultsSeen(run.labels, episodes),
  };
}
