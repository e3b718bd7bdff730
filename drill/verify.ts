/**
 * The drill's and the scale-out test's verdicts: what the gateways were
 * acknowledged against what InfluxDB holds, and the alerts and tasks in
 * Redis against the guarantees "one condition raises one alert" and "one
 * alert starts at most one joint-monitoring task" (DESIGN.md "Guarantees").
 */
import type { Redis } from '../platform/redis/client.js';
import { AlertsService, type Alert, type Task } from '../platform/redis/alerts/index.js';
import { levelRank, type Registry } from '../domain/index.js';
import { quoteString, type InfluxStore } from '../platform/influx/client.js';
import { silentLogger } from '../platform/logger.js';
import { createMetricsRegistry } from '../platform/metrics.js';
import { partitionKey } from '../platform/redis/readings/readings-log.js';
import { readingKey, type AckLedger, type AckRecord } from './ack-ledger.js';

/** Timestamps of every point InfluxDB holds per station (measurement water_quality). */
export async function storedReadings(influx: InfluxStore, stationIds: readonly string[]): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for (const stationId of stationIds) {
    // `source` is written with every reading (platform/influx/line-protocol.ts), whatever values it carries.
    const series = await influx.query(`SELECT "source" FROM water_quality WHERE station = ${quoteString(stationId)}`);
    out.set(
      stationId,
      (series[0]?.values ?? []).map((row) => row[0] as number),
    );
  }
  return out;
}

export interface StoreComparison {
  /** Readings the gateways sent at least once. */
  readonly sent: number;
  /** Readings acknowledged to the gateways. */
  readonly acked: number;
  /** Points in InfluxDB for the stations involved. */
  readonly storedPoints: number;
  /** Acknowledged readings found in InfluxDB. */
  readonly ackedStored: number;
  /** Acknowledged readings missing from InfluxDB. */
  readonly lost: readonly AckRecord[];
  /** Points stored more than once for one station and time (InfluxDB keeps one per series and time; counted to be sure). */
  readonly duplicatePoints: number;
  /** Points that match no reading any gateway sent. */
  readonly strays: number;
  /** Sent, never acknowledged, but stored anyway (the acknowledgement was lost on the way back; harmless). */
  readonly storedUnacked: number;
  /** Refused by the platform with a reason (not acknowledged). */
  readonly refused: number;
}

export function compareWithStore(ledger: AckLedger, stored: ReadonlyMap<string, readonly number[]>): StoreComparison {
  const storedKeys = new Set<string>();
  let storedPoints = 0;
  let duplicatePoints = 0;
  let strays = 0;
  let storedUnacked = 0;
  for (const [stationId, times] of stored) {
    for (const ts of times) {
      storedPoints++;
      const key = readingKey(stationId, ts);
      if (storedKeys.has(key)) duplicatePoints++;
      storedKeys.add(key);
      if (!ledger.wasSent(stationId, ts)) strays++;
      else if (!ledger.isAcked(stationId, ts)) storedUnacked++;
    }
  }
  const lost: AckRecord[] = [];
  let ackedStored = 0;
  for (const record of ledger.acked()) {
    if (storedKeys.has(readingKey(record.stationId, record.ts))) ackedStored++;
    else lost.push(record);
  }
  return {
    sent: ledger.sentCount,
    acked: ledger.ackedCount,
    storedPoints,
    ackedStored,
    lost,
    duplicatePoints,
    strays,
    storedUnacked,
    refused: ledger.refused().size,
  };
}

/** Alerts and tasks as the alerts stage holds them (read through the service without workers). */
export async function readAlertsAndTasks(
  redis: Redis,
  registry: Registry,
  prefix: string,
): Promise<{ alerts: Alert[]; tasks: Task[] }> {
  const service = new AlertsService({
    redis,
    registry,
    logger: silentLogger(),
    metricsRegistry: createMetricsRegistry(false),
    config: { keyPrefix: prefix, queuePrefix: `${prefix}q` },
    workers: false,
  });
  try {
    const alerts = (await service.listAlerts({ limit: 100_000, offset: 0 })).items;
    const tasks = (await service.listTasks({ limit: 100_000, offset: 0 })).items;
    return { alerts, tasks };
  } finally {
    await service.close();
  }
}

