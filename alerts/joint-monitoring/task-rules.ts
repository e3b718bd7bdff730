/**
 * Joint-monitoring task rules, pure: when an alert opens a task, who the
 * parties and the lead are, deadlines and the escalation chain up the agency
 * tree. The eight on-site steps and post-supervision are in on-site-steps.ts,
 * the problem ledger in problem-ledger.ts, and what later alerts of the
 * incident do to a task (attach, raise, clear, level) in task-incident.ts.
 * The store applies the results atomically (platform/redis/alerts/task-store.ts).
 */
import { isAlertLevel, isPollutionKind, levelRank, type AlertLevel, type ErrorCode, type Registry } from '../../domain/index.js';
import type { Actor, AlertSummary, AlertTransitionType } from '../alarms/alert-model.js';
import type { AlertsConfig } from '../config.js';
import type { Task, TaskTransition, TaskTransitionType, TaskTrigger } from './task-model.js';

export type TaskResult = { readonly ok: true; readonly task: Task; readonly added: readonly TaskTransition[] } | TaskError;
export interface TaskError {
  readonly ok: false;
  readonly code: ErrorCode;
  readonly message: string;
  readonly details?: readonly string[];
}

export type TimingConfig = Pick<
  AlertsConfig,
  | 'arrivalDeadlineMs'
  | 'escalationIntervalMs'
  | 'postSupervisionHoldMs'
  | 'taskMinLevel'
  | 'prewarningTaskMinLevel'
  | 'taskRulesBySection'
>;

/** Actor of the transitions the system records itself. */
export const SYSTEM: Actor = { kind: 'system' };

/** Task id of the task an alert opens. */
export function taskIdFor(alertId: string): string {
  return `tk-${alertId}`;
}

/**
 * Whether an alert transition qualifies for a joint-monitoring task: a
 * pollution alert at or above `taskMinLevel` at a boundary section (opened or
 * raised to it), or an upstream-arrival pre-warning whose origin alert is at
 * or above `prewarningTaskMinLevel` (issue 6 §3, issue 13 §8). Blue alerts
 * notify only: a joint task sends people to a riverbank. A pre-warning
 * without a recorded origin level (written before issue 13) opens none. It opens
 * the section's task, or attaches to the one not yet closed.
 */
export function taskTriggerFor(
  alert: AlertSummary,
  type: AlertTransitionType,
  registry: Registry,
  config: Pick<AlertsConfig, 'taskMinLevel' | 'prewarningTaskMinLevel' | 'taskRulesBySection'>,
): TaskTrigger | undefined {
  if (!isPollutionKind(alert.kind)) return undefined;
  const rules = config.taskRulesBySection[alert.sectionId];
  if (type !== 'opened' && type !== 'level-raised') return undefined;
  if (alert.kind === 'upstream-arrival') {
    // A pre-warning is blue by definition; what sends people out is the alert behind it (issue 13 §8).
    const origin = alert.evidence.originLevel;
    const min = rules?.prewarningTaskMinLevel ?? config.prewarningTaskMinLevel;
    const qualifies = isAlertLevel(origin) && levelRank(origin) >= levelRank(min);
    return type === 'opened' && qualifies ? 'upstream-arrival' : undefined;
  }
  const section = registry.section(alert.sectionId);
  if (!section?.boundary || alert.level === undefined) return undefined;
  return levelRank(alert.level) >= levelRank(rules?.taskMinLevel ?? config.taskMinLevel) ? 'boundary-alert' : undefined;
}

/** Parties of a task: the section's two sides (downstream first); for a pre-warning also the origin's. */
export function partiesFor(alert: Pick<AlertSummary, 'kind' | 'sectionId' | 'arrival'>, registry: Registry): string[] {
  const out: string[] = [];
  const add = (sectionId: string | undefined): void => {
    const section = sectionId === undefined ? undefined : registry.section(sectionId);
    if (!section) return;
    for (const party of registry.partiesOf(section)) if (!out.includes(party)) out.push(party);
  };
  add(alert.sectionId);
  if (alert.kind === 'upstream-arrival') add(alert.arrival?.originSectionId);
  return out;
}

