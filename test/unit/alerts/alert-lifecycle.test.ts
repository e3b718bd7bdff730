import { describe, expect, it } from 'vitest';
import {
  applyAcknowledge,
  applyAutoResolve,
  applyEvent,
  applyReminder,
  applyResolve,
  type EventContext,
} from '../../../alerts/alarms/alert-lifecycle.js';
import type { Alert } from '../../../alerts/alarms/alert-model.js';
import type { AlertLevel } from '../../../domain/index.js';
import { alertEvent } from './registry-fixture.js';

const T0 = 1_700_000_000_000;
const ctx = (now: number, holdMs = 60_000): EventContext => ({
  now,
  riverId: 'r1',
  newAlert: { id: 'al-x-1', episode: 1 },
  autoResolveHoldMs: holdMs,
});
const agency = { kind: 'agency' as const, agencyId: 'k2', name: 'duty' };

function opened(level: AlertLevel = 'yellow'): Alert {
  const result = applyEvent(undefined, alertEvent({ ts: T0, level }), ctx(T0));
  return result.alert as Alert;
}

describe('applyEvent', () => {
  it('opens one alert on the first raise and ignores a clear without an alert', () => {
    const first = applyEvent(undefined, alertEvent({ ts: T0 }), ctx(T0 + 5));
    expect(first.alert).toMatchObject({
      id: 'al-x-1',
      status: 'open',
      level: 'yellow',
      occurrences: 1,
      firstSeen: T0,
      lastSeen: T0,
      openedAt: T0 + 5,
      riverId: 'r1',
    });
    expect(first.added.map((t) => t.type)).toEqual(['opened']);
    expect(first.added[0]?.id).toBe('al-x-1.1');
    expect(applyEvent(undefined, alertEvent({ ts: T0, type: 'clear' }), ctx(T0))).toEqual({ alert: undefined, added: [] });
  });

  it('counts repeats without transitions', () => {
    let alert = opened();
    for (let i = 1; i <= 100; i++) {
      const r = applyEvent(alert, alertEvent({ ts: T0 + i * 1000 }), ctx(T0 + i * 1000));
      expect(r.added).toEqual([]);
      alert = r.alert as Alert;
    }
    expect(alert).toMatchObject({
      occurrences: 101,
      lastSeen: T0 + 100_000,
      firstSeen: T0,
      history: [expect.objectContaining({ type: 'opened' })],
    });
  });

  it.each([
    { from: 'yellow', to: 'orange', type: 'level-raised', maxLevel: 'orange' },
    { from: 'yellow', to: 'red', type: 'level-raised', maxLevel: 'red' },
    { from: 'orange', to: 'yellow', type: 'level-lowered', maxLevel: 'orange' },
    { from: 'red', to: 'blue', type: 'level-lowered', maxLevel: 'red' },
  ] as const)('records $from → $to as $type', ({ from, to, type, maxLevel }) => {
    const r = applyEvent(opened(from), alertEvent({ ts: T0 + 1000, level: to }), ctx(T0 + 1000));
    expect(r.added).toEqual([expect.objectContaining({ type, level: to, fromLevel: from, seq: 2 })]);
    expect(r.alert).toMatchObject({ level: to, maxLevel });
  });

  it('the kind follows the level: an early warning raised past the limit becomes an exceedance (issue 13 §7)', () => {
    const early = applyEvent(undefined, alertEvent({ ts: T0, level: 'blue', kind: 'early-warning' }), ctx(T0)).alert as Alert;
    expect(early.kind).toBe('early-warning');
    const raised = applyEvent(early, alertEvent({ ts: T0 + 1000, level: 'yellow', kind: 'exceedance' }), ctx(T0 + 1000));
    expect(raised.alert).toMatchObject({ kind: 'exceedance', level: 'yellow' });
    // Falling back into the band keeps what it was at its worst.
    const lowered = applyEvent(raised.alert, alertEvent({ ts: T0 + 2000, level: 'blue', kind: 'early-warning' }), ctx(T0 + 2000));
    expect(lowered.alert).toMatchObject({ kind: 'exceedance', level: 'blue', maxLevel: 'yellow' });
  });

  it('a level raise reopens an acknowledged alert; a lowering keeps the acknowledgement', () => {
    const acked = applyAcknowledge(opened(), agency, T0 + 10);
    if (!acked.ok) throw new Error('ack failed');
    const raised = applyEvent(acked.alert as Alert, alertEvent({ ts: T0 + 1000, level: 'red' }), ctx(T0 + 1000));
    expect(raised.alert).toMatchObject({ status: 'open', acknowledged: undefined });
    const acked2 = applyAcknowledge(opened('red'), agency, T0 + 10);
    if (!acked2.ok) throw new Error('ack failed');
    const lowered = applyEvent(acked2.alert as Alert, alertEvent({ ts: T0 + 1000, level: 'blue' }), ctx(T0 + 1000));
    expect(lowered.alert?.status).toBe('acknowledged');
  });

  it('a stale event is counted but moves nothing back', () => {
    const later = applyEvent(opened(), alertEvent({ ts: T0 + 5000, level: 'orange' }), ctx(T0 + 5000)).alert as Alert;
    const stale = applyEvent(later, alertEvent({ ts: T0 + 1000, level: 'yellow' }), ctx(T0 + 6000));
    expect(stale.added).toEqual([]);
    expect(stale.alert).toMatchObject({ level: 'orange', lastSeen: T0 + 5000, occurrences: 3 });
    const staleClear = applyEvent(later, alertEvent({ ts: T0 + 1000, type: 'clear' }), ctx(T0 + 6000));
    expect(staleClear).toEqual({ alert: later, added: [] });
  });

  it('clear starts the hold; a raise during it is a re-raise; after the hold it resolves', () => {
    const cleared = applyEvent(opened(), alertEvent({ ts: T0 + 1000, type: 'clear' }), ctx(T0 + 1000));
    expect(cleared.added.map((t) => t.type)).toEqual(['cleared']);
    expect(cleared.alert).toMatchObject({ status: 'open', clearedAt: T0 + 1000 });
    const again = applyEvent(cleared.alert, alertEvent({ ts: T0 + 2000, type: 'clear' }), ctx(T0 + 2000));
    expect(again.added).toEqual([]);
    const reraised = applyEvent(cleared.alert, alertEvent({ ts: T0 + 3000 }), ctx(T0 + 3000));
    expect(reraised.added.map((t) => t.type)).toEqual(['reraised']);
    expect(reraised.alert?.clearedAt).toBeUndefined();

    const alert = cleared.alert as Alert;
    expect(applyAutoResolve(alert, T0 + 1000 + 59_999, 60_000).added).toEqual([]);
    const resolved = applyAutoResolve(alert, T0 + 1000 + 60_000, 60_000);
    expect(resolved.added).toEqual([expect.objectContaining({ type: 'resolved', actor: { kind: 'system' } })]);
    expect(resolved.alert?.status).toBe('resolved');
  });

  it('with a zero hold, clear resolves at once', () => {
    const r = applyEvent(opened(), alertEvent({ ts: T0 + 1000, type: 'clear' }), ctx(T0 + 1000, 0));
    expect(r.added.map((t) => t.type)).toEqual(['cleared', 'resolved']);
    expect(r.alert?.status).toBe('resolved');
  });

  it('a raise after resolution opens a new episode', () => {
    const resolved = applyResolve(opened(), agency, 'false alarm', T0 + 10);
    if (!resolved.ok) throw new Error('resolve failed');
    const next = applyEvent(resolved.alert, alertEvent({ ts: T0 + 1000 }), {
      ...ctx(T0 + 1000),
      newAlert: { id: 'al-x-2', episode: 2 },
    });
    expect(next.alert).toMatchObject({ id: 'al-x-2', episode: 2, status: 'open', occurrences: 1 });
  });
});

