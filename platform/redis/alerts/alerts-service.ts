/**
 * The alerts stage assembled: alert lifecycle, notifications, joint
 * monitoring tasks, sampling commands and timers on Redis and BullMQ.
 * `publish()` is the sink analytics hands its events to; the API calls the
 * action methods; `start()` runs the workers of this process.
 *
 * Flow: a change (event, API action, timer) is one atomic script writing the
 * state and its transitions into the event log → the dispatcher (consumer
 * group) enqueues notifications, opens or updates the task, adds the
 * sampling flow and arms the timers → workers deliver.
 */
import type { ReplicationPolicy } from '../replicated-write.js';
import type { Redis } from '../client.js';
import type { Logger } from 'pino';
import type { Registry as MetricsRegistry } from 'prom-client';
import { systemClock, type AlertEvent, type AlertSink, type Clock, type Registry, type StationCommandAck, type StationCommander } from '../../../domain/index.js';
import type { Actor, Alert } from '../../../alerts/alarms/alert-model.js';
import { AlertStore, type AlertFilter, type ApplyOutcome } from './alert-store.js';
import { alertsConfig, type AlertsConfig, type AlertsConfigInput } from '../../../alerts/config.js';
import { Dispatcher } from './event-dispatcher.js';
import { RedisKeys } from '../keys.js';
import { AlertsMetrics } from './alerts-metrics.js';
import { NotificationGroups } from './notification-groups.js';
import { Notifier } from '../../bullmq/notifier.js';
import { alertDueTimes, reminderIntervalFor } from '../../../alerts/alarms/alert-escalation.js';
import { FeedbackStore } from './feedback-store.js';
import { Inhibition } from './inhibition.js';
import { Silences } from './silences.js';
import { StationCommands, type SamplingJobData } from '../../bullmq/station-commands.js';
import type { Task } from '../../../alerts/joint-monitoring/task-model.js';
import { addProgress, checkProblemDeadlines, closeOutProblem, registerProblem, type ProblemInput } from '../../../alerts/joint-monitoring/problem-ledger.js';
import { checkArrivalDeadline, checkHold, recordStep, samplingDone, type StepInput } from '../../../alerts/joint-monitoring/on-site-steps.js';
import { taskDueTimes } from '../../../alerts/joint-monitoring/task-timers.js';
import { TaskStore, type TaskChange, type TaskFilter } from './task-store.js';
import { Timers, type TimerJobData } from '../../bullmq/timers.js';
import { TransitionEffects } from './transition-effects.js';

/** A commander that also reports acks (the MQTT adapter does). */
export interface AckSource {
  onAck(listener: (ack: StationCommandAck) => void): () => void;
}

export interface AlertsServiceDeps {
  /** Commands and BullMQ connection; `maxRetriesPerRequest: null` (platform/redis/client.ts createRedis). */
  readonly redis: Redis;
  readonly registry: Registry;
  readonly logger: Logger;
  readonly metricsRegistry: MetricsRegistry;
  readonly config?: AlertsConfigInput;
  readonly clock?: Clock;
  /** Needed where the command worker runs; with `onAck` its acks are recorded. */
  readonly commander?: StationCommander & Partial<AckSource>;
  /** Run the workers (dispatcher, notify, commands, timers, sweep) in this process. @defaultValue true */
  readonly workers?: boolean;
  /** Event-log consumer name, stable across restarts of this process (see Dispatcher). */
  readonly consumer?: string;
  /** Replicas that must hold every alert and task change before it counts as done (RW_REDIS_WAIT_REPLICAS). @defaultValue none */
  readonly replication?: ReplicationPolicy;
}

