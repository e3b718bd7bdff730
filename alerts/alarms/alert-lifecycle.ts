/**
 * Alert lifecycle rules, pure: given the current alert of a condition and
 * what happened, the next alert and the transitions added. The Redis store
 * applies the result atomically (alert-store.ts).
 *
 * open → acknowledged → resolved; a raise of a higher level reopens an
 * acknowledged alert (the new level needs a new acknowledgement, as
 * ThingsBoard's escalation chain stops only at ack of what is current); a
 * clear starts the auto-resolve hold, a raise during it cancels it.
 */
import { levelRank, type AlertEvent, type AlertLevel, type ErrorCode } from '../../domain/index.js';
import type { Actor, Alert, AlertTransition, AlertTransitionType } from './alert-model.js';

export interface LifecycleResult {
  /** The alert after the change; undefined when there is none (a clear with no open alert). */
  readonly alert: Alert | undefined;
  readonly added: readonly AlertTransition[];
}

export type ActionResult =
  ({ readonly ok: true } & LifecycleResult) | { readonly ok: false; readonly code: ErrorCode; readonly message: string };

export interface EventContext {
  readonly now: number;
  /** River of the event's section, from the registry. */
  readonly riverId: string | undefined;
  /** Id and episode for a new alert, if this event opens one. */
  readonly newAlert: { readonly id: string; readonly episode: number };
  readonly autoResolveHoldMs: number;
}

const ANALYTICS: Actor = { kind: 'analytics' };
const SYSTEM: Actor = { kind: 'system' };

function rank(level: AlertLevel | undefined): number {
  return level === undefined ? -1 : levelRank(level);
}

function higher(a: AlertLevel | undefined, b: AlertLevel | undefined): AlertLevel | undefined {
  return rank(a) >= rank(b) ? a : b;
}

/** Appends transitions to an alert's history, numbering them. */
function withTransitions(
  alert: Alert,
  now: number,
  items: readonly {
    type: AlertTransitionType;
    actor: Actor;
    level: AlertLevel | undefined;
    fromLevel?: AlertLevel | undefined;
    reason?: string;
  }[],
): LifecycleResult {
  const added: AlertTransition[] = [];
  let seq = alert.history.length;
  for (const item of items) {
    seq += 1;
    added.push({ id: `${alert.id}.${seq}`, seq, at: now, ...item });
  }
  return { alert: { ...alert, updatedAt: now, history: [...alert.history, ...added] }, added };
}

