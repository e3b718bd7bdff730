/**
 * Issue 6 "Done when" #1: injected events (open, repeat ×100, level up,
 * clear) → one alert with the right history, one webhook per transition per
 * recipient with a valid signature, the downstream agency's first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry as MetricsRegistry } from 'prom-client';
import type { AlertsService } from '../../../platform/redis/alerts/index.js';
import type { AlertEvent } from '../../../domain/index.js';
import { alertEvent } from '../../unit/alerts/registry-fixture.js';
import { type AlertsFixture, RecordingCommander, startAlertsFixture, waitFor, type WebhookReceiver } from './helpers.js';

describe('alert lifecycle and notifications on real Redis and BullMQ', () => {
  let receiver: WebhookReceiver;
  let service: AlertsService;
  const metrics = new MetricsRegistry();
  const T0 = Date.now();

  let fixture: AlertsFixture | undefined;

  beforeAll(async () => {
    fixture = await startAlertsFixture({ name: 'flow', commander: new RecordingCommander(), metricsRegistry: metrics });
    ({ receiver, service } = fixture);
  });

  afterAll(async () => {
    await fixture?.close();
  });

  it('open, repeat ×100, level up, clear: one alert, one webhook per transition and recipient, downstream first', async () => {
    const events: AlertEvent[] = [alertEvent({ ts: T0 })];
    for (let i = 1; i <= 100; i++) events.push(alertEvent({ ts: T0 + i * 1000 }));
    events.push(alertEvent({ ts: T0 + 101_000, level: 'orange' }));
    events.push(alertEvent({ ts: T0 + 102_000, type: 'clear' }));
    await service.publish(events);
    // Analytics redelivers everything after a crash: nothing may change.
    await service.publish(events);

    const listed = await service.listAlerts({ limit: 10, offset: 0 });
    expect(listed.total).toBe(1);
    const alertId = listed.items[0]!.id;
    const resolved = await waitFor('auto-resolve', async () => {
      const a = await service.getAlert(alertId);
      return a?.status === 'resolved' ? a : undefined;
    });
    expect(resolved).toMatchObject({
      occurrences: 102,
      level: 'orange',
      maxLevel: 'orange',
      firstSeen: T0,
      lastSeen: T0 + 101_000,
    });
    expect(resolved.history.map((h) => [h.type, h.actor.kind])).toEqual([
      ['opened', 'analytics'],
      ['level-raised', 'analytics'],
      ['cleared', 'analytics'],
      ['resolved', 'system'],
    ]);

    const notified = resolved.history.filter((h) => ['opened', 'level-raised', 'resolved'].includes(h.type));
    const recipients = ['k2', 'k1b', 'p1'];
    await waitFor('9 alert webhooks', () => receiver.alertWebhooks().length >= notified.length * recipients.length);
    // Settle: no late duplicates.
    await new Promise((r) => setTimeout(r, 500));
    const hooks = receiver.alertWebhooks();
    expect(hooks).toHaveLength(notified.length * recipients.length);
    expect(hooks.every((h) => h.validSignature)).toBe(true);
    for (const transition of notified) {
      const forTransition = hooks.filter((h) => h.payload.transition.id === transition.id).sort((a, b) => a.n - b.n);
      expect(forTransition.map((h) => h.agencyId)).toEqual(recipients);
      expect(forTransition.map((h) => h.deliveryId)).toEqual(recipients.map((r) => `${transition.id}.${r}`));
    }

    const text = await metrics.metrics();
    expect(text).toMatch(/riverwatch_alert_deliveries_total\{channel="webhook",outcome="delivered"\} (\d+)/);
    expect(text).toContain('riverwatch_alert_first_notification_seconds_count 1');
    expect(text).not.toMatch(/riverwatch_alerts_open\{level="orange"\} 1/);
  });

  it('a failing webhook is retried with backoff and dead-lettered after the last attempt', async () => {
    receiver.failFor.add('p1');
    await service.publish([alertEvent({ key: 'exceedance:bd-prov:nh3n', parameters: ['nh3n'], ts: T0 })]);
    const dead = await waitFor('dead letter', async () => {
      const items = (await service.notifier.deadLetters()) as { agencyId: string; attempts: number; deliveryId: string }[];
      return items.find((d) => d.agencyId === 'p1');
    });
    expect(dead.attempts).toBe(3);
    expect(await service.notifier.delivery(dead.deliveryId)).toMatchObject({ status: 'dead', attempts: 3, httpStatus: 500 });
    const downstream = await service.notifier.delivery(dead.deliveryId.replace(/\.p1$/, '.k2'));
    expect(downstream).toMatchObject({ status: 'delivered', attempts: 1 });
    // Every dead letter is counted (the task this alert opened notifies p1 too, so there may be two).
    await waitFor('dead counter matches the dead letters', async () => {
      const counted = Number(
        /riverwatch_alert_deliveries_total\{channel="webhook",outcome="dead"\} (\d+)/.exec(await metrics.metrics())?.[1] ?? 0,
      );
      return counted >= 1 && counted === (await service.notifier.deadLetters()).length;
    });
    expect(await metrics.metrics()).toMatch(/riverwatch_alerts_open\{level="yellow"\} 1/);
    receiver.failFor.delete('p1');
  });
});
