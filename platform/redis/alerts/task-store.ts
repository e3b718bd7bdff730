/**
 * Joint-monitoring tasks in Redis, changed only through the atomic
 * compare-and-set script (with their transitions into the event log).
 *
 * One task per section and incident, and one alert opens at most one task:
 * the task id derives from the id of the alert that opened it, and the
 * pointers alert → task, condition → open task and section → open task are
 * read, guarded and written in the same script as the task, so a
 * redelivered or concurrent transition (another dispatcher, a restarted
 * worker, a restarted Redis with AOF) finds the task instead of opening a
 * second one. The condition and section pointers go when the task closes;
 * alert pointers stay (an alert of a closed task never opens another).
 */
import { AppError } from '../../../domain/index.js';
import type { AlertSummary, AlertTransition } from '../../../alerts/alarms/alert-model.js';
import { REPLAN, transact, type RedisCommand } from '../compare-and-set.js';
import { appendCommand } from './event-log.js';
import { attachAlert, conditionCleared, conditionRaised, levelRaised } from '../../../alerts/joint-monitoring/task-incident.js';
import { normalizeTask, taskSummaryOf, type Task, type TaskStatus, type TaskTransition, type TaskTrigger } from '../../../alerts/joint-monitoring/task-model.js';
import { openTask, type TaskResult } from '../../../alerts/joint-monitoring/task-rules.js';
import { RedisRecordStore } from './store-deps.js';

export interface TaskChange {
  readonly task: Task | undefined;
  readonly added: readonly TaskTransition[];
}

export interface TaskFilter {
  readonly status?: readonly TaskStatus[];
  readonly sectionId?: string;
  readonly riverId?: string;
  readonly visible?: (task: Task) => boolean;
  readonly limit: number;
  readonly offset: number;
}

function parseTask(json: string | null | undefined): Task | undefined {
  return json ? normalizeTask(JSON.parse(json) as Task) : undefined;
}

/** Pointer values read for an alert transition, and the candidate tasks whose keys are guarded with them. */
interface Lookup {
  readonly alert: string | null;
  readonly cond: string | null;
  readonly section: string | null;
  /** The task by alert, else by condition. */
  readonly primary: string | null;
  /** For a qualifying alert: the section's task (by pointer, or by scan for a task stored before the pointer existed). */
  readonly sectionTask: string | null;
}

export class TaskStore extends RedisRecordStore {

  async get(taskId: string): Promise<Task | undefined> {
    return parseTask(await this.redis.get(this.keys.task(taskId)));
  }

  async taskIdOfAlert(alertId: string): Promise<string | undefined> {
    return (await this.redis.get(this.keys.taskByAlert(alertId))) ?? undefined;
  }

  async openIds(): Promise<string[]> {
    return this.redis.smembers(this.keys.openTasks());
  }

