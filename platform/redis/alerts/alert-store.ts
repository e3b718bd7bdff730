/**
 * Alerts in Redis. Every change is one atomic compare-and-set script that
 * writes the alert, its indexes, the condition's seen-event ids and the
 * transitions into the event log together, so an event delivered twice
 * (analytics redelivers after a crash) changes nothing and a crash never
 * leaves a state change without its notifications.
 */
import { createHash } from 'node:crypto';
import { AppError, type AlertEvent } from '../../../domain/index.js';
import {
  applyAcknowledge,
  applyAutoResolve,
  applyEvent,
  applyReminder,
  applyResolve,
  type ActionResult,
  type LifecycleResult,
} from '../../../alerts/alarms/alert-lifecycle.js';
import { summaryOf, type Actor, type Alert, type AlertStatus } from '../../../alerts/alarms/alert-model.js';
import { REPLAN, transact, type RedisCommand, type TransactionPlan } from '../compare-and-set.js';
import { appendCommand } from './event-log.js';
import type { AlertLevel } from '../../../domain/index.js';
import { RedisRecordStore } from './store-deps.js';

/** Seen-event ids kept per condition (older redeliveries are caught by the event-time check). */
const SEEN_KEEP = 2000;
const SEEN_TTL_S = 30 * 24 * 3600;

export interface ApplyOutcome extends LifecycleResult {
  /** The event had been applied before: nothing changed. */
  readonly duplicate: boolean;
}

export interface AlertFilter {
  readonly status?: readonly AlertStatus[];
  readonly level?: readonly AlertLevel[];
  readonly sectionId?: string;
  readonly riverId?: string;
  /** Alerts active at some time in [from, to] (epoch ms). */
  readonly from?: number;
  readonly to?: number;
  /** Scope: only alerts this returns true for. */
  readonly visible?: (alert: Alert) => boolean;
  readonly limit: number;
  readonly offset: number;
}

interface ConditionPointer {
  readonly alertId: string;
  readonly episode: number;
}

/** Idempotency id of an event: the same event redelivered has the same id. */
export function eventIdOf(event: AlertEvent): string {
  return createHash('sha256')
    .update(JSON.stringify([event.type, event.key, event.kind, event.level ?? null, event.ts, event.stationId ?? null]))
    .digest('hex')
    .slice(0, 32);
}

/** Alert id of a condition's n-th episode; stable, so a retried transaction picks the same id. */
export function alertIdFor(conditionKey: string, episode: number): string {
  return `al-${createHash('sha256').update(conditionKey).digest('hex').slice(0, 12)}-${episode}`;
}

function levelLabel(alert: Alert): string {
  return alert.level ?? 'none';
}

function parseAlert(json: string | null | undefined): Alert | undefined {
  return json ? (JSON.parse(json) as Alert) : undefined;
}

export class AlertStore extends RedisRecordStore {

