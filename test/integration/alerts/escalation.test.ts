/**
 * Issue 15 §4 on real Redis and BullMQ: an unacknowledged alert is
 * re-notified on its level's schedule and, from the second reminder on,
 * climbs the chain above the section's lead (k1b → c1 → p1), each step as an
 * `escalation` recipient; acknowledging stops it: a reminder check after the
 * next due changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertsService } from '../../../platform/redis/alerts/index.js';
import { alertEvent } from '../../unit/alerts/registry-fixture.js';
import { type AlertsFixture, AutoAckCommander, sleep, startAlertsFixture, waitFor, type WebhookReceiver } from './helpers.js';

const INTERVAL_MS = 400;

describe('alert escalation chain on real Redis', () => {
  let receiver: WebhookReceiver;
  let service: AlertsService;
  let fixture: AlertsFixture | undefined;

  beforeAll(async () => {
    fixture = await startAlertsFixture({
      name: 'esc',
      commander: new AutoAckCommander(),
      // Yellow alerts remind every 400 ms here; other levels never.
      config: { reminderIntervalMs: 0, reminderIntervalMsByLevel: { yellow: INTERVAL_MS }, escalateAlertsFromReminder: 2 },
    });
    ({ receiver, service } = fixture);
  });

  afterAll(async () => {
    await fixture?.close();
  });

  it('reminders climb k1b → c1 → p1 until acknowledged; acknowledging stops them', async () => {
    await service.publish([alertEvent({ ts: Date.now(), key: 'exceedance:mid:tp', sectionId: 'mid', stationId: 'S-MID' })]);
    const alertId = (await service.listAlerts({ sectionId: 'mid', limit: 1, offset: 0 })).items[0]!.id;
    const reminders = () =>
      receiver.alertWebhooks().filter((w) => w.payload.alert.id === alertId && w.payload.transition.type === 'reminder');
    await waitFor('the escalation to p1', () => reminders().some((w) => w.agencyId === 'p1'));

    const byReminder = new Map<number, string[]>();
    for (const w of reminders()) {
      const seq = w.payload.alert.reminders;
      byReminder.set(seq, [...(byReminder.get(seq) ?? []), `${w.agencyId}:${w.payload.recipient.role}`]);
    }
    expect(byReminder.get(1)).toEqual(['k1b:downstream']);
    expect(byReminder.get(2)).toEqual(['k1b:downstream', 'c1:escalation']);
    expect(byReminder.get(3)).toEqual(['k1b:downstream', 'c1:escalation', 'p1:escalation']);

    await service.acknowledge(alertId, { kind: 'agency', agencyId: 'k1b', name: '值班员' });
    const acked = (await service.getAlert(alertId))!;
    // Past the next due, the reminder check (what the timer runs) finds nothing to do.
    const nextDue = acked.openedAt + (acked.reminders + 1) * INTERVAL_MS;
    while (Date.now() <= nextDue) await sleep(50);
    await service.checkAlert(alertId);
    expect((await service.getAlert(alertId))!.reminders).toBe(acked.reminders);
  });

  it('an alert of a station that is offline is doubtful: re-notified, but it does not climb', async () => {
    const t0 = Date.now();
    await service.publish([
      alertEvent({ ts: t0, key: 'dq-offline:S-LOW', kind: 'data-quality', level: undefined, sectionId: 'low', stationId: 'S-LOW', parameters: [] }),
      alertEvent({ ts: t0, key: 'exceedance:low:tp', sectionId: 'low', stationId: 'S-LOW' }),
    ]);
    const alert = (await service.listAlerts({ sectionId: 'low', limit: 10, offset: 0 })).items.find((a) => a.kind === 'exceedance')!;
    expect(await service.inhibition.doubtOf(alert)).toBe('offline');
    const reminders = () =>
      receiver.alertWebhooks().filter((w) => w.payload.alert.id === alert.id && w.payload.transition.type === 'reminder');
    // Reminder 3 would have reached c2 and p1 (the chain above k2).
    await waitFor('the third reminder', () => reminders().some((w) => w.payload.alert.reminders >= 3));
    expect(new Set(reminders().map((w) => w.agencyId))).toEqual(new Set(['k2']));
  });
});
