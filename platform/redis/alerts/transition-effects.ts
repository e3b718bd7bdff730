/**
 * What each transition in the event log asks for, carried out by the
 * dispatcher (at least once, so every step is idempotent): notifications
 * (grouped or one by one, downstream first; reminders climb unless the alert
 * is doubtful), the measure-now request of an unconfirmed alert, the task an
 * alert opens or joins, the sampling flows of a task, and the next timers.
 * The rules are pure and live in alerts/ (recipients, escalation, task
 * notice, silences); this file only applies them.
 */
import type { Registry } from '../../../domain/index.js';
import { NOTIFIED_ALERT_TRANSITIONS, type Alert, type AlertSummary, type AlertTransition } from '../../../alerts/alarms/alert-model.js';
import { reminderRecipients } from '../../../alerts/alarms/alert-escalation.js';
import { alertRecipients } from '../../../alerts/alarms/recipients.js';
import { verificationOf } from '../../../alerts/alarms/verification.js';
import type { AlertsConfig } from '../../../alerts/config.js';
import type { Task, TaskSummary, TaskTransition } from '../../../alerts/joint-monitoring/task-model.js';
import { taskNoticeFor } from '../../../alerts/joint-monitoring/task-notice.js';
import { taskTriggerFor } from '../../../alerts/joint-monitoring/task-rules.js';
import type { Notifier } from '../../bullmq/notifier.js';
import type { StationCommands } from '../../bullmq/station-commands.js';
import type { AlertsMetrics } from './alerts-metrics.js';
import type { LoggedEvent } from './event-log.js';
import type { Inhibition } from './inhibition.js';
import { groupKeyOf, type NotificationGroups } from './notification-groups.js';
import type { Silences } from './silences.js';
import type { TaskStore } from './task-store.js';

export interface TransitionEffectsDeps {
  readonly registry: Registry;
  readonly config: AlertsConfig;
  /** The parts of the alerts service the effects use. */
  readonly alerts: {
    readonly silences: Silences;
    readonly groups: NotificationGroups;
    readonly notifier: Notifier;
    readonly inhibition: Inhibition;
    readonly commands: StationCommands;
    readonly tasks: TaskStore;
    readonly metrics: AlertsMetrics;
  };
  /** Arms the next timers of an alert or task (`futureOnly` false: a due already past fires at once). */
  readonly schedule: {
    alert(alert: Pick<Alert, 'id' | 'status' | 'clearedAt' | 'openedAt' | 'reminders' | 'level'>, futureOnly: boolean): Promise<void>;
    task(task: Task, futureOnly: boolean): Promise<void>;
  };
}

export class TransitionEffects {
  readonly #deps: TransitionEffectsDeps;

  constructor(deps: TransitionEffectsDeps) {
    this.#deps = deps;
  }

  /** What one event-log entry asks for. Every step is idempotent: the entry may be handled again after a crash. */
  async carryOut({ event }: LoggedEvent): Promise<void> {
    if (event.type === 'alert') await this.#alert(event.alert, event.transition);
    else await this.#task(event.task, event.transition);
  }

  async #alert(alert: AlertSummary, transition: AlertTransition): Promise<void> {
    const { registry, config } = this.#deps;
    const { silences, groups, notifier, inhibition, commands, tasks, metrics } = this.#deps.alerts;
    // A silenced alert is recorded and shown, but pages nobody and opens no task (silences.ts).
    const gate = await silences.gate(alert, transition);
    if (gate.notify && transition.type === 'opened' && groups.enabled) {
      // One incident's alerts go to each agency as one notification (notification-groups.ts).
      await groups.add(alertRecipients(registry, alert.sectionId), groupKeyOf(alert), { type: 'alert', transition, alert });
    } else if (gate.notify && NOTIFIED_ALERT_TRANSITIONS.has(transition.type)) {
      // An unacknowledged alert's reminders climb the chain above the section's lead (alert-escalation.ts).
      // A doubtful one (its station offline or faulty: inhibition.ts) is still re-notified but does not climb.
      const climbs = transition.type === 'reminder' && (await inhibition.doubtOf(alert)) === undefined;
      const recipients = climbs ? reminderRecipients(registry, alert.sectionId, alert.reminders, config) : alertRecipients(registry, alert.sectionId);
      await notifier.enqueue(transition.id, recipients, { type: 'alert', transition, alert });
    }
    const verify = verificationOf(alert);
    if (verify && (transition.type === 'opened' || transition.type === 'reraised')) {
      // A lone reading past the target: ask the station to measure again before anyone goes out (issue 13 §4).
      await commands.requestMeasurement(alert.id, verify);
    }
    if (gate.task && ['opened', 'reraised', 'level-raised', 'cleared', 'resolved'].includes(transition.type)) {
      // A qualifying alert opens the section's task or attaches to the one not yet closed (task-store.ts).
      await tasks.applyAlertTransition(alert, transition, taskTriggerFor(alert, transition.type, registry, config));
    }
    if (gate.silenceId !== undefined) metrics.silenced.inc({ kind: alert.kind });
    await silences.afterTransition(alert, transition);
    await this.#deps.schedule.alert(alert, false);
  }

  async #task(task: TaskSummary, transition: TaskTransition): Promise<void> {
    const { registry } = this.#deps;
    const { groups, notifier, commands, tasks, metrics } = this.#deps.alerts;
    const notice = taskNoticeFor(task, transition);
    if (notice.sampling) await commands.startSampling(task.id, notice.sampling, task.sampling.epoch, task.sampling.stationIds);
    if (notice.deadlineMissed) metrics.deadlinesMissed.inc({ kind: notice.deadlineMissed });
    if (notice.recipients.length > 0 && transition.type === 'opened' && groups.enabled) {
      // The task's opening joins its alerts' notification to each party (notification-groups.ts).
      const riverId = registry.section(task.sectionId)?.riverId;
      await groups.add(notice.recipients, groupKeyOf({ riverId, sectionId: task.sectionId }), { type: 'task', transition, task });
    } else if (notice.recipients.length > 0) {
      await notifier.enqueue(transition.id, notice.recipients, { type: 'task', transition, task });
    }
    const full = await tasks.get(task.id);
    if (full) await this.#deps.schedule.task(full, false);
  }
}
