/**
 * The section report for the joint meeting of both jurisdictions (issue 8
 * §4; policy.md "Ledger"): over a period, class attainment from the hourly
 * class, exceedances of the target from hourly means per station and
 * parameter, and the alerts and joint-monitoring tasks of the section.
 */
import {
  exceedanceMultiple,
  isClassParameter,
  limitFor,
  meetsLimit,
  type ClassLimit,
  type Registry,
  type Section,
} from '../../domain/index.js';
import type { Alert, AlertFilter, FeedbackEntry, Task, TaskFilter } from '../../platform/redis/alerts/index.js';
import { classAttainment, type ClassAttainment } from '../queries/class-attainment.js';
import type { ReadingSeries, ReadingsQueries } from '../queries/readings-queries.js';
import type { TimeRange } from '../queries/time-range.js';

/** What the report needs of the alerts side (AlertsService). */
export interface AlertsReader {
  listAlerts(filter: AlertFilter): Promise<{ items: Alert[]; total: number }>;
  listTasks(filter: TaskFilter): Promise<{ items: Task[]; total: number }>;
  /** Feedback labels of alerts (issue 15 §5), when the alerts side keeps them. */
  readonly feedback?: { currentOf(alertIds: readonly string[]): Promise<Map<string, FeedbackEntry>> };
}

/** Label key of a feedback entry as counted in the report: `real-event`, `false-alarm:{cause}`, `test`. */
export function labelKeyOf(entry: Pick<FeedbackEntry, 'label' | 'cause'>): string {
  return entry.label === 'false-alarm' ? `false-alarm:${entry.cause ?? 'unknown'}` : entry.label;
}

export interface Exceedance {
  readonly stationId: string;
  readonly parameter: string;
  readonly limit: ClassLimit;
  /** Hourly means worse than the target limit. */
  readonly hours: number;
  /** Hourly means evaluated (hours with flagged values are left out). */
  readonly evaluatedHours: number;
  /** Hours left out because flagged (non-N) values went into their mean. */
  readonly flaggedHours: number;
  /** Worst hourly mean (highest for upper limits, lowest for DO) and its hour. */
  readonly worst: { readonly value: number; readonly ts: number } | undefined;
  /** Largest exceedance multiple (upper limits only). */
  readonly maxMultiple: number | undefined;
  readonly firstTs: number | undefined;
  readonly lastTs: number | undefined;
}

export interface SectionReport {
  readonly generatedAt: number;
  readonly range: TimeRange;
  readonly section: Section;
  readonly attainment: ClassAttainment;
  readonly exceedances: readonly Exceedance[];
  /** Undefined when the alerts side is not wired into this process. */
  readonly alerts: readonly Alert[] | undefined;
  readonly tasks: readonly Task[] | undefined;
  /** More alerts or tasks existed than the report lists. */
  readonly truncated: boolean;
  /** Latest feedback label per alert id of the period (issue 15 §5); undefined without the alerts side. */
  readonly feedback?: Readonly<Record<string, FeedbackEntry>> | undefined;
  /** The period's alerts by label key (labelKeyOf), `unlabelled` for those without one. */
  readonly feedbackCounts?: Readonly<Record<string, number>> | undefined;
}

const HOUR = { ms: 3_600_000, offsetMs: 0 };
const MAX_LISTED = 500;

