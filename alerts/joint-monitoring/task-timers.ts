/** When a task's timer must fire next, pure: arrival escalation, problem escalation, end of the post-supervision hold. */
import type { Registry } from '../../domain/index.js';
import { nextArrivalEscalationAt } from './on-site-steps.js';
import { nextProblemEscalationAt } from './problem-ledger.js';
import type { Task } from './task-model.js';
import type { TimingConfig } from './task-rules.js';

export function taskDueTimes(task: Task, registry: Registry, config: TimingConfig): number[] {
  if (task.status === 'closed') return [];
  const dues = [nextArrivalEscalationAt(task, registry, config), nextProblemEscalationAt(task, registry, config)];
  if (task.status === 'hold' && task.hold) dues.push(task.hold.until);
  return dues.filter((d): d is number => d !== undefined);
}