/** Arrival deadline: by level; for a pre-warning, the predicted arrival (when still ahead). */
export function arrivalDeadlineFor(
  trigger: TaskTrigger,
  level: AlertLevel | undefined,
  arrivalFromTs: number | undefined,
  now: number,
  config: TimingConfig,
): number {
  if (trigger === 'upstream-arrival' && arrivalFromTs !== undefined && arrivalFromTs > now) return arrivalFromTs;
  return now + config.arrivalDeadlineMs[level ?? 'yellow'];
}

/** Stations that get the sampling command: the section's, its upstream neighbours' and the next downstream section's. */
export function samplingStationsFor(registry: Registry, sectionId: string): string[] {
  const sections = [sectionId, ...registry.upstreamOf(sectionId).map((s) => s.id)];
  const next = registry.section(sectionId)?.downstream?.sectionId;
  if (next !== undefined) sections.push(next);
  return [...new Set(sections.flatMap((id) => registry.stationsOf(id).map((st) => st.id)))];
}

/** The lead agency, then its superiors: who an overdue item escalates to, in order. */
export function escalationChain(registry: Registry, coordinatorId: string): string[] {
  return registry.ancestry(coordinatorId).map((a) => a.id);
}

/** A transition to record, before it is numbered. */
export interface TransitionItem {
  readonly type: TaskTransitionType;
  readonly actor: Actor;
  readonly details?: Record<string, string | number | boolean>;
}

/** Appends transitions to a task's history, numbering them (`${taskId}.${seq}`). */
export function withTransitions(
  task: Task,
  now: number,
  items: readonly TransitionItem[],
): { ok: true; task: Task; added: TaskTransition[] } {
  const added: TaskTransition[] = [];
  let seq = task.history.length;
  for (const item of items) {
    seq += 1;
    added.push({ id: `${task.id}.${seq}`, seq, at: now, type: item.type, actor: item.actor, details: item.details ?? {} });
  }
  return { ok: true, task: { ...task, updatedAt: now, history: [...task.history, ...added] }, added };
}

/** No change. */
export const unchanged = (task: Task): { ok: true; task: Task; added: TaskTransition[] } => ({ ok: true, task, added: [] });

/** A new task for an alert, or an error when the registry cannot name a lead. */
export function openTask(
  alert: AlertSummary,
  trigger: TaskTrigger,
  transitionSeq: number,
  registry: Registry,
  now: number,
  config: TimingConfig,
): TaskResult {
  const parties = partiesFor(alert, registry);
  const lead = registry.leadAgency(parties);
  if (!lead) return { ok: false, code: 'RW_REGISTRY_INVALID', message: `no common superior for ${parties.join(', ')}` };
  const task: Task = {
    id: taskIdFor(alert.id),
    status: 'open',
    trigger,
    conditionKey: alert.key,
    conditionKeys: [alert.key],
    alertIds: [alert.id],
    activeAlertIds: [alert.id],
    alertSeqs: { [alert.id]: transitionSeq },
    sectionId: alert.sectionId,
    riverId: alert.riverId,
    level: alert.level,
    parties,
    coordinatorId: lead.id,
    openedAt: now,
    arrivalDeadline: arrivalDeadlineFor(trigger, alert.level, alert.arrival?.fromTs, now, config),
    steps: Object.fromEntries(parties.map((p) => [p, []])),
    escalations: [],
    escalationLevel: 0,
    conditionCleared: false,
    hold: undefined,
    reopenCount: 0,
    sampling: { stationIds: samplingStationsFor(registry, alert.sectionId), epoch: 1, raised: undefined, restored: undefined },
    problems: [],
    closedAt: undefined,
    updatedAt: now,
    history: [],
  };
  return withTransitions(task, now, [
    {
      type: 'opened',
      actor: SYSTEM,
      details: {
        alertId: alert.id,
        trigger,
        coordinatorId: lead.id,
        parties: parties.join(','),
        arrivalDeadline: task.arrivalDeadline,
      },
    },
  ]);
}

/** Whether `agencyId` may record steps or ledger entries for `party`: the party itself or one of its superiors. */
export function canActFor(registry: Registry, agencyId: string, party: string): boolean {
  return registry.isSelfOrSuperior(agencyId, party);
}

export function checkedIn(task: Task, party: string): boolean {
  return (task.steps[party]?.length ?? 0) > 0;
}