/** Applies an analytics event to the condition's current alert (undefined or resolved: none active). */
export function applyEvent(current: Alert | undefined, event: AlertEvent, ctx: EventContext): LifecycleResult {
  const active = current !== undefined && current.status !== 'resolved' ? current : undefined;
  if (!active) {
    if (event.type === 'clear') return { alert: current, added: [] };
    const opened: Alert = {
      id: ctx.newAlert.id,
      key: event.key,
      episode: ctx.newAlert.episode,
      kind: event.kind,
      sectionId: event.sectionId,
      riverId: ctx.riverId,
      stationId: event.stationId,
      parameters: [...event.parameters],
      level: event.level,
      maxLevel: event.level,
      status: 'open',
      clearedAt: undefined,
      firstSeen: event.ts,
      lastSeen: event.ts,
      occurrences: 1,
      message: event.message,
      evidence: event.evidence,
      arrival: event.arrival,
      openedAt: ctx.now,
      updatedAt: ctx.now,
      acknowledged: undefined,
      resolved: undefined,
      reminders: 0,
      history: [],
    };
    return withTransitions(opened, ctx.now, [{ type: 'opened', actor: ANALYTICS, level: event.level }]);
  }

  // Analytics works per section in event-time order; an older event (a late
  // redelivery) is counted but never moves the level or the clear state back.
  const stale = event.ts < active.lastSeen;

  if (event.type === 'clear') {
    if (stale || active.clearedAt !== undefined) return { alert: active, added: [] };
    const cleared: Alert = { ...active, clearedAt: ctx.now };
    const items: { type: AlertTransitionType; actor: Actor; level: AlertLevel | undefined; reason?: string }[] = [
      { type: 'cleared', actor: ANALYTICS, level: active.level },
    ];
    if (ctx.autoResolveHoldMs === 0) {
      return withTransitions(
        { ...cleared, status: 'resolved', resolved: { at: ctx.now, actor: SYSTEM, reason: 'condition cleared' } },
        ctx.now,
        [...items, { type: 'resolved', actor: SYSTEM, level: active.level, reason: 'condition cleared' }],
      );
    }
    return withTransitions(cleared, ctx.now, items);
  }

  let next: Alert = { ...active, occurrences: active.occurrences + 1, updatedAt: ctx.now };
  if (stale) return { alert: next, added: [] };

  next = {
    ...next,
    lastSeen: event.ts,
    message: event.message,
    evidence: event.evidence,
    arrival: event.arrival ?? active.arrival,
  };
  const items: { type: AlertTransitionType; actor: Actor; level: AlertLevel | undefined; fromLevel?: AlertLevel | undefined }[] =
    [];
  if (active.clearedAt !== undefined) {
    next = { ...next, clearedAt: undefined };
    items.push({ type: 'reraised', actor: ANALYTICS, level: event.level });
  }
  const delta = rank(event.level) - rank(active.level);
  if (delta > 0) {
    next = {
      ...next,
      // The kind follows the level (issue 13 §7): an early warning that passes the limit is an exceedance.
      kind: event.kind,
      level: event.level,
      maxLevel: higher(active.maxLevel, event.level),
      status: 'open',
      acknowledged: active.status === 'acknowledged' ? undefined : active.acknowledged,
    };
    items.push({ type: 'level-raised', actor: ANALYTICS, level: event.level, fromLevel: active.level });
  } else if (delta < 0) {
    next = { ...next, level: event.level };
    items.push({ type: 'level-lowered', actor: ANALYTICS, level: event.level, fromLevel: active.level });
  }
  if (items.length === 0) return { alert: next, added: [] };
  return withTransitions(next, ctx.now, items);
}

/** Resolves an alert whose condition has stayed cleared for the hold time; otherwise no change. */
export function applyAutoResolve(alert: Alert, now: number, holdMs: number): LifecycleResult {
  if (alert.status === 'resolved' || alert.clearedAt === undefined || now < alert.clearedAt + holdMs) return { alert, added: [] };
  const reason = 'condition cleared for the hold time';
  return withTransitions({ ...alert, status: 'resolved', resolved: { at: now, actor: SYSTEM, reason } }, now, [
    { type: 'resolved', actor: SYSTEM, level: alert.level, reason },
  ]);
}

/** Acknowledges an open alert; acknowledging twice changes nothing. */
export function applyAcknowledge(alert: Alert, actor: Actor, now: number): ActionResult {
  if (alert.status === 'resolved')
    return { ok: false, code: 'RW_ALERT_RESOLVED', message: `alert ${alert.id} is already resolved` };
  if (alert.status === 'acknowledged') return { ok: true, alert, added: [] };
  return {
    ok: true,
    ...withTransitions({ ...alert, status: 'acknowledged', acknowledged: { at: now, actor } }, now, [
      { type: 'acknowledged', actor, level: alert.level },
    ]),
  };
}

/** Resolves an alert by hand, with a reason. */
export function applyResolve(alert: Alert, actor: Actor, reason: string, now: number): ActionResult {
  if (alert.status === 'resolved')
    return { ok: false, code: 'RW_ALERT_RESOLVED', message: `alert ${alert.id} is already resolved` };
  return {
    ok: true,
    ...withTransitions({ ...alert, status: 'resolved', resolved: { at: now, actor, reason } }, now, [
      { type: 'resolved', actor, level: alert.level, reason },
    ]),
  };
}

/** A reminder while the alert is still unacknowledged (`n` is the reminder number; a repeat changes nothing). */
export function applyReminder(alert: Alert, n: number, now: number): LifecycleResult {
  if (alert.status !== 'open' || alert.reminders >= n) return { alert, added: [] };
  return withTransitions({ ...alert, reminders: n }, now, [{ type: 'reminder', actor: SYSTEM, level: alert.level }]);
}
