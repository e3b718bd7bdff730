/**
 * What a task transition asks of the world, pure: who hears of it, whether
 * the stations step their sampling up (opened) or back (closed), and which
 * missed deadline it counts. The dispatcher carries it out
 * (platform/redis/alerts/transition-effects.ts).
 */
import type { Recipient } from '../alarms/recipients.js';
import type { Task, TaskTransition } from './task-model.js';

export interface TaskNotice {
  readonly recipients: Recipient[];
  /** Sampling to start at the task's stations. */
  readonly sampling?: 'raise' | 'restore';
  /** A first escalation means a deadline was missed. */
  readonly deadlineMissed?: 'arrival' | 'problem';
}

export function taskNoticeFor(task: Pick<Task, 'parties' | 'coordinatorId'>, transition: Pick<TaskTransition, 'type' | 'details'>): TaskNotice {
  const parties: Recipient[] = [
    ...task.parties.map((agencyId) => ({ agencyId, role: 'party' as const })),
    ...(task.parties.includes(task.coordinatorId) ? [] : [{ agencyId: task.coordinatorId, role: 'lead' as const }]),
  ];
  switch (transition.type) {
    case 'opened':
      return { recipients: parties, sampling: 'raise' };
    case 'reopened':
      return { recipients: parties };
    case 'alert-attached': {
      // The other parties know the alert from its own notification; agencies the alert brought into the
      // task (a pre-warning's origin jurisdiction, a new lead) hear of the task here for the first time.
      const added = String(transition.details.partiesAdded ?? '')
        .split(',')
        .filter((id) => id !== '');
      const recipients: Recipient[] = added.map((agencyId) => ({ agencyId, role: 'party' as const }));
      const lead = transition.details.coordinatorId;
      if (typeof lead === 'string' && !added.includes(lead)) recipients.push({ agencyId: lead, role: 'lead' });
      return { recipients };
    }
    case 'closed':
      return { recipients: parties, sampling: 'restore' };
    case 'escalated':
    case 'problem-escalated': {
      const recipients: Recipient[] = [{ agencyId: String(transition.details.toAgencyId), role: 'escalation' }];
      if (transition.details.level !== 1) return { recipients };
      return { recipients, deadlineMissed: transition.type === 'escalated' ? 'arrival' : 'problem' };
    }
    default:
      return { recipients: [] };
  }
}