  /**
   * Applies an alert transition to the task of its incident. Looks the task
   * up by the alert, then by its condition, then — for a qualifying alert
   * (`trigger`) — by its section: a qualifying alert of a section with a task
   * not yet closed attaches to that task; with none, it opens one. Follows
   * raise (a relapse during the hold reopens), clear (all attached
   * conditions) and level. Idempotent per (alert, transition seq).
   */
  async applyAlertTransition(
    alert: AlertSummary,
    transition: AlertTransition,
    trigger: TaskTrigger | undefined,
  ): Promise<TaskChange> {
    const keys = this.keys;
    const byAlert = keys.taskByAlert(alert.id);
    const byCond = keys.taskByCondition(alert.key);
    const bySection = keys.openTaskBySection(alert.sectionId);
    let used: Lookup = { alert: null, cond: null, section: null, primary: null, sectionTask: null };
    let candidates: string[] = [];
    return transact<TaskChange>(
      this.redis,
      async () => {
        const [a = null, c = null, s = null] = await this.redis.mget(byAlert, byCond, bySection);
        let sectionTask = trigger ? s : null;
        // Tasks stored before the section pointer existed: a qualifying alert finds them by a scan.
        if (trigger && s === null && a === null) sectionTask = (await this.#openTaskWithoutPointer(alert.sectionId)) ?? null;
        used = { alert: a, cond: c, section: s, primary: a ?? c, sectionTask };
        candidates = [...new Set([used.primary, sectionTask].filter((id): id is string => id !== null))];
        return [byAlert, byCond, bySection, ...candidates.map((id) => keys.task(id))];
      },
      (values) => {
        if (values[0] !== used.alert || values[1] !== used.cond || values[2] !== used.section) return REPLAN;
        const now = this.clock.now();
        const tasks = new Map(candidates.map((id, i) => [id, parseTask(values[3 + i])]));
        const open = (id: string | null): Task | undefined => {
          const task = id === null ? undefined : tasks.get(id);
          return task && task.status !== 'closed' ? task : undefined;
        };
        // An alert whose task closed stays with it and opens no other; otherwise a closed task is never attached
        // to (a condition or section pointer to one would be stale).
        const existing =
          used.alert !== null ? tasks.get(used.alert) : (open(used.primary) ?? (trigger ? open(used.sectionTask) : undefined));
        if (!existing) {
          if (!trigger) return { commands: [], result: { task: undefined, added: [] } };
          const opened = openTask(alert, trigger, transition.seq, this.registry, now, this.config);
          if (!opened.ok) throw new AppError(opened.code, opened.message);
          return {
            commands: [
              ['SET', byAlert, opened.task.id],
              ['SET', byCond, opened.task.id],
              ['SET', bySection, opened.task.id],
              ['ZADD', keys.taskIndex(), opened.task.openedAt, opened.task.id],
              ...this.#writeCommands(undefined, opened.task, opened.added),
            ],
            result: { task: opened.task, added: opened.added },
          };
        }
        if ((existing.alertSeqs[alert.id] ?? 0) >= transition.seq) return { commands: [], result: { task: existing, added: [] } };
        let result: { task: Task; added: readonly TaskTransition[] } = { task: existing, added: [] };
        const then = (step: (t: Task) => { task: Task; added: readonly TaskTransition[] }): void => {
          const next = step(result.task);
          result = { task: next.task, added: [...result.added, ...next.added] };
        };
        switch (transition.type) {
          case 'opened':
          case 'reraised':
          case 'level-raised':
            then((t) => attachAlert(t, alert, trigger, this.registry, now));
            then((t) => conditionRaised(t, alert.id, now));
            then((t) => levelRaised(t, transition.level, now, this.config));
            break;
          case 'cleared':
          case 'resolved':
            then((t) => conditionCleared(t, alert.id, now, this.config));
            break;
          default:
            break;
        }
        const task: Task = { ...result.task, alertSeqs: { ...result.task.alertSeqs, [alert.id]: transition.seq } };
        const commands: RedisCommand[] = [...this.#writeCommands(existing, task, result.added)];
        if (values[0] === null) commands.push(['SET', byAlert, task.id]);
        if (task.status !== 'closed' && task.alertIds.includes(alert.id)) {
          // The condition (a later episode relapses into this task) and, for a task stored before the section
          // pointer existed, the section now point here; a section pointer to another task is left alone.
          if (values[1] !== task.id) commands.push(['SET', byCond, task.id]);
          if (values[2] === null && task.sectionId === alert.sectionId) commands.push(['SET', bySection, task.id]);
        }
        return { commands, result: { task, added: result.added } };
      },
      this.transactOptions,
    );
  }

  /** The oldest task not closed of a section that has no section pointer (stored before it existed), if any. */
  async #openTaskWithoutPointer(sectionId: string): Promise<string | undefined> {
    const ids = await this.redis.smembers(this.keys.openTasks());
    let best: Task | undefined;
    for (let i = 0; i < ids.length; i += 200) {
      const chunk = ids.slice(i, i + 200).map((id) => this.keys.task(id));
      for (const json of chunk.length > 0 ? await this.redis.mget(...chunk) : []) {
        const task = parseTask(json);
        if (task && task.status !== 'closed' && task.sectionId === sectionId && (!best || task.openedAt < best.openedAt))
          best = task;
      }
    }
    return best?.id;
  }

  /**
   * Changes a task through a pure rule; throws the rule's coded error
   * (`RW_TASK_STEP_ORDER`, `RW_TASK_CLOSED`, ...) or `RW_NOT_FOUND`.
   */
  async update(taskId: string, decide: (task: Task, now: number) => TaskResult): Promise<TaskChange> {
    const key = this.keys.task(taskId);
    // The task's condition and section pointers are guarded too: a close removes those still pointing here.
    let pointers: string[] = [];
    return transact<TaskChange>(
      this.redis,
      async () => {
        const task = parseTask(await this.redis.get(key));
        pointers = task ? this.#pointerKeys(task) : [];
        return [key, ...pointers];
      },
      (values) => {
        const task = parseTask(values[0]);
        if (!task) throw new AppError('RW_NOT_FOUND', `no task ${taskId}`);
        // The task changed between the two reads (an alert attached a condition): plan again with its pointers.
        const current = this.#pointerKeys(task);
        if (current.length !== pointers.length || current.some((k, i) => k !== pointers[i])) return REPLAN;
        const result = decide(task, this.clock.now());
        if (!result.ok) throw new AppError(result.code, result.message, result.details ? { details: result.details } : undefined);
        if (result.task === task) return { commands: [], result: { task, added: [] } };
        const held = pointers.filter((_, i) => values[i + 1] === task.id);
        return {
          commands: this.#writeCommands(task, result.task, result.added, held),
          result: { task: result.task, added: result.added },
        };
      },
      this.transactOptions,
    );
  }

  async list(filter: TaskFilter): Promise<{ items: Task[]; total: number }> {
    const ids = await this.redis.zrevrange(this.keys.taskIndex(), 0, -1);
    const items: Task[] = [];
    let total = 0;
    for (let i = 0; i < ids.length; i += 200) {
      const chunk = ids.slice(i, i + 200).map((id) => this.keys.task(id));
      for (const json of chunk.length > 0 ? await this.redis.mget(...chunk) : []) {
        const task = parseTask(json);
        if (!task) continue;
        if (filter.status && !filter.status.includes(task.status)) continue;
        if (filter.sectionId !== undefined && task.sectionId !== filter.sectionId) continue;
        if (filter.riverId !== undefined && task.riverId !== filter.riverId) continue;
        if (filter.visible && !filter.visible(task)) continue;
        if (total >= filter.offset && items.length < filter.limit) items.push(task);
        total += 1;
      }
    }
    return { items, total };
  }

  /** Condition and section pointers of a task (which may point to it while it is not closed). */
  #pointerKeys(task: Task): string[] {
    return [this.keys.openTaskBySection(task.sectionId), ...task.conditionKeys.map((k) => this.keys.taskByCondition(k))];
  }

  /**
   * Writes of a changed task. `heldPointers`: its condition and section
   * pointers that were read (and are guarded) pointing to it; required when
   * the change may close the task.
   */
  #writeCommands(
    previous: Task | undefined,
    next: Task,
    added: readonly TaskTransition[],
    heldPointers?: readonly string[],
  ): RedisCommand[] {
    const keys = this.keys;
    const commands: RedisCommand[] = [['SET', keys.task(next.id), JSON.stringify(next)]];
    if (next.status !== 'closed' && previous === undefined) commands.push(['SADD', keys.openTasks(), next.id]);
    if (next.status === 'closed' && previous?.status !== 'closed') {
      if (heldPointers === undefined) throw new Error(`task ${next.id} closed without its pointers guarded`);
      commands.push(['SREM', keys.openTasks(), next.id]);
      // A later alert of the section or one of its conditions opens a new task (only pointers to this task go).
      for (const pointer of heldPointers) commands.push(['DEL', pointer]);
    }
    const summary = taskSummaryOf(next);
    for (const transition of added)
      commands.push(appendCommand(keys.eventLog(), this.config.eventLogMaxLen, { type: 'task', transition, task: summary }));
    return commands;
  }
}
