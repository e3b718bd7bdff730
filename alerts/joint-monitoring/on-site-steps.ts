/**
 * The on-site part of a joint-monitoring task, pure: the eight steps of each
 * party in order, arrival deadlines and their escalation, station sampling
 * done, and post-supervision (hold) once every party is done and the water
 * is back within target.
 */
import type { Registry } from '../../domain/index.js';
import type { Actor } from '../alarms/alert-model.js';
import { ON_SITE_STEPS, type OnSiteStep, type StepRecord, type Task, type TaskTransition, type TaskTransitionType } from './task-model.js';
import { SYSTEM, type TaskResult, type TimingConfig, checkedIn, escalationChain, unchanged, withTransitions } from './task-rules.js';

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

export function chain(
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
