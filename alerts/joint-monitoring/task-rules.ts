/**
 * Joint-monitoring task rules, pure: when an alert opens a task, who the
 * parties and the lead are, deadlines, escalation up the agency tree, the
 * eight on-site steps in order, post-supervision hold and its end, the
 * problem ledger. What later alerts of the incident do to a task (attach,
 * raise, clear, level) is in task-incident.ts. The store applies the
 * results atomically (task-store.ts).
 */
import { isAlertLevel, isPollutionKind, levelRank, type AlertLevel, type ErrorCode, type Registry } from '../../domain/index.js';
import type { Actor, AlertSummary, AlertTransitionType } from '../alarms/alert-model.js';
import type { AlertsConfig } from '../config.js';
import {
  ON_SITE_STEPS,
  type OnSiteStep,
  type Problem,
  type StepRecord,
  type Task,
  type TaskTransition,
  type TaskTransitionType,
  type TaskTrigger,
} from './task-model.js';

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

function allStepsDone(task: Task): boolean {
  return task.parties.every((p) => (task.steps[p]?.length ?? 0) >= ON_SITE_STEPS.length);
}

export interface StepInput {
  readonly party: string;
  readonly step: OnSiteStep;
  readonly at?: number;
  readonly coordinates?: { readonly lat: number; readonly lon: number };
  readonly attachments?: readonly string[];
  readonly note?: string;
}

/** Records the next on-site step of a party; refuses one out of order with `RW_TASK_STEP_ORDER`. */
export function recordStep(task: Task, input: StepInput, actor: Actor, now: number, config: TimingConfig): TaskResult {
  if (task.status === 'closed') return { ok: false, code: 'RW_TASK_CLOSED', message: `task ${task.id} is closed` };
  const done = task.steps[input.party];
  if (!done) return { ok: false, code: 'RW_TASK_NOT_PARTY', message: `${input.party} is not a party of task ${task.id}` };
  const expected = ON_SITE_STEPS[done.length];
  if (expected === undefined) {
    return {
      ok: false,
      code: 'RW_TASK_STEP_ORDER',
      message: `all eight steps of ${input.party} are already recorded`,
      details: [`got: ${input.step}`],
    };
  }
  if (input.step !== expected) {
    return {
      ok: false,
      code: 'RW_TASK_STEP_ORDER',
      message: `step "${input.step}" is out of order for ${input.party}: the next step is "${expected}"`,
      details: [`expected: ${expected}`, `got: ${input.step}`, `done: ${done.map((s) => s.step).join(',') || 'none'}`],
    };
  }
  if (input.step === 'locate-sign-in' && input.coordinates === undefined) {
    return { ok: false, code: 'RW_INVALID_PAYLOAD', message: 'the sign-in step needs the coordinates where the party is' };
  }
  const record: StepRecord = {
    step: input.step,
    at: input.at ?? now,
    recordedAt: now,
    actor,
    ...(input.coordinates ? { coordinates: input.coordinates } : {}),
    attachments: [...(input.attachments ?? [])],
    ...(input.note !== undefined ? { note: input.note } : {}),
  };
  const next: Task = { ...task, steps: { ...task.steps, [input.party]: [...done, record] } };
  const items: { type: TaskTransitionType; actor: Actor; details?: Record<string, string | number | boolean> }[] = [
    { type: 'step-recorded', actor, details: { party: input.party, step: input.step, index: done.length + 1 } },
  ];
  if (input.step === 'locate-sign-in') {
    items.push({ type: 'checked-in', actor, details: { party: input.party, late: record.at > task.arrivalDeadline } });
  }
  const result = withTransitions(next, now, items);
  return chain(result, (t) => maybeStartHold(t, now, config));
}

function chain(
  first: { ok: true; task: Task; added: readonly TaskTransition[] },
  then: (task: Task) => { ok: true; task: Task; added: readonly TaskTransition[] },
) {
  const second = then(first.task);
  return { ok: true as const, task: second.task, added: [...first.added, ...second.added] };
}