export interface AlertFindings {
  readonly alerts: number;
  readonly pollutionAlerts: number;
  readonly tasks: number;
  /** Condition keys with two alerts active at the same time (must be none). */
  readonly overlappingAlerts: readonly string[];
  /** Alerts whose history holds more than one `opened` transition (must be none). */
  readonly reopenedAlerts: readonly string[];
  /** Alerts attached to more than one task, condition keys or sections with two tasks open at once (must be none). */
  readonly duplicateTasks: readonly string[];
  /** Tasks that name an alert that does not exist (must be none). */
  readonly orphanTasks: readonly string[];
}

const isDataQuality = (a: Alert): boolean => a.kind === 'data-quality';

/** Checks "one condition, one alert", "one alert, at most one task" and one open task per section incident. */
export function checkAlerts(alerts: readonly Alert[], tasks: readonly Task[]): AlertFindings {
  const overlapping: string[] = [];
  const byKey = new Map<string, Alert[]>();
  for (const alert of alerts) byKey.set(alert.key, [...(byKey.get(alert.key) ?? []), alert]);
  for (const [key, list] of byKey) {
    const spans = list.map((a) => [a.openedAt, a.resolved?.at ?? Infinity] as const).sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < spans.length; i++)
      if ((spans[i] as readonly [number, number])[0] < (spans[i - 1] as readonly [number, number])[1]) overlapping.push(key);
  }
  const reopened = alerts.filter((a) => a.history.filter((t) => t.type === 'opened').length > 1).map((a) => a.id);

  const duplicateTasks: string[] = [];
  const taskOfAlert = new Map<string, string>();
  for (const task of tasks) {
    for (const alertId of task.alertIds) {
      const other = taskOfAlert.get(alertId);
      if (other !== undefined && other !== task.id) duplicateTasks.push(`alert ${alertId} in tasks ${other} and ${task.id}`);
      taskOfAlert.set(alertId, task.id);
    }
  }
  const tasksByCondition = new Map<string, Task[]>();
  for (const task of tasks) tasksByCondition.set(task.conditionKey, [...(tasksByCondition.get(task.conditionKey) ?? []), task]);
  for (const [key, list] of tasksByCondition) {
    if (list.filter((t) => t.status !== 'closed').length > 1)
      duplicateTasks.push(`condition ${key} has ${list.length} tasks not closed`);
  }
  // One task per section incident (alerts/joint-monitoring/task-incident.ts): a further alert of the section attaches to the open task.
  const openBySection = new Map<string, number>();
  for (const task of tasks)
    if (task.status !== 'closed') openBySection.set(task.sectionId, (openBySection.get(task.sectionId) ?? 0) + 1);
  for (const [sectionId, n] of openBySection) if (n > 1) duplicateTasks.push(`section ${sectionId} has ${n} tasks not closed`);
  const alertIds = new Set(alerts.map((a) => a.id));
  const orphanTasks = tasks.filter((t) => t.alertIds.some((id) => !alertIds.has(id))).map((t) => t.id);
  return {
    alerts: alerts.length,
    pollutionAlerts: alerts.filter((a) => !isDataQuality(a)).length,
    tasks: tasks.length,
    overlappingAlerts: [...new Set(overlapping)],
    reopenedAlerts: reopened,
    duplicateTasks,
    orphanTasks,
  };
}

/**
 * What must be the same for the same input however the pipeline is cut:
 * condition, episode, kind, highest level, event times. Station-offline
 * alerts depend on wall-clock timing and are left out.
 */
export function alertSignature(alerts: readonly Alert[]): string[] {
  return alerts
    .filter((a) => !a.key.startsWith('dq-offline'))
    .map((a) => `${a.key}#${a.episode} ${a.kind} ${a.maxLevel ?? '-'} first=${a.firstSeen}`)
    .sort();
}

/** Tasks by what opened them: condition, trigger, section, and how many alerts they carry. */
export function taskSignature(tasks: readonly Task[]): string[] {
  return tasks.map((t) => `${t.conditionKey} ${t.trigger} ${t.sectionId} alerts=${t.alertIds.length}`).sort();
}

export interface GroupState {
  readonly partition: number;
  readonly group: string;
  readonly entriesRead: number;
  readonly lag: number;
  readonly pending: number;
  /** Consumers of the group on this partition, with their pending entries. */
  readonly consumers: readonly { name: string; pending: number }[];
}

