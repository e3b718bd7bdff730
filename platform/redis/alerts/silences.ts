/**
 * Silences and maintenance windows at work (issue 15 §1): create, change
 * and end them with an audit trail, decide for each alert transition
 * whether it may notify and touch tasks, and release what a silence held
 * back when it ends. A silenced alert is recorded and shown as usual; it
 * notifies nobody and opens no task while silenced; when the silence ends
 * and the condition still holds, its latest opening transition is notified
 * then (once: the notification's idempotency key is the transition id) and
 * goes to the task rules as if it had just happened.
 *
 * A station whose open `dq-flag` alert carries only M (maintenance) or C
 * (calibration) flags is in an implicit maintenance window
 * (`maintenance.{stationId}`) until that flag alert clears.
 */
import type { Redis } from '../client.js';
import type { Logger } from 'pino';
import { ALERT_KINDS, AppError, type Clock, type Registry } from '../../../domain/index.js';
import { summaryOf, type Actor, type Alert, type AlertSummary, type AlertTransition } from '../../../alerts/alarms/alert-model.js';
import type { AlertStore } from './alert-store.js';
import type { AlertsConfig } from '../../../alerts/config.js';
import type { RedisKeys } from '../keys.js';
import type { Notifier } from '../../bullmq/notifier.js';
import { alertRecipients } from '../../../alerts/alarms/recipients.js';
import { finalEnd, matchesTarget, windowAt, windowProblems, type Silence, type SilenceMatcher, type WeeklyWindow } from '../../../alerts/alarms/silence-model.js';
import { SilenceStore } from './silence-store.js';
import { taskTriggerFor } from '../../../alerts/joint-monitoring/task-rules.js';
import type { TaskStore } from './task-store.js';

/** What an agency asks for. */
export interface SilenceInput {
  readonly matcher: SilenceMatcher;
  /** @defaultValue now */
  readonly startsAt?: number;
  readonly endsAt: number;
  readonly reason: string;
  readonly recurrence?: WeeklyWindow;
}

export interface SilenceChange {
  readonly endsAt?: number;
  readonly reason?: string;
}

/** What a transition may do while silences are considered. */
export interface GateDecision {
  readonly notify: boolean;
  readonly task: boolean;
  /** The silence holding the alert back, when it does. */
  readonly silenceId?: string;
}

export interface SilencesDeps {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly registry: Registry;
  readonly config: AlertsConfig;
  readonly clock: Clock;
  readonly alerts: AlertStore;
  readonly tasks: TaskStore;
  readonly notifier: Notifier;
  readonly logger: Logger;
  /** Wakes `release(silenceId)` at `dueAt` (a timer job; idempotent per due). */
  readonly schedule: (silenceId: string, dueAt: number) => Promise<void>;
  /** The open section-level alert that inhibits a station-level duplicate (inhibition.ts), if any. */
  readonly inhibitorOf?: (alert: AlertSummary) => Promise<string | undefined>;
}

const OPENING = new Set(['opened', 'level-raised', 'reraised', 'reminder']);
const MAINTENANCE_FLAGS = new Set(['M', 'C']);

export const maintenanceId = (stationId: string): string => `maintenance.${stationId}`;

export class Silences {
  readonly store: SilenceStore;
  readonly #deps: SilencesDeps;

  constructor(deps: SilencesDeps) {
    this.#deps = deps;
    this.store = new SilenceStore({ redis: deps.redis, prefix: deps.keys.prefix });
  }