/** Starts post-supervision once every party completed its steps and the water is back within target. */
export function maybeStartHold(
  task: Task,
  now: number,
  config: TimingConfig,
): { ok: true; task: Task; added: readonly TaskTransition[] } {
  if (task.status !== 'open' || !task.conditionCleared || !allStepsDone(task)) return unchanged(task);
  const hold = { startedAt: now, until: now + config.postSupervisionHoldMs, seq: (task.hold?.seq ?? task.reopenCount) + 1 };
  return withTransitions({ ...task, status: 'hold', hold }, now, [
    { type: 'hold-started', actor: SYSTEM, details: { until: hold.until } },
  ]);
}

/** When the next arrival escalation is due, or undefined when none is pending. */
export function nextArrivalEscalationAt(task: Task, registry: Registry, config: TimingConfig): number | undefined {
  if (task.status === 'closed' || task.parties.every((p) => checkedIn(task, p))) return undefined;
  if (task.escalationLevel >= escalationChain(registry, task.coordinatorId).length) return undefined;
  return task.arrivalDeadline + config.escalationIntervalMs * task.escalationLevel;
}

/**
 * Escalates a missed arrival deadline: to the lead first, then one level up
 * per `escalationIntervalMs` while a party has still not checked in
 * (ThingsBoard's escalation chain, stopped by the check-in).
 */
export function checkArrivalDeadline(
  task: Task,
  registry: Registry,
  now: number,
  config: TimingConfig,
): { ok: true; task: Task; added: readonly TaskTransition[] } {
  const chainIds = escalationChain(registry, task.coordinatorId);
  let next = task;
  const items: { type: TaskTransitionType; actor: Actor; details?: Record<string, string | number | boolean> }[] = [];
  for (;;) {
    const due = nextArrivalEscalationAt(next, registry, config);
    if (due === undefined || now < due) break;
    const to = chainIds[next.escalationLevel] as string;
    const missing = next.parties.filter((p) => !checkedIn(next, p));
    const level = next.escalationLevel + 1;
    next = {
      ...next,
      escalationLevel: level,
      escalations: [...next.escalations, { at: now, toAgencyId: to, level, reason: 'arrival-deadline', agencyIds: missing }],
    };
    items.push({
      type: 'escalated',
      actor: SYSTEM,
      details: { toAgencyId: to, level, reason: 'arrival-deadline', missing: missing.join(',') },
    });
  }
  return items.length === 0 ? unchanged(task) : withTransitions(next, now, items);
}

/** Closes the task when the hold has passed with no relapse and the ledger is closed out. */
export function checkHold(task: Task, now: number): { ok: true; task: Task; added: readonly TaskTransition[] } {
  if (task.status !== 'hold' || !task.hold || now < task.hold.until) return unchanged(task);
  if (task.problems.some((p) => p.status === 'open')) return unchanged(task);
  return withTransitions({ ...task, status: 'closed', closedAt: now }, now, [
    { type: 'closed', actor: SYSTEM, details: { heldSince: task.hold.startedAt } },
  ]);
}

/** Records the outcome of a sampling raise or restore (the flow's parent job). */
export function samplingDone(
  task: Task,
  action: 'raise' | 'restore',
  epoch: number,
  acked: readonly string[],
  failed: readonly string[],
  now: number,
) {
  if (epoch !== task.sampling.epoch) return unchanged(task);
  const key = action === 'raise' ? 'raised' : 'restored';
  if (task.sampling[key] !== undefined) return unchanged(task);
  return withTransitions(
    { ...task, sampling: { ...task.sampling, [key]: { at: now, acked: [...acked], failed: [...failed] } } },
    now,
    [
      {
        type: action === 'raise' ? 'sampling-raised' : 'sampling-restored',
        actor: SYSTEM,
        details: { acked: acked.join(','), failed: failed.join(',') },
      },
    ],
  );
}

export interface ProblemInput {
  readonly description: string;
  readonly ownerAgencyId: string;
  readonly measures: string;
  readonly deadline: number;
}

/** Registers a problem in the task's ledger. */
export function registerProblem(task: Task, input: ProblemInput, actor: Actor, now: number): TaskResult {
  if (task.status === 'closed') return { ok: false, code: 'RW_TASK_CLOSED', message: `task ${task.id} is closed` };
  const problem: Problem = {
    id: `p${task.problems.length + 1}`,
    description: input.description,
    ownerAgencyId: input.ownerAgencyId,
    measures: input.measures,
    deadline: input.deadline,
    status: 'open',
    registeredAt: now,
    registeredBy: actor,
    progress: [],
    closeOut: undefined,
    escalationLevel: 0,
  };
  return withTransitions({ ...task, problems: [...task.problems, problem] }, now, [
    {
      type: 'problem-registered',
      actor,
      details: { problemId: problem.id, ownerAgencyId: problem.ownerAgencyId, deadline: problem.deadline },
    },
  ]);
}

