/**
 * Joint-monitoring tasks (policy.md "Joint emergency monitoring",
 * "Eight-step on-site procedure", "Post-supervision", "Ledger"). Pure types.
 */
import type { AlertLevel } from '../../domain/index.js';
import type { Actor } from '../alarms/alert-model.js';

/** The eight on-site steps, in the order they must be recorded (seed 003). */
export const ON_SITE_STEPS = [
  'locate-sign-in',
  'show-credentials',
  'verify-information',
  'inspect',
  'make-record',
  'print-sign',
  'file-electronically',
  'complete',
] as const;
export type OnSiteStep = (typeof ON_SITE_STEPS)[number];

/**
 * open: parties on their way / on site; hold: steps done and the water back
 * within target, post-supervision running; closed: hold passed, ledger
 * closed out, sampling restored.
 */
export const TASK_STATUSES = ['open', 'hold', 'closed'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export type TaskTrigger = 'boundary-alert' | 'upstream-arrival';

export interface StepRecord {
  readonly step: OnSiteStep;
  /** When it happened on site (given by the caller, default: when recorded), epoch ms. */
  readonly at: number;
  readonly recordedAt: number;
  readonly actor: Actor;
  /** Required for `locate-sign-in` (the check-in). */
  readonly coordinates?: { readonly lat: number; readonly lon: number };
  /** References to attachments (file ids or URLs); the files live elsewhere. */
  readonly attachments: readonly string[];
  readonly note?: string;
}

export interface Escalation {
  readonly at: number;
  readonly toAgencyId: string;
  /** 1 = the lead agency, 2 = its superior, ... */
  readonly level: number;
  readonly reason: 'arrival-deadline' | 'problem-deadline';
  /** Parties that had not checked in (arrival) or the problem's owner. */
  readonly agencyIds: readonly string[];
  readonly problemId?: string;
}

export interface ProgressEntry {
  readonly at: number;
  readonly actor: Actor;
  readonly note: string;
  readonly attachments: readonly string[];
}

export interface Problem {
  readonly id: string;
  readonly description: string;
  readonly ownerAgencyId: string;
  readonly measures: string;
  readonly deadline: number;
  readonly status: 'open' | 'closed';
  readonly registeredAt: number;
  readonly registeredBy: Actor;
  readonly progress: readonly ProgressEntry[];
  readonly closeOut:
    { readonly at: number; readonly actor: Actor; readonly evidence: readonly string[]; readonly note: string } | undefined;
  readonly escalationLevel: number;
}

export const TASK_TRANSITION_TYPES = [
  'opened',
  'alert-attached',
  'level-raised',
  'step-recorded',
  'checked-in',
  'escalated',
  'sampling-raised',
  'sampling-restored',
  'hold-started',
  'reopened',
  'closed',
  'problem-registered',
  'problem-progress',
  'problem-closed',
  'problem-escalated',
  // Transfer with feedback (issue 18, alerts/joint-monitoring/transfer-model.ts).
  'transferred',
  'transfer-accepted',
  'transfer-refused',
  'transfer-result',
  'transfer-escalated',
] as const;
export type TaskTransitionType = (typeof TASK_TRANSITION_TYPES)[number];

export interface TaskTransition {
  /** `${taskId}.${seq}`. */
  readonly id: string;
  readonly seq: number;
  readonly type: TaskTransitionType;
  readonly at: number;
  readonly actor: Actor;
  /** Short structured details (party, step, agency escalated to, problem id, ...). */
  readonly details: Readonly<Record<string, string | number | boolean>>;
}

export interface SamplingState {
  /** Stations of the section and its neighbours that get the commands. */
  readonly stationIds: readonly string[];
  /** Incremented on every raise (reopen raises again); part of command ids. */
  readonly epoch: number;
  readonly raised: { readonly at: number; readonly acked: readonly string[]; readonly failed: readonly string[] } | undefined;
  readonly restored: { readonly at: number; readonly acked: readonly string[]; readonly failed: readonly string[] } | undefined;
}

/**
 * One task per section and incident: while a task of a section is not
 * closed, every further qualifying alert of the section (boundary alert at
 * or above `taskMinLevel`, upstream-arrival pre-warning) attaches to it.
 */
export interface Task {
  readonly id: string;
  readonly status: TaskStatus;
  /** What opened the task (attached alerts may have other triggers; see the `alert-attached` transitions). */
  readonly trigger: TaskTrigger;
  /** Condition of the alert that opened the task. */
  readonly conditionKey: string;
  /** Every condition attached so far, the opening one first; their task pointers are removed when the task closes. */
  readonly conditionKeys: readonly string[];
  /** Alerts attached to this task, first one opened it. */
  readonly alertIds: readonly string[];
  /**
   * Attached alerts whose condition is raised now. Empty = the water is back
   * within target (`conditionCleared`). Kept by alert id, not condition key,
   * so that handling an old episode's clear after the next episode's raise
   * (two dispatchers) cannot drop a raised condition.
   */
  readonly activeAlertIds: readonly string[];
  /** Last alert transition applied per alert (seq): a redelivered transition changes nothing. */
  readonly alertSeqs: Readonly<Record<string, number>>;
  readonly sectionId: string;
  readonly riverId: string | undefined;
  readonly level: AlertLevel | undefined;
  /** Both jurisdictions (downstream first). */
  readonly parties: readonly string[];
  /** Lead agency: lowest common superior of the parties. */
  readonly coordinatorId: string;
  readonly openedAt: number;
  readonly arrivalDeadline: number;
  /** Per party, the steps recorded so far in order. */
  readonly steps: Readonly<Record<string, readonly StepRecord[]>>;
  readonly escalations: readonly Escalation[];
  /** How far up the arrival escalation has gone (0 = not yet). */
  readonly escalationLevel: number;
  /** Whether the water is back within target: every attached condition cleared (`activeAlertIds` empty). */
  readonly conditionCleared: boolean;
  readonly hold: { readonly startedAt: number; readonly until: number; readonly seq: number } | undefined;
  readonly reopenCount: number;
  readonly sampling: SamplingState;
  readonly problems: readonly Problem[];
  readonly closedAt: number | undefined;
  readonly updatedAt: number;
  readonly history: readonly TaskTransition[];
}

export type TaskSummary = Omit<Task, 'history' | 'steps' | 'problems' | 'alertSeqs'> & {
  /** Steps recorded per party (count). */
  readonly stepsDone: Readonly<Record<string, number>>;
  readonly openProblems: number;
};

export function taskSummaryOf(task: Task): TaskSummary {
  const { history: _h, steps, problems, alertSeqs: _s, ...rest } = task;
  return {
    ...rest,
    stepsDone: Object.fromEntries(Object.entries(steps).map(([party, list]) => [party, list.length])),
    openProblems: problems.filter((p) => p.status === 'open').length,
  };
}

/**
 * A task as stored, written before or after tasks carried several
 * conditions: a task stored with one condition gets `conditionKeys` =
 * [conditionKey] and, unless its condition had cleared, its newest alert
 * as the active one (the alerts of one condition follow each other).
 */
export function normalizeTask(stored: Task): Task {
  const legacy = stored as Omit<Task, 'conditionKeys' | 'activeAlertIds'> &
    Partial<Pick<Task, 'conditionKeys' | 'activeAlertIds'>>;
  if (legacy.conditionKeys !== undefined && legacy.activeAlertIds !== undefined) return stored;
  const newest = legacy.alertIds.at(-1);
  return {
    ...legacy,
    conditionKeys: legacy.conditionKeys ?? [legacy.conditionKey],
    activeAlertIds: legacy.activeAlertIds ?? (legacy.conditionCleared || newest === undefined ? [] : [newest]),
  };
}
