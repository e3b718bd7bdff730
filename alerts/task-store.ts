/**
 * Joint-monitoring tasks in Redis, changed only through the atomic
 * compare-and-set script (with their transitions into the event log). One
 * alert opens at most one task: the task id derives from the alert id and
 * the alert → task and condition → open task pointers are written in the
 * same script, so a redelivered or concurrent trigger finds the task.
 */
import type { Redis } from 'ioredis';
import { AppError, type Clock, type Registry } from '../domain/index.js';
import type { AlertSummary, AlertTransition } from './alert-model.js';
import { REPLAN, transact, type RedisCommand } from './compare-and-set.js';
import type { AlertsConfig } from './config.js';
import { appendCommand } from './event-log.js';
import type { AlertKeys } from './keys.js';
import { taskSummaryOf, type Task, type TaskStatus, type TaskTransition, type TaskTrigger } from './task-model.js';
import { conditionCleared, conditionRaised, levelRaised, openTask, type TaskResult } from './task-rules.js';

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
  return json ? (JSON.parse(json) as Task) : undefined;
}

export class TaskStore {
  readonly #redis: Redis;
  readonly #keys: AlertKeys;
  readonly #registry: Registry;
  readonly #config: AlertsConfig;
  readonly #clock: Clock;

  constructor(deps: { redis: Redis; keys: AlertKeys; registry: Registry; config: AlertsConfig; clock: Clock }) {
    this.#redis = deps.redis;
    this.#keys = deps.keys;
    this.#registry = deps.registry;
    this.#config = deps.config;
    this.#clock = deps.clock;
  }

  async get(taskId: string): Promise<Task | undefined> {
    return parseTask(await this.#redis.get(this.#keys.task(taskId)));
  }

  async taskIdOfAlert(alertId: string): Promise<string | undefined> {
    return (await this.#redis.get(this.#keys.taskByAlert(alertId))) ?? undefined;
  }

  async openIds(): Promise<string[]> {
    return this.#redis.smembers(this.#keys.openTasks());
  }

  /**
   * Applies an alert transition to the task of its condition: opens the task
   * when `trigger` says so and none is open, attaches a new alert of the same
   * condition, reopens on relapse, follows level and clear. Idempotent per
   * (alert, transition seq).
   */
  async applyAlertTransition(
    alert: AlertSummary,
    transition: AlertTransition,
    trigger: TaskTrigger | undefined,
  ): Promise<TaskChange> {
    const keys = this.#keys;
    const byAlert = keys.taskByAlert(alert.id);
    const byCond = keys.taskByCondition(alert.key);
    let used: { alert: string | null; cond: string | null } = { alert: null, cond: null };
    return transact<TaskChange>(
      this.#redis,
      async () => {
        const [a, c] = await this.#redis.mget(byAlert, byCond);
        used = { alert: a ?? null, cond: c ?? null };
        const taskId = used.alert ?? used.cond;
        return taskId ? [byAlert, byCond, keys.task(taskId)] : [byAlert, byCond];
      },
      (values) => {
        if (values[0] !== used.alert || values[1] !== used.cond) return REPLAN;
        const now = this.#clock.now();
        const existing = parseTask(values[2]);
        if (!existing) {
          if (!trigger) return { commands: [], result: { task: undefined, added: [] } };
          const opened = openTask(alert, trigger, transition.seq, this.#registry, now, this.#config);
          if (!opened.ok) throw new AppError(opened.code, opened.message);
          return {
            commands: [
              ['SET', byAlert, opened.task.id],
              ['SET', byCond, opened.task.id],
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
            then((t) => conditionRaised(t, alert.id, now));
            break;
          case 'level-raised':
            if (!existing.alertIds.includes(alert.id)) then((t) => conditionRaised(t, alert.id, now));
            then((t) => levelRaised(t, transition.level, now, this.#config));
            break;
          case 'cleared':
          case 'resolved':
            then((t) => conditionCleared(t, now, this.#config));
            break;
          default:
            break;
        }
        const task: Task = { ...result.task, alertSeqs: { ...result.task.alertSeqs, [alert.id]: transition.seq } };
        const commands: RedisCommand[] = [...this.#writeCommands(existing, task, result.added)];
        if (values[0] === null) commands.push(['SET', byAlert, task.id]);
        return { commands, result: { task, added: result.added } };
      },
    );
  }

  /**
   * Changes a task through a pure rule; throws the rule's coded error
   * (`RW_TASK_STEP_ORDER`, `RW_TASK_CLOSED`, ...) or `RW_NOT_FOUND`.
   */
  async update(taskId: string, decide: (task: Task, now: number) => TaskResult): Promise<TaskChange> {
    const key = this.#keys.task(taskId);
    return transact<TaskChange>(this.#redis, [key], (values) => {
      const task = parseTask(values[0]);
      if (!task) throw new AppError('RW_NOT_FOUND', `no task ${taskId}`);
      const result = decide(task, this.#clock.now());
      if (!result.ok) throw new AppError(result.code, result.message, result.details ? { details: result.details } : undefined);
      if (result.task === task) return { commands: [], result: { task, added: [] } };
      return {
        commands: this.#writeCommands(task, result.task, result.added),
        result: { task: result.task, added: result.added },
      };
    });
  }

  async list(filter: TaskFilter): Promise<{ items: Task[]; total: number }> {
    const ids = await this.#redis.zrevrange(this.#keys.taskIndex(), 0, -1);
    const items: Task[] = [];
    let total = 0;
    for (let i = 0; i < ids.length; i += 200) {
      const chunk = ids.slice(i, i + 200).map((id) => this.#keys.task(id));
      for (const json of chunk.length > 0 ? await this.#redis.mget(...chunk) : []) {
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

  #writeCommands(previous: Task | undefined, next: Task, added: readonly TaskTransition[]): RedisCommand[] {
    const keys = this.#keys;
    const commands: RedisCommand[] = [['SET', keys.task(next.id), JSON.stringify(next)]];
    if (next.status !== 'closed' && previous === undefined) commands.push(['SADD', keys.openTasks(), next.id]);
    if (next.status === 'closed' && previous?.status !== 'closed') {
      commands.push(['SREM', keys.openTasks(), next.id]);
      // A later raise of the condition opens a new task (the script deletes only a pointer to this task).
      commands.push(['DEL', keys.taskByCondition(next.conditionKey)]);
    }
    const summary = taskSummaryOf(next);
    for (const transition of added)
      commands.push(appendCommand(keys.eventLog(), this.#config.eventLogMaxLen, { type: 'task', transition, task: summary }));
    return commands;
  }
}