  /** Applies an analytics event atomically and idempotently. */
  async applyEvent(event: AlertEvent): Promise<ApplyOutcome> {
    const keys = this.keys;
    const condKey = keys.condition(event.key);
    const seenKey = keys.seenEvents(event.key);
    const eventId = eventIdOf(event);
    let pointerUsed: string | null = null;
    return transact<ApplyOutcome>(
      this.redis,
      async () => {
        pointerUsed = await this.redis.get(condKey);
        const pointer = pointerUsed ? (JSON.parse(pointerUsed) as ConditionPointer) : undefined;
        return pointer ? [condKey, keys.alert(pointer.alertId)] : [condKey];
      },
      async (values): Promise<TransactionPlan<ApplyOutcome> | typeof REPLAN> => {
        if (values[0] !== pointerUsed) return REPLAN;
        const current = parseAlert(values[1]);
        if ((await this.redis.zscore(seenKey, eventId)) !== null)
          return { commands: [], result: { alert: current, added: [], duplicate: true } };
        const pointer = pointerUsed ? (JSON.parse(pointerUsed) as ConditionPointer) : undefined;
        const episode = (pointer?.episode ?? 0) + 1;
        const result = applyEvent(current, event, {
          now: this.clock.now(),
          riverId: this.registry.section(event.sectionId)?.riverId,
          newAlert: { id: alertIdFor(event.key, episode), episode },
          autoResolveHoldMs: this.config.autoResolveHoldMs,
        });
        const commands: RedisCommand[] = [
          ['ZADD', seenKey, event.ts, eventId],
          ['ZREMRANGEBYRANK', seenKey, 0, -(SEEN_KEEP + 1)],
          ['EXPIRE', seenKey, SEEN_TTL_S],
        ];
        if (result.alert && result.alert !== current) {
          const previous = current?.id === result.alert.id ? current : undefined;
          if (!previous) {
            commands.push([
              'SET',
              condKey,
              JSON.stringify({ alertId: result.alert.id, episode: result.alert.episode } satisfies ConditionPointer),
            ]);
            commands.push(['ZADD', keys.alertIndex(), result.alert.openedAt, result.alert.id]);
          }
          commands.push(...this.#writeCommands(previous, result.alert, result));
        }
        return { commands, result: { ...result, duplicate: false } };
      },
      this.transactOptions,
    );
  }

  async get(alertId: string): Promise<Alert | undefined> {
    return parseAlert(await this.redis.get(this.keys.alert(alertId)));
  }

  async getMany(alertIds: readonly string[]): Promise<Alert[]> {
    const out: Alert[] = [];
    for (let i = 0; i < alertIds.length; i += 200) {
      const chunk = alertIds.slice(i, i + 200).map((id) => this.keys.alert(id));
      if (chunk.length === 0) continue;
      for (const json of await this.redis.mget(...chunk)) {
        const alert = parseAlert(json);
        if (alert) out.push(alert);
      }
    }
    return out;
  }

  /** Acknowledges; throws `RW_NOT_FOUND` / `RW_ALERT_RESOLVED`. */
  async acknowledge(alertId: string, actor: Actor): Promise<LifecycleResult> {
    return this.#act(alertId, (alert, now) => applyAcknowledge(alert, actor, now));
  }

  /** Resolves by hand with a reason; throws `RW_NOT_FOUND` / `RW_ALERT_RESOLVED`. */
  async resolve(alertId: string, actor: Actor, reason: string): Promise<LifecycleResult> {
    return this.#act(alertId, (alert, now) => applyResolve(alert, actor, reason, now));
  }

  /** Resolves the alert if its condition has stayed cleared for the hold time (timer and sweep). */
  async autoResolve(alertId: string): Promise<LifecycleResult> {
    return this.#act(alertId, (alert, now) => ({ ok: true, ...applyAutoResolve(alert, now, this.config.autoResolveHoldMs) }));
  }

  /** Adds reminder `n` while the alert is unacknowledged. */
  async remind(alertId: string, n: number): Promise<LifecycleResult> {
    return this.#act(alertId, (alert, now) => ({ ok: true, ...applyReminder(alert, n, now) }));
  }

  /** Ids of alerts not yet resolved. */
  async activeIds(): Promise<string[]> {
    return this.redis.smembers(this.keys.activeAlerts());
  }

  /** Alerts matching a filter, newest first, with the total count of matches. */
  async list(filter: AlertFilter): Promise<{ items: Alert[]; total: number }> {
    const ids = await this.redis.zrevrangebyscore(this.keys.alertIndex(), filter.to ?? '+inf', '-inf');
    const items: Alert[] = [];
    let total = 0;
    for (let i = 0; i < ids.length; i += 200) {
      for (const alert of await this.getMany(ids.slice(i, i + 200))) {
        if (!matches(alert, filter)) continue;
        if (total >= filter.offset && items.length < filter.limit) items.push(alert);
        total += 1;
      }
    }
    return { items, total };
  }

  async #act(alertId: string, decide: (alert: Alert, now: number) => ActionResult): Promise<LifecycleResult> {
    const key = this.keys.alert(alertId);
    return transact(this.redis, [key], (values) => {
      const alert = parseAlert(values[0]);
      if (!alert) throw new AppError('RW_NOT_FOUND', `no alert ${alertId}`);
      const result = decide(alert, this.clock.now());
      if (!result.ok) throw new AppError(result.code, result.message);
      if (!result.alert || result.alert === alert) return { commands: [], result: { alert, added: [] } };
      return { commands: this.#writeCommands(alert, result.alert, result), result: { alert: result.alert, added: result.added } };
    }, this.transactOptions);
  }

  /** Writes of a changed alert: the alert, the active set, counts by level, and its transitions into the event log. */
  #writeCommands(previous: Alert | undefined, next: Alert, result: LifecycleResult): RedisCommand[] {
    const keys = this.keys;
    const commands: RedisCommand[] = [['SET', keys.alert(next.id), JSON.stringify(next)]];
    const wasActive = previous !== undefined && previous.status !== 'resolved';
    const isActiveNow = next.status !== 'resolved';
    if (wasActive && (!isActiveNow || levelLabel(previous) !== levelLabel(next)))
      commands.push(['HINCRBY', keys.activeByLevel(), levelLabel(previous), -1]);
    if (isActiveNow && (!wasActive || levelLabel(previous) !== levelLabel(next)))
      commands.push(['HINCRBY', keys.activeByLevel(), levelLabel(next), 1]);
    if (isActiveNow && !wasActive) commands.push(['SADD', keys.activeAlerts(), next.id]);
    if (!isActiveNow && wasActive) commands.push(['SREM', keys.activeAlerts(), next.id]);
    const summary = summaryOf(next);
    for (const transition of result.added) {
      commands.push(appendCommand(keys.eventLog(), this.config.eventLogMaxLen, { type: 'alert', transition, alert: summary }));
    }
    return commands;
  }
}

function matches(alert: Alert, filter: AlertFilter): boolean {
  if (filter.status && !filter.status.includes(alert.status)) return false;
  if (filter.level && (alert.level === undefined || !filter.level.includes(alert.level))) return false;
  if (filter.sectionId !== undefined && alert.sectionId !== filter.sectionId) return false;
  if (filter.riverId !== undefined && alert.riverId !== filter.riverId) return false;
  if (filter.from !== undefined && alert.resolved !== undefined && alert.resolved.at < filter.from) return false;
  if (filter.visible && !filter.visible(alert)) return false;
  return true;
}