/** Exceedances of one station's hourly means against the section's target. Pure. */
export function exceedancesOf(stationId: string, series: ReadingSeries, section: Section): Exceedance[] {
  const out: Exceedance[] = [];
  for (const [parameter, values] of Object.entries(series.values)) {
    if (!isClassParameter(parameter, section.waterBody)) continue;
    const limit = limitFor(parameter, section.targetClass, section.waterBody);
    if (!limit) continue;
    const flagged = series.flagged[parameter] ?? [];
    let hours = 0;
    let evaluatedHours = 0;
    let flaggedHours = 0;
    let worst: { value: number; ts: number } | undefined;
    let maxMultiple: number | undefined;
    let firstTs: number | undefined;
    let lastTs: number | undefined;
    values.forEach((value, i) => {
      if (value === null) return;
      if ((flagged[i] ?? 0) > 0) {
        flaggedHours += 1;
        return;
      }
      evaluatedHours += 1;
      const ts = series.times[i] as number;
      if (meetsLimit(value, limit)) return;
      hours += 1;
      firstTs ??= ts;
      lastTs = ts;
      const worse =
        worst === undefined ||
        (limit.kind === 'lower'
          ? value < worst.value
          : limit.kind === 'range'
            ? distance(value, limit) > distance(worst.value, limit)
            : value > worst.value);
      if (worse) worst = { value, ts };
      const multiple = exceedanceMultiple(parameter, value, section.targetClass, section.waterBody);
      if (multiple !== undefined && (maxMultiple === undefined || multiple > maxMultiple)) maxMultiple = multiple;
    });
    out.push({ stationId, parameter, limit, hours, evaluatedHours, flaggedHours, worst, maxMultiple, firstTs, lastTs });
  }
  return out;
}

function distance(value: number, limit: ClassLimit): number {
  return limit.kind === 'range' ? Math.max(limit.min - value, value - limit.max, 0) : 0;
}

export async function buildSectionReport(deps: {
  registry: Registry;
  queries: ReadingsQueries;
  alerts: AlertsReader | undefined;
  section: Section;
  range: TimeRange;
  nowMs: number;
}): Promise<SectionReport> {
  const { registry, queries, section, range } = deps;
  const stations = registry.stationsOf(section.id);
  const parameters = [...new Set(stations.flatMap((s) => s.parameters))].filter((p) => isClassParameter(p, section.waterBody));
  const [classPoints, hourly, alerts, tasks] = await Promise.all([
    queries.sectionClassHistory(section.id, range, 20_000),
    queries.downsampledByStation(
      stations.map((s) => s.id),
      parameters,
      range,
      HOUR,
      'mean',
    ),
    // Not resolved before the period began; whether it belongs to the period is decided by event time below.
    deps.alerts?.listAlerts({ sectionId: section.id, from: range.fromMs, limit: MAX_LISTED, offset: 0 }),
    deps.alerts?.listTasks({ sectionId: section.id, limit: MAX_LISTED, offset: 0 }),
  ]);
  // An alert belongs to the period when the readings that raised it did (event time): a report of a past
  // period lists what happened then, even if the system only saw it later (a backlog upload).
  const alertsInPeriod = alerts?.items.filter((a) => Math.min(a.firstSeen, a.openedAt) < range.toMs);
  const periodAlertIds = new Set(alertsInPeriod?.map((a) => a.id));
  const exceedances = stations.flatMap((s) => {
    const series = hourly.get(s.id);
    return series ? exceedancesOf(s.id, series, section).filter((e) => s.parameters.includes(e.parameter)) : [];
  });
  const tasksInPeriod = tasks?.items.filter(
    (t) =>
      (t.openedAt < range.toMs || t.alertIds.some((id) => periodAlertIds.has(id))) &&
      (t.closedAt === undefined || t.closedAt >= range.fromMs),
  );
  const labels = alertsInPeriod ? await deps.alerts?.feedback?.currentOf(alertsInPeriod.map((a) => a.id)) : undefined;
  const feedbackCounts: Record<string, number> | undefined = labels && alertsInPeriod ? {} : undefined;
  if (feedbackCounts && labels && alertsInPeriod)
    for (const a of alertsInPeriod) {
      const entry = labels.get(a.id);
      const key = entry ? labelKeyOf(entry) : 'unlabelled';
      feedbackCounts[key] = (feedbackCounts[key] ?? 0) + 1;
    }
  return {
    generatedAt: deps.nowMs,
    range,
    section,
    attainment: classAttainment(classPoints, section.targetClass, range),
    exceedances,
    alerts: alertsInPeriod,
    tasks: tasksInPeriod,
    truncated: (alerts?.total ?? 0) > MAX_LISTED || (tasks?.total ?? 0) > MAX_LISTED,
    feedback: labels ? Object.fromEntries(labels) : undefined,
    feedbackCounts,
  };
}