export class AlertsService implements AlertSink {
  readonly config: AlertsConfig;
  readonly keys: RedisKeys;
  readonly alerts: AlertStore;
  readonly tasks: TaskStore;
  readonly notifier: Notifier;
  readonly commands: StationCommands;
  readonly metrics: AlertsMetrics;
  /** Silences and maintenance windows (issue 15 §1). */
  readonly silences: Silences;
  /** Feedback labels on alerts (issue 15 §5). */
  readonly feedback: FeedbackStore;
  /** Grouped first notifications per agency and incident (issue 15 §3). */
  readonly groups: NotificationGroups;
  /** Doubtful alerts: their station is offline or faulty (issue 15 §2). */
  readonly inhibition: Inhibition;
  readonly #timers: Timers;
  readonly #dispatcher: Dispatcher;
  readonly #effects: TransitionEffects;
  readonly #deps: AlertsServiceDeps;
  readonly #clock: Clock;
  readonly #logger: Logger;
  #unsubscribeAcks: (() => void) | undefined;
  #sweepTimer: NodeJS.Timeout | undefined;
  #started = false;
  #closing: Promise<void> | undefined;

  constructor(deps: AlertsServiceDeps) {
    this.#deps = deps;
    this.config = alertsConfig(deps.config);
    this.#clock = deps.clock ?? systemClock;
    this.#logger = deps.logger.child({ component: 'alerts' });
    this.keys = new RedisKeys(this.config.keyPrefix);
    const base = { redis: deps.redis, keys: this.keys, registry: deps.registry, config: this.config, clock: this.#clock };
    const stores = deps.replication ? { ...base, replication: deps.replication } : base;
    this.alerts = new AlertStore(stores);
    this.tasks = new TaskStore(stores);
    this.metrics = new AlertsMetrics(deps.metricsRegistry, { redis: deps.redis, keys: this.keys });
    const connection = deps.redis;
    this.notifier = new Notifier({ ...base, connection, logger: this.#logger.child({ part: 'notify' }), metrics: this.metrics });
    this.commands = new StationCommands({
      ...base,
      connection,
      logger: this.#logger.child({ part: 'commands' }),
      commander: deps.commander,
      onSamplingDone: (data, acked, failed) => this.#samplingDone(data, acked, failed),
    });
    this.#timers = new Timers({
      connection,
      config: this.config,
      clock: this.#clock,
      logger: this.#logger,
      onDue: (data) => this.#onTimer(data),
    });
    this.feedback = new FeedbackStore({
      redis: deps.redis,
      prefix: this.keys.prefix,
      clock: this.#clock,
      metrics: deps.metricsRegistry,
    });
    this.inhibition = new Inhibition({ redis: deps.redis, keys: this.keys, alerts: this.alerts });
    this.groups = new NotificationGroups({
      redis: deps.redis,
      prefix: this.keys.prefix,
      clock: this.#clock,
      notifier: this.notifier,
      logger: this.#logger.child({ part: 'groups' }),
      waitMs: this.config.notifyGroupWaitMs,
      repeatMs: this.config.notifyGroupRepeatMs,
      schedule: (agencyId, groupKey, dueAt) => this.#timers.schedule({ kind: 'group', agencyId, groupKey }, dueAt),
    });
    this.silences = new Silences({
      ...base,
      alerts: this.alerts,
      tasks: this.tasks,
      notifier: this.notifier,
      logger: this.#logger.child({ part: 'silences' }),
      schedule: (silenceId, dueAt) => this.#timers.schedule({ kind: 'silence', silenceId }, dueAt),
      inhibitorOf: (alert) => this.inhibition.inhibitorOf(alert),
    });
    this.#effects = new TransitionEffects({
      registry: deps.registry,
      config: this.config,
      alerts: this,
      schedule: { alert: (alert, futureOnly) => this.#scheduleAlert(alert, futureOnly), task: (task, futureOnly) => this.#scheduleTask(task, futureOnly) },
    });
    this.#dispatcher = new Dispatcher({
      redis: deps.redis,
      streamKey: this.keys.eventLog(),
      claimIdleMs: this.config.dispatchClaimIdleMs,
      ...(deps.consumer ? { consumer: deps.consumer } : {}),
      logger: this.#logger.child({ part: 'dispatch' }),
      handle: (entry) => this.#effects.carryOut(entry),
    });
  }

  /** Starts this process's workers (unless `workers: false`). */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    if (this.#deps.workers === false) return;
    if (this.#deps.commander?.onAck) {
      this.#unsubscribeAcks = this.#deps.commander.onAck((ack) => {
        this.commands
          .recordAck(ack)
          .catch((err: unknown) => this.#logger.error({ err, commandId: ack.id }, 'recording a command ack failed'));
      });
    }
    await Promise.all([this.notifier.start(), this.commands.start(), this.#timers.start()]);
    await this.#dispatcher.start();
    await this.sweep();
    if (this.config.sweepIntervalMs > 0) {
      this.#sweepTimer = setInterval(() => {
        this.sweep().catch((err: unknown) => this.#logger.warn({ err }, 'alerts sweep failed'));
      }, this.config.sweepIntervalMs);
      this.#sweepTimer.unref();
    }
  }

  /**
   * Stops everything; idempotent, runs every cleanup even if one fails.
   * `force` abandons in-flight jobs without draining (what a crash leaves).
   */
  async close(options: { force?: boolean } = {}): Promise<void> {
    this.#closing ??= (async () => {
      const errors: unknown[] = [];
      const run = async (fn: () => Promise<void> | void): Promise<void> => {
        try {
          await fn();
        } catch (err) {
          errors.push(err);
        }
      };
      clearInterval(this.#sweepTimer);
      await run(() => this.#unsubscribeAcks?.());
      await run(() => this.#dispatcher.close());
      await run(() => this.notifier.close(options.force));
      await run(() => this.commands.close(options.force));
      await run(() => this.#timers.close(options.force));
      if (errors.length > 0) throw new AggregateError(errors, 'closing the alerts service failed');
    })();
    return this.#closing;
  }

  /** The sink analytics hands events to: applied in order, each atomically and idempotently. */
  async publish(events: readonly AlertEvent[]): Promise<void> {
    for (const event of events) await this.alerts.applyEvent(event);
  }

  async handle(event: AlertEvent): Promise<ApplyOutcome> {
    return this.alerts.applyEvent(event);
  }

  async getAlert(alertId: string): Promise<Alert | undefined> {
    return this.alerts.get(alertId);
  }

  async listAlerts(filter: AlertFilter): Promise<{ items: Alert[]; total: number }> {
    return this.alerts.list(filter);
  }

  async acknowledge(alertId: string, actor: Actor): Promise<Alert> {
    return (await this.alerts.acknowledge(alertId, actor)).alert as Alert;
  }

  async resolve(alertId: string, actor: Actor, reason: string): Promise<Alert> {
    return (await this.alerts.resolve(alertId, actor, reason)).alert as Alert;
  }

  async getTask(taskId: string): Promise<Task | undefined> {
    return this.tasks.get(taskId);
  }

  async listTasks(filter: TaskFilter): Promise<{ items: Task[]; total: number }> {
    return this.tasks.list(filter);
  }

  async recordStep(taskId: string, input: StepInput, actor: Actor): Promise<Task> {
    return this.#taskResult(await this.tasks.update(taskId, (task, now) => recordStep(task, input, actor, now, this.config)));
  }

  async registerProblem(taskId: string, input: ProblemInput, actor: Actor): Promise<Task> {
    return this.#taskResult(await this.tasks.update(taskId, (task, now) => registerProblem(task, input, actor, now)));
  }

  async addProgress(
    taskId: string,
    problemId: string,
    entry: { note: string; attachments?: readonly string[] },
    actor: Actor,
  ): Promise<Task> {
    return this.#taskResult(await this.tasks.update(taskId, (task, now) => addProgress(task, problemId, entry, actor, now)));
  }

  async closeOutProblem(
    taskId: string,
    problemId: string,
    input: { evidence: readonly string[]; note: string },
    actor: Actor,
  ): Promise<Task> {
    return this.#taskResult(await this.tasks.update(taskId, (task, now) => closeOutProblem(task, problemId, input, actor, now)));
  }

  /** Applies whatever is due for an alert now (auto-resolve, reminder). */
  async checkAlert(alertId: string): Promise<void> {
    const alert = await this.alerts.autoResolve(alertId).then((r) => r.alert);
    const intervalMs = alert ? reminderIntervalFor(alert.level, this.config) : 0;
    if (!alert || alert.status !== 'open' || intervalMs === 0) return;
    const n = alert.reminders + 1;
    if (this.#clock.now() >= alert.openedAt + n * intervalMs) await this.alerts.remind(alertId, n);
  }

  /** Applies whatever is due for a task now (arrival escalation, problem escalation, end of hold). */
  async checkTask(taskId: string): Promise<Task | undefined> {
    const change = await this.tasks.update(taskId, (task, now) => {
      const a = checkArrivalDeadline(task, this.#deps.registry, now, this.config);
      const b = checkProblemDeadlines(a.task, this.#deps.registry, now, this.config);
      const c = checkHold(b.task, now);
      return { ok: true, task: c.task, added: [...a.added, ...b.added, ...c.added] };
    });
    return change.task;
  }

  /** Checks every active alert and open task and re-arms their timers (on start and every `sweepIntervalMs`). */
  async sweep(): Promise<void> {
    for (const alertId of await this.alerts.activeIds()) {
      await this.checkAlert(alertId);
      const alert = await this.alerts.get(alertId);
      if (alert) await this.#scheduleAlert(alert, true);
    }
    for (const taskId of await this.tasks.openIds()) {
      const task = await this.checkTask(taskId);
      if (task) await this.#scheduleTask(task, true);
    }
  }

  #taskResult(change: TaskChange): Task {
    return change.task as Task;
  }

  async #onTimer(data: TimerJobData): Promise<void> {
    if (data.kind === 'silence') {
      await this.silences.release(data.silenceId);
      return;
    }
    if (data.kind === 'group') {
      await this.groups.flush(data.agencyId, data.groupKey);
      return;
    }
    if (data.kind === 'alert') {
      await this.checkAlert(data.alertId);
      const alert = await this.alerts.get(data.alertId);
      if (alert) await this.#scheduleAlert(alert, true);
      return;
    }
    const task = await this.checkTask(data.taskId).catch((err: unknown) => {
      if ((err as { code?: string }).code === 'RW_NOT_FOUND') return undefined;
      throw err;
    });
    if (task) await this.#scheduleTask(task, true);
  }

  /** Arms the next timer of an alert. `futureOnly`: a timer's own re-arm never re-adds a due already past (no busy loop). */
  async #scheduleAlert(
    alert: Pick<Alert, 'id' | 'status' | 'clearedAt' | 'openedAt' | 'reminders' | 'level'>,
    futureOnly: boolean,
  ): Promise<void> {
    const dues = alertDueTimes(alert, this.config);
    const now = this.#clock.now();
    for (const due of dues) if (!futureOnly || due > now) await this.#timers.schedule({ kind: 'alert', alertId: alert.id }, due);
  }

  async #scheduleTask(task: Task, futureOnly: boolean): Promise<void> {
    const dues = taskDueTimes(task, this.#deps.registry, this.config);
    const now = this.#clock.now();
    for (const due of dues) if (!futureOnly || due > now) await this.#timers.schedule({ kind: 'task', taskId: task.id }, due);
  }

  async #samplingDone(data: SamplingJobData, acked: readonly string[], failed: readonly string[]): Promise<void> {
    await this.tasks
      .update(data.taskId, (task, now) => samplingDone(task, data.action, data.epoch, acked, failed, now))
      .catch((err: unknown) => {
        if ((err as { code?: string }).code !== 'RW_NOT_FOUND') throw err;
      });
  }
}