  /** The section a silence is scoped by (its own, or its station's). */
  sectionOf(matcher: SilenceMatcher): string | undefined {
    return matcher.sectionId ?? (matcher.stationId ? this.#deps.registry.station(matcher.stationId)?.sectionId : undefined);
  }

  canSee(agencyId: string, silence: Silence): boolean {
    const section = this.sectionOf(silence.matcher);
    return section !== undefined && this.#deps.registry.canSeeSection(agencyId, section);
  }

  async create(agencyId: string, input: SilenceInput, actor: Actor): Promise<Silence> {
    const now = this.#deps.clock.now();
    const startsAt = input.startsAt ?? now;
    const problems = this.#problems(input.matcher, startsAt, input.endsAt, input.reason, input.recurrence);
    if (problems.length > 0)
      throw new AppError('RW_INVALID_PAYLOAD', `silence is not valid: ${problems.join('; ')}`, { details: problems });
    const section = this.sectionOf(input.matcher) as string;
    if (!this.#deps.registry.canSeeSection(agencyId, section))
      throw new AppError(
        'RW_FORBIDDEN',
        `${agencyId} is not a party of section ${section}: only its parties and their superiors may silence its alerts`,
      );
    const silence: Silence = {
      id: SilenceStore.newId(),
      agencyId,
      matcher: input.matcher,
      startsAt,
      endsAt: input.endsAt,
      reason: input.reason,
      ...(input.recurrence ? { recurrence: input.recurrence } : {}),
      createdAt: now,
      history: [{ at: now, actor, action: 'created' }],
    };
    await this.store.put(silence);
    return silence;
  }

  async get(agencyId: string, id: string): Promise<Silence> {
    const silence = await this.store.get(id);
    if (!silence) throw new AppError('RW_NOT_FOUND', `no silence ${id}; list them with GET /api/v1/silences`);
    if (!this.canSee(agencyId, silence))
      throw new AppError('RW_FORBIDDEN', `silence ${id} is at a section where ${agencyId} is not a party`);
    return silence;
  }

  /** Silences the agency may see; `activeOnly`: those not yet over. */
  async list(agencyId: string, activeOnly: boolean): Promise<Silence[]> {
    const now = this.#deps.clock.now();
    return (await this.store.all()).filter((s) => this.canSee(agencyId, s) && (!activeOnly || finalEnd(s) > now));
  }

  async change(agencyId: string, id: string, change: SilenceChange, actor: Actor): Promise<Silence> {
    const silence = await this.#open(agencyId, id);
    const endsAt = change.endsAt ?? silence.endsAt;
    const reason = change.reason ?? silence.reason;
    const problems = this.#problems(silence.matcher, silence.startsAt, endsAt, reason, silence.recurrence);
    if (problems.length > 0)
      throw new AppError('RW_INVALID_PAYLOAD', `silence change is not valid: ${problems.join('; ')}`, { details: problems });
    const changes: Record<string, string> = {};
    if (endsAt !== silence.endsAt) changes.endsAt = `${new Date(silence.endsAt).toISOString()} → ${new Date(endsAt).toISOString()}`;
    if (reason !== silence.reason) changes.reason = `${silence.reason} → ${reason}`;
    const next: Silence = {
      ...silence,
      endsAt,
      reason,
      history: [...silence.history, { at: this.#deps.clock.now(), actor, action: 'changed', changes }],
    };
    await this.store.put(next);
    // An earlier end releases what it held then; a timer at the old end finds the alerts still silenced and waits.
    await this.#deps.schedule(id, Math.max(this.#deps.clock.now(), finalEnd(next)));
    return next;
  }

  async end(agencyId: string, id: string, actor: Actor): Promise<Silence> {
    const silence = await this.#open(agencyId, id);
    const now = this.#deps.clock.now();
    const next: Silence = { ...silence, endedAt: now, history: [...silence.history, { at: now, actor, action: 'ended' }] };
    await this.store.put(next);
    // Released here, so the answer (and the page that reloads after it) already shows the alerts let go;
    // the timer is the fallback should this process stop between the two.
    await this.#deps.schedule(id, now);
    await this.release(id);
    return next;
  }

  async #open(agencyId: string, id: string): Promise<Silence> {
    const silence = await this.get(agencyId, id);
    if (finalEnd(silence) <= this.#deps.clock.now())
      throw new AppError('RW_SILENCE_ENDED', `silence ${id} has already ended; create a new one to silence again`);
    return silence;
  }

  #problems(
    matcher: SilenceMatcher,
    startsAt: number,
    endsAt: number,
    reason: string,
    recurrence: WeeklyWindow | undefined,
  ): string[] {
    const { registry } = this.#deps;
    const problems: string[] = [];
    if (matcher.sectionId === undefined && matcher.stationId === undefined)
      problems.push('give a sectionId or a stationId (a silence is scoped by the section it applies to)');
    if (matcher.sectionId !== undefined && !registry.section(matcher.sectionId))
      problems.push(`sectionId: no section ${matcher.sectionId}`);
    const station = matcher.stationId === undefined ? undefined : registry.station(matcher.stationId);
    if (matcher.stationId !== undefined && !station) problems.push(`stationId: no station ${matcher.stationId}`);
    if (station && matcher.sectionId !== undefined && station.sectionId !== matcher.sectionId)
      problems.push(`stationId: ${station.id} is on section ${station.sectionId}, not ${matcher.sectionId}`);
    if (matcher.kind !== undefined && !(ALERT_KINDS as readonly string[]).includes(matcher.kind))
      problems.push(`kind: one of ${ALERT_KINDS.join(', ')}`);
    if (!Number.isFinite(endsAt) || endsAt <= startsAt) problems.push('endsAt: must be after startsAt');
    if (reason.trim() === '') problems.push('reason: say why (e.g. "weekly calibration")');
    if (recurrence) problems.push(...windowProblems(recurrence));
    return problems;
  }

  /** The silence (stored, or a station's maintenance) that holds `alert` back at `at`, with the end of its window. */
  async silencing(alert: AlertSummary, at: number): Promise<{ id: string; until: number | undefined } | undefined> {
    let best: { id: string; until: number | undefined } | undefined;
    for (const s of await this.store.all()) {
      if (finalEnd(s) <= at || !matchesTarget(s.matcher, alert)) continue;
      const w = windowAt(s, at);
      if (w && (best === undefined || (best.until !== undefined && w.to > best.until))) best = { id: s.id, until: w.to };
    }
    if (best) return best;
    if (alert.stationId !== undefined && (await this.#inMaintenance(alert, alert.stationId)))
      return { id: maintenanceId(alert.stationId), until: undefined };
    const inhibitor = await this.#deps.inhibitorOf?.(alert);
    if (inhibitor !== undefined) return { id: `inhibit.${inhibitor}`, until: undefined };
    return undefined;
  }

  async #inMaintenance(alert: AlertSummary, stationId: string): Promise<boolean> {
    const key = `dq-flag:${stationId}`;
    let flagAlert: AlertSummary | undefined = alert.key === key ? alert : undefined;
    if (!flagAlert) {
      const pointer = await this.#deps.redis.get(this.#deps.keys.condition(key));
      const alertId = pointer ? (JSON.parse(pointer) as { alertId?: string }).alertId : undefined;
      flagAlert = alertId ? await this.#deps.alerts.get(alertId) : undefined;
    }
    if (!flagAlert || flagAlert.status === 'resolved' || flagAlert.clearedAt !== undefined) return false;
    const flags = Object.values((flagAlert.evidence.flags ?? {}) as Record<string, string>);
    return flags.length > 0 && flags.every((f) => MAINTENANCE_FLAGS.has(f));
  }

  /** Decides what an alert transition may do, and records a hold (arming the release at the window's end). */
  async gate(alert: AlertSummary, transition: AlertTransition): Promise<GateDecision> {
    const heldBy = await this.store.heldBy(alert.id);
    const silence = await this.silencing(alert, transition.at);
    const opening = OPENING.has(transition.type) && alert.status !== 'resolved';
    if (!silence) {
      if (!heldBy) return { notify: true, task: true };
      if (opening) {
        // The silence ended and this transition came before its release: it notifies now, as a release would.
        await this.store.unhold(heldBy, alert.id);
        return { notify: true, task: true };
      }
      // Acknowledged, cleared or resolved while never notified: nobody to tell, no task to update.
      if (transition.type === 'resolved') await this.store.unhold(heldBy, alert.id);
      return { notify: false, task: false };
    }
    if (opening) {
      if (heldBy !== silence.id) {
        if (heldBy) await this.store.unhold(heldBy, alert.id);
        await this.store.hold(silence.id, alert.id);
      }
      if (silence.until !== undefined) await this.#deps.schedule(silence.id, silence.until);
      return { notify: false, task: false, silenceId: silence.id };
    }
    if (heldBy) {
      if (transition.type === 'resolved') await this.store.unhold(heldBy, alert.id);
      return { notify: false, task: false, silenceId: heldBy };
    }
    // Notified before the silence began: nobody is paged now, but its task still follows its clear and resolve.
    return { notify: false, task: transition.type === 'cleared' || transition.type === 'resolved', silenceId: silence.id };
  }

  /**
   * After a transition: a station's maintenance flag alert that cleared ends its implicit window; a section-level
   * alert that cleared lets go the duplicates it inhibited.
   */
  async afterTransition(alert: AlertSummary, transition: AlertTransition): Promise<void> {
    if (!['cleared', 'resolved'].includes(transition.type)) return;
    if (alert.stationId !== undefined && alert.key === `dq-flag:${alert.stationId}`) await this.release(maintenanceId(alert.stationId));
    if (alert.key.startsWith('exceedance:')) await this.release(`inhibit.${alert.id}`);
  }

  /**
   * Releases what `silenceId` held back and no silence holds now: alerts still active whose condition holds are
   * notified (their latest opening transition) and go to the task rules; the others are let go quietly.
   * Idempotent: a release that runs twice enqueues the same notification ids, and the task store ignores a repeat.
   */
  async release(silenceId: string): Promise<number> {
    const { alerts, registry, config, notifier, tasks, logger } = this.#deps;
    const now = this.#deps.clock.now();
    let notified = 0;
    for (const alertId of await this.store.held(silenceId)) {
      const alert = await alerts.get(alertId);
      if (!alert || alert.status === 'resolved') {
        await this.store.unhold(silenceId, alertId);
        continue;
      }
      const still = await this.silencing(alert, now);
      if (still) {
        if (still.id !== silenceId) {
          await this.store.unhold(silenceId, alertId);
          await this.store.hold(still.id, alertId);
        }
        if (still.until !== undefined) await this.#deps.schedule(still.id, still.until);
        continue;
      }
      if (alert.clearedAt === undefined) {
        const transition = latestOpening(alert);
        if (transition) {
          const summary = summaryOf(alert);
          await notifier.enqueue(transition.id, alertRecipients(registry, alert.sectionId), {
            type: 'alert',
            transition,
            alert: summary,
          });
          await tasks.applyAlertTransition(summary, transition, taskTriggerFor(summary, transition.type, registry, config));
          notified++;
        }
      }
      await this.store.unhold(silenceId, alertId);
    }
    if (notified > 0) logger.info({ silenceId, notified }, 'silence ended: held alerts notified');
    return notified;
  }
}

function latestOpening(alert: Alert): AlertTransition | undefined {
  for (let i = alert.history.length - 1; i >= 0; i--) {
    const h = alert.history[i] as AlertTransition;
    if (h.type === 'opened' || h.type === 'level-raised' || h.type === 'reraised') return h;
  }
  return undefined;
}
