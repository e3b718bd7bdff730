/**
 * The problem ledger of a joint-monitoring task, pure: problems found on
 * site, their rectification progress and deadlines, escalation of overdue
 * ones up the agency tree, and close-out.
 */
import { type Registry } from '../../domain/index.js';
import type { Actor } from '../alarms/alert-model.js';
import { type Problem, type Task, type TaskTransition, type TaskTransitionType } from './task-model.js';
import { SYSTEM, type TaskError, type TaskResult, type TimingConfig, escalationChain, unchanged, withTransitions } from './task-rules.js';
import { chain, checkHold } from './on-site-steps.js';

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