function updateProblem(task: Task, problemId: string, update: (p: Problem) => Problem | TaskError): Task | TaskError {
  const problem = task.problems.find((p) => p.id === problemId);
  if (!problem) return { ok: false, code: 'RW_NOT_FOUND', message: `task ${task.id} has no problem ${problemId}` };
  if (problem.status === 'closed')
    return { ok: false, code: 'RW_PROBLEM_CLOSED', message: `problem ${problemId} is already closed out` };
  const next = update(problem);
  if ('ok' in next) return next;
  return { ...task, problems: task.problems.map((p) => (p.id === problemId ? next : p)) };
}

/** Adds a progress entry to an open problem. */
export function addProgress(
  task: Task,
  problemId: string,
  entry: { note: string; attachments?: readonly string[] },
  actor: Actor,
  now: number,
): TaskResult {
  const next = updateProblem(task, problemId, (p) => ({
    ...p,
    progress: [...p.progress, { at: now, actor, note: entry.note, attachments: [...(entry.attachments ?? [])] }],
  }));
  if ('ok' in next) return next;
  return withTransitions(next, now, [{ type: 'problem-progress', actor, details: { problemId } }]);
}

/** Closes out a problem with evidence; the task may close once its hold has passed. */
export function closeOutProblem(
  task: Task,
  problemId: string,
  input: { evidence: readonly string[]; note: string },
  actor: Actor,
  now: number,
): TaskResult {
  const next = updateProblem(task, problemId, (p) => ({
    ...p,
    status: 'closed',
    closeOut: { at: now, actor, evidence: [...input.evidence], note: input.note },
  }));
  if ('ok' in next) return next;
  const result = withTransitions(next, now, [{ type: 'problem-closed', actor, details: { problemId } }]);
  return chain(result, (t) => checkHold(t, now));
}

/** Escalation chain of a problem: the lead and its superiors, without the owner itself. */
function problemChain(registry: Registry, task: Task, problem: Problem): string[] {
  return escalationChain(registry, task.coordinatorId).filter((id) => id !== problem.ownerAgencyId);
}

/** When the next overdue escalation of any problem is due. */
export function nextProblemEscalationAt(task: Task, registry: Registry, config: TimingConfig): number | undefined {
  let next: number | undefined;
  for (const p of task.problems) {
    if (p.status !== 'open' || p.escalationLevel >= problemChain(registry, task, p).length) continue;
    const due = p.deadline + config.escalationIntervalMs * p.escalationLevel;
    next = next === undefined ? due : Math.min(next, due);
  }
  return next;
}

/** Escalates overdue problems like tasks: lead first, then up. */
export function checkProblemDeadlines(
  task: Task,
  registry: Registry,
  now: number,
  config: TimingConfig,
): { ok: true; task: Task; added: readonly TaskTransition[] } {
  if (task.status === 'closed') return unchanged(task);
  const items: { type: TaskTransitionType; actor: Actor; details?: Record<string, string | number | boolean> }[] = [];
  const escalations = [...task.escalations];
  const problems = task.problems.map((p) => {
    const chainIds = problemChain(registry, task, p);
    let problem = p;
    while (
      problem.status === 'open' &&
      problem.escalationLevel < chainIds.length &&
      now >= problem.deadline + config.escalationIntervalMs * problem.escalationLevel
    ) {
      const to = chainIds[problem.escalationLevel] as string;
      const level = problem.escalationLevel + 1;
      problem = { ...problem, escalationLevel: level };
      escalations.push({
        at: now,
        toAgencyId: to,
        level,
        reason: 'problem-deadline',
        agencyIds: [problem.ownerAgencyId],
        problemId: problem.id,
      });
      items.push({ type: 'problem-escalated', actor: SYSTEM, details: { problemId: problem.id, toAgencyId: to, level } });
    }
    return problem;
  });
  return items.length === 0 ? unchanged(task) : withTransitions({ ...task, problems, escalations }, now, items);
}