/** XINFO GROUPS / CONSUMERS of every partition of the readings log. */
export async function readingsLogGroups(redis: Redis, prefix: string, partitions: number): Promise<GroupState[]> {
  const out: GroupState[] = [];
  for (let p = 0; p < partitions; p++) {
    const key = partitionKey(prefix, p);
    const groups = ((await redis.xinfo('GROUPS', key)) as unknown[][]).map(fields);
    for (const g of groups) {
      const consumers = ((await redis.xinfo('CONSUMERS', key, String(g.name))) as unknown[][]).map(fields);
      out.push({
        partition: p,
        group: String(g.name),
        entriesRead: Number(g['entries-read'] ?? 0),
        lag: g.lag === null || g.lag === undefined ? 0 : Number(g.lag),
        pending: Number(g.pending ?? 0),
        consumers: consumers.map((c) => ({ name: String(c.name), pending: Number(c.pending ?? 0) })),
      });
    }
  }
  return out;
}

/** A Redis XINFO reply row (flat name/value list) as an object. */
export function fields(row: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < row.length; i += 2) out[String(row[i])] = row[i + 1];
  return out;
}

/** Reads a Prometheus text exposition and sums the samples of one metric (optionally filtered by a label). */
export function metricSum(text: string, name: string, label?: { name: string; value: string }): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{')) continue;
    if (label && !line.includes(`${label.name}="${label.value}"`)) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}

/** GETs a /metrics page; undefined when the process does not answer. */
export async function scrape(url: string, timeoutMs = 1000): Promise<string | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return response.ok ? await response.text() : undefined;
  } catch {
    return undefined;
  }
}

export interface Expectation {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** Sections the taipu-spill plume pushes past their target for ammonia (simulators/scenarios/taipu-spill.yaml). */
export const SPILL_EXCEEDANCE_SECTIONS = ['tp-fenhu', 'tp-jiashan'] as const;

/**
 * Whether an alert must have opened a joint-monitoring task (policy.md
 * "Joint emergency monitoring"; alerts/joint-monitoring/task-rules.ts): a pollution alert at a
 * boundary section that reached yellow or above, or a pre-warning of an
 * upstream arrival. Written out here on purpose, as an independent oracle.
 */
export function opensTask(alert: Alert, registry: Registry): boolean {
  if (alert.kind === 'data-quality') return false;
  if (alert.kind === 'upstream-arrival') return true;
  const section = registry.section(alert.sectionId);
  return section?.boundary === true && alert.maxLevel !== undefined && levelRank(alert.maxLevel) >= levelRank('yellow');
}

/** The spill's alerts and one task per boundary alert, as expected from the scenario. */
export function spillExpectations(alerts: readonly Alert[], tasks: readonly Task[], registry: Registry): Expectation[] {
  const out: Expectation[] = [];
  for (const sectionId of SPILL_EXCEEDANCE_SECTIONS) {
    const found = alerts.filter(
      (a) =>
        a.kind === 'exceedance' &&
        a.sectionId === sectionId &&
        a.parameters.includes('nh3n') &&
        a.maxLevel !== undefined &&
        levelRank(a.maxLevel) >= levelRank('yellow'),
    );
    out.push({
      name: `NH3-N exceedance alert at ${sectionId}`,
      ok: found.length === 1,
      detail: found.length === 0 ? 'missing' : found.map((a) => `${a.id} ${a.maxLevel}`).join(', '),
    });
  }
  const triggering = alerts.filter((a) => opensTask(a, registry));
  const missing: string[] = [];
  const doubled: string[] = [];
  for (const alert of triggering) {
    const holding = tasks.filter((t) => t.alertIds.includes(alert.id));
    if (holding.length === 0) missing.push(alert.key);
    if (holding.length > 1) doubled.push(alert.key);
  }
  const unexplained = tasks.filter((t) => !t.alertIds.some((id) => triggering.some((a) => a.id === id))).map((t) => t.id);
  out.push({
    name: 'every alert that opens a task is in exactly one task',
    ok: missing.length === 0 && doubled.length === 0 && unexplained.length === 0,
    detail:
      `alerts that open a task ${triggering.length} (boundary yellow+ or pre-warning), tasks ${tasks.length} (one per section incident)` +
      (missing.length ? `; without task: ${missing.join(', ')}` : '') +
      (doubled.length ? `; in several tasks: ${doubled.join(', ')}` : '') +
      (unexplained.length ? `; tasks without such an alert: ${unexplained.join(', ')}` : ''),
  });
  return out;
}