describe('manual actions', () => {
  it('acknowledge: once, idempotent, refused when resolved', () => {
    const a = applyAcknowledge(opened(), agency, T0 + 10);
    expect(a.ok && a.added.map((t) => t.type)).toEqual(['acknowledged']);
    const again = a.ok ? applyAcknowledge(a.alert as Alert, agency, T0 + 20) : undefined;
    expect(again).toMatchObject({ ok: true, added: [] });
    const resolved = applyResolve(opened(), agency, 'done', T0 + 10);
    expect(resolved.ok && resolved.alert?.resolved).toEqual({ at: T0 + 10, actor: agency, reason: 'done' });
    expect(applyAcknowledge(resolved.ok ? (resolved.alert as Alert) : opened(), agency, T0 + 30)).toMatchObject({
      ok: false,
      code: 'RW_ALERT_RESOLVED',
    });
    expect(applyResolve(resolved.ok ? (resolved.alert as Alert) : opened(), agency, 'again', T0 + 30)).toMatchObject({
      ok: false,
      code: 'RW_ALERT_RESOLVED',
    });
  });

  it('reminders only while open and once per number', () => {
    const r1 = applyReminder(opened(), 1, T0 + 100);
    expect(r1.added.map((t) => t.type)).toEqual(['reminder']);
    expect(applyReminder(r1.alert as Alert, 1, T0 + 200).added).toEqual([]);
    const acked = applyAcknowledge(opened(), agency, T0);
    expect(applyReminder(acked.ok ? (acked.alert as Alert) : opened(), 1, T0 + 100).added).toEqual([]);
  });
});
