/**
 * What the alerts of one incident do to its joint-monitoring task, pure.
 * One task per section and incident: a further qualifying alert of the
 * section attaches to the open task (no second team sent to the same
 * riverbank); the task follows the set of its attached alerts whose
 * condition is raised, and the water counts as back within target only when
 * every attached condition has cleared — then post-supervision may start; a
 * raise of any attached condition during the hold is a relapse that reopens
 * the task. The task's level is the highest level its alerts reached.
 */
import { levelRank, type AlertLevel, type Registry } from '../../domain/index.js';
import type { AlertSummary } from '../alarms/alert-model.js';
import type { Problem, Task, TaskTransition, TaskTrigger } from './task-model.js';
import { SYSTEM, checkedIn, escalationChain, partiesFor, unchanged, withTransitions, type TimingConfig } from './task-rules.js';
import { maybeStartHold } from './on-site-steps.js';

type Change = { ok: true; task: Task; added: readonly TaskTransition[] };

/**
 * How many agencies of `next` (an escalation chain) were already escalated
 * to, given that the first `level` agencies of `previous` were. Chains are
 * ancestries, so the new lead's chain is a tail of the old lead's chain and
 * the agencies already escalated to form a prefix of it.
 */
export function remapEscalationLevel(previous: readonly string[], next: readonly string[], level: number): number {
  const done = new Set(previous.slice(0, level));
  const firstPending = next.findIndex((id) => !done.has(id));
  return firstPending < 0 ? next.length : firstPending;
}

/**
 * Attaches an alert to an open task (once per alert): records its
 * condition and an `alert-attached` transition. An alert whose parties are
 * not all parties yet (a pre-warning brings the origin's jurisdiction)
 * widens the task: the new parties get their eight steps to do, and the lead
 * becomes the lowest common superior of all parties; escalations already
 * made keep counting on the new lead's chain. A closed task is never
 * attached to.
 */
export function attachAlert(
  task: Task,
  alert: Pick<AlertSummary, 'id' | 'key' | 'kind' | 'sectionId' | 'arrival'>,
  trigger: TaskTrigger | undefined,
  registry: Registry,
  now: number,
): Change {
  if (task.status === 'closed' || task.alertIds.includes(alert.id)) return unchanged(task);
  const details: Record<string, string | number | boolean> = { alertId: alert.id, conditionKey: alert.key };
  if (trigger !== undefined) details.trigger = trigger;
  let next: Task = {
    ...task,
    alertIds: [...task.alertIds, alert.id],
    conditionKeys: task.conditionKeys.includes(alert.key) ? task.conditionKeys : [...task.conditionKeys, alert.key],
  };
  const newParties = partiesFor(alert, registry).filter((p) => !task.parties.includes(p));
  const parties = [...task.parties, ...newParties];
  // A registry that names no common superior keeps the task's parties as they are (openTask refuses such a task).
  const lead = newParties.length > 0 ? registry.leadAgency(parties) : undefined;
  if (lead) {
    details.partiesAdded = newParties.join(',');
    next = { ...next, parties, steps: { ...task.steps, ...Object.fromEntries(newParties.map((p) => [p, []])) } };
    if (lead.id !== task.coordinatorId) {
      details.coordinatorId = lead.id;
      const before = escalationChain(registry, task.coordinatorId);
      const after = escalationChain(registry, lead.id);
      const problemChain = (chain: readonly string[], p: Problem) => chain.filter((id) => id !== p.ownerAgencyId);
      next = {
        ...next,
        coordinatorId: lead.id,
        escalationLevel: remapEscalationLevel(before, after, task.escalationLevel),
        problems: task.problems.map((p) =>
          p.status === 'open'
            ? {
                ...p,
                escalationLevel: remapEscalationLevel(problemChain(before, p), problemChain(after, p), p.escalationLevel),
              }
            : p,
        ),
      };
    }
  }
  return withTransitions(next, now, [{ type: 'alert-attached', actor: SYSTEM, details }]);
}

/** An attached alert's condition is raised (opened, reraised): a raise during the hold is a relapse that reopens the task. */
export function conditionRaised(task: Task, alertId: string, now: number): Change {
  if (task.status === 'closed' || !task.alertIds.includes(alertId)) return unchanged(task);
  const wasActive = task.activeAlertIds.includes(alertId);
  const next: Task = {
    ...task,
    activeAlertIds: wasActive ? task.activeAlertIds : [...task.activeAlertIds, alertId],
    conditionCleared: false,
  };
  if (task.status === 'hold') {
    return withTransitions({ ...next, status: 'open', hold: undefined, reopenCount: task.reopenCount + 1 }, now, [
      { type: 'reopened', actor: SYSTEM, details: { alertId, reason: 'relapse during post-supervision' } },
    ]);
  }
  if (wasActive && !task.conditionCleared) return unchanged(task);
  return { ok: true, task: { ...next, updatedAt: now }, added: [] };
}

/**
 * An attached alert's condition cleared (alert cleared or resolved). The
 * water is back within target only when no attached condition is raised any
 * more; then post-supervision starts once the on-site steps are done.
 */
export function conditionCleared(task: Task, alertId: string, now: number, config: TimingConfig): Change {
  if (task.status === 'closed' || !task.activeAlertIds.includes(alertId)) return unchanged(task);
  const activeAlertIds = task.activeAlertIds.filter((id) => id !== alertId);
  if (activeAlertIds.length > 0) return { ok: true, task: { ...task, activeAlertIds, updatedAt: now }, added: [] };
  return maybeStartHold({ ...task, activeAlertIds, conditionCleared: true, updatedAt: now }, now, config);
}

/** An attached alert reached a higher level than the task: the task follows, and a tighter deadline applies while nobody is on site. */
export function levelRaised(task: Task, level: AlertLevel | undefined, now: number, config: TimingConfig): Change {
  if (task.status === 'closed' || level === undefined) return unchanged(task);
  if (task.level !== undefined && levelRank(level) <= levelRank(task.level)) return unchanged(task);
  const nobodyOnSite = task.parties.every((p) => !checkedIn(task, p));
  const deadline =
    nobodyOnSite && task.escalationLevel === 0
      ? Math.min(task.arrivalDeadline, now + config.arrivalDeadlineMs[level])
      : task.arrivalDeadline;
  return withTransitions({ ...task, level, arrivalDeadline: deadline }, now, [
    { type: 'level-raised', actor: SYSTEM, details: { level, arrivalDeadline: deadline } },
  ]);
}
