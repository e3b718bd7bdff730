/**
 * Issue 15 §1 on real Redis and BullMQ: a silenced station's alerts are
 * recorded and listed but send 0 notifications and open 0 tasks while
 * silenced; when the silence ends (by hand or at its end time) while the
 * condition holds, the alert is notified once (one webhook per recipient
 * agency, for its latest opening transition) and opens its task; a
 * condition that cleared meanwhile notifies nobody. Readings flagged M/C
 * (a `dq-flag` alert with only M or C) silence the station until the flag
 * alert clears. Scope and audit trail.
 *
 * "Nothing was sent" is checked without waiting on the clock: an alert at
 * another, unsilenced section is published after the silenced ones, and
 * the dispatcher handles the event log in order, so once its webhook has
 * arrived the silenced transitions have been handled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startServices, type TestServices } from '../../harness/services.js';
import type { AlertsService } from '../../../platform/redis/alerts/index.js';
import { alertEvent, testRegistry } from '../../unit/alerts/registry-fixture.js';
import { AutoAckCommander, makeService, redisFor, waitFor, WebhookReceiver } from './helpers.js';

const agency = (agencyId: string, name = 'duty officer') => ({ kind: 'agency' as const, agencyId, name });

describe('silences and maintenance windows on real Redis', () => {
  let svc: TestServices<{ redis: true }>;
  let receiver: WebhookReceiver;
  let redis: Redis;
  let service: AlertsService;
  let control = 0;

  beforeAll(async () => {
    svc = await startServices({ redis: true });
    receiver = new WebhookReceiver();
    const registry = testRegistry(await receiver.listen());
    redis = redisFor(svc.redis.url);
    service = makeService({ redis, registry, keyPrefix: svc.uniqueName('sil'), commander: new AutoAckCommander() });
    await service.start();
  });

  afterAll(async () => {
    await service?.close();
    redis?.disconnect();
    await receiver?.close();
    await svc?.close();
  });

  /** Publishes an alert at the unsilenced section `up` and waits for its webhook: everything before it is handled. */
  async function barrier(): Promise<void> {
    control++;
    const key = `exceedance:up:nh3n-${control}`;
    await service.publish([alertEvent({ ts: Date.now(), key, sectionId: 'up', stationId: 'S-UP', parameters: ['nh3n'] })]);
    await waitFor('the control alert webhook', () =>
      receiver.alertWebhooks().some((w) => w.payload.type === 'alert' && w.payload.alert.key === key),
    );
  }

  const hooksFor = (alertId: string) =>
    receiver.alertWebhooks().filter((w) => w.payload.type === 'alert' && w.payload.alert.id === alertId);
  const tasksAt = async (sectionId: string) => (await service.listTasks({ sectionId, limit: 10, offset: 0 })).items;

  it('a silenced station’s alert is recorded but notifies nobody and opens no task; ending the silence notifies once', async () => {
    const silence = await service.silences.create(
      'k1b',
      { matcher: { stationId: 'S-BP-1' }, endsAt: Date.now() + 3_600_000, reason: '仪器维护' },
      agency('k1b'),
    );
    const t0 = Date.now();
    await service.publish([
      alertEvent({ ts: t0, key: 'exceedance:bd-prov:tp', stationId: 'S-BP-1', level: 'yellow' }),
      alertEvent({ ts: t0 + 1000, key: 'exceedance:bd-prov:tp', stationId: 'S-BP-1', level: 'orange' }),
    ]);
    await barrier();
    const alert = (await service.listAlerts({ sectionId: 'bd-prov', limit: 10, offset: 0 })).items[0]!;
    expect(alert.level).toBe('orange');
    expect(alert.history.map((h) => h.type)).toEqual(['opened', 'level-raised']);
    expect(hooksFor(alert.id)).toHaveLength(0);
    expect(await tasksAt('bd-prov')).toHaveLength(0);
    expect(await service.silences.store.held(silence.id)).toEqual([alert.id]);

    const ended = await service.silences.end('k1b', silence.id, agency('k1b', '张工'));
    expect(ended.history.map((h) => h.action)).toEqual(['created', 'ended']);
    await waitFor('the held alert to be notified', () => hooksFor(alert.id).length >= 3);
    const task = await waitFor('its task', async () => (await tasksAt('bd-prov'))[0]);
    expect(task.alertIds).toContain(alert.id);
    await barrier();
    // One notification per recipient agency, of the latest opening transition (the level raise), not one per transition.
    const hooks = hooksFor(alert.id);
    expect(hooks.map((w) => w.agencyId).sort()).toEqual(['k1b', 'k2', 'p1']);
    expect(new Set(hooks.map((w) => (w.payload.type === 'alert' ? w.payload.transition.type : '')))).toEqual(
      new Set(['level-raised']),
    );
    expect(await service.silences.store.held(silence.id)).toEqual([]);
    await expect(service.silences.end('k1b', silence.id, agency('k1b'))).rejects.toMatchObject({ code: 'RW_SILENCE_ENDED' });
  });

  it('a silence that runs out releases at its end time; a condition cleared meanwhile notifies nobody', async () => {
    const endsAt = Date.now() + 1500;
    await service.silences.create('k2', { matcher: { sectionId: 'low' }, endsAt, reason: 'calibration' }, agency('k2'));
    const t0 = Date.now();
    await service.publish([
      alertEvent({ ts: t0, key: 'exceedance:low:tp', sectionId: 'low', stationId: 'S-LOW', parameters: ['tp'] }),
      alertEvent({ ts: t0, key: 'exceedance:low:nh3n', sectionId: 'low', stationId: 'S-LOW', parameters: ['nh3n'] }),
      alertEvent({ ts: t0 + 1000, type: 'clear', key: 'exceedance:low:nh3n', sectionId: 'low', stationId: 'S-LOW', parameters: ['nh3n'] }),
    ]);
    const alerts = (await service.listAlerts({ sectionId: 'low', limit: 10, offset: 0 })).items;
    const holding = alerts.find((a) => a.key === 'exceedance:low:tp')!;
    const cleared = alerts.find((a) => a.key === 'exceedance:low:nh3n')!;
    await waitFor('the holding alert to be notified after the silence', () => hooksFor(holding.id).length >= 1);
    expect(Date.now()).toBeGreaterThanOrEqual(endsAt);
    await barrier();
    expect(hooksFor(holding.id).map((w) => w.agencyId)).toEqual(['k2']);
    expect(hooksFor(cleared.id)).toHaveLength(0);
  });

  it('readings flagged M or C put the station in maintenance until the flags clear', async () => {
    const t0 = Date.now();
    await service.publish([
      alertEvent({
        ts: t0,
        key: 'dq-flag:S-MID',
        kind: 'data-quality',
        level: undefined,
        sectionId: 'mid',
        stationId: 'S-MID',
        parameters: ['tp'],
        evidence: { flags: { tp: 'M' } },
      }),
      alertEvent({ ts: t0, key: 'sudden-change:mid:S-MID', kind: 'sudden-change', sectionId: 'mid', stationId: 'S-MID', level: 'orange' }),
    ]);
    await barrier();
    const alerts = (await service.listAlerts({ sectionId: 'mid', limit: 10, offset: 0 })).items;
    expect(alerts).toHaveLength(2);
    for (const a of alerts) expect(hooksFor(a.id)).toHaveLength(0);
    expect(await tasksAt('mid')).toHaveLength(0);
    const sudden = alerts.find((a) => a.kind === 'sudden-change')!;
    expect(await service.silences.store.heldBy(sudden.id)).toBe('maintenance.S-MID');

    // Maintenance over, the sudden change still holds: it is notified then.
    await service.publish([
      alertEvent({ ts: t0 + 1000, type: 'clear', key: 'dq-flag:S-MID', kind: 'data-quality', level: undefined, sectionId: 'mid', stationId: 'S-MID', parameters: ['tp'] }),
    ]);
    await waitFor('the sudden change to be notified', () => hooksFor(sudden.id).length >= 1);
  });

  it('an agency silences only what it may see; changes are audited', async () => {
    await expect(
      service.silences.create('k1a', { matcher: { sectionId: 'low' }, endsAt: Date.now() + 60_000, reason: 'x' }, agency('k1a')),
    ).rejects.toMatchObject({ code: 'RW_FORBIDDEN' });
    await expect(
      service.silences.create('k2', { matcher: { parameter: 'tp' }, endsAt: Date.now() + 60_000, reason: 'x' }, agency('k2')),
    ).rejects.toMatchObject({ code: 'RW_INVALID_PAYLOAD' });
    const s = await service.silences.create(
      'k2',
      {
        matcher: { stationId: 'S-LOW', parameter: 'tp' },
        endsAt: Date.now() + 30 * 86_400_000,
        reason: '每周校准',
        recurrence: { weekdays: [2], start: '09:00', end: '11:00' },
      },
      agency('k2'),
    );
    const changed = await service.silences.change('c2', s.id, { reason: '每周二校准' }, agency('c2', '李科长'));
    expect(changed.history.map((h) => [h.action, h.actor.agencyId])).toEqual([
      ['created', 'k2'],
      ['changed', 'c2'],
    ]);
    expect(changed.history[1]!.changes).toEqual({ reason: '每周校准 → 每周二校准' });
    // k1a is no party of `low`: it neither sees nor ends it.
    expect((await service.silences.list('k1a', true)).map((x) => x.id)).not.toContain(s.id);
    await expect(service.silences.end('k1a', s.id, agency('k1a'))).rejects.toMatchObject({ code: 'RW_FORBIDDEN' });
    expect((await service.silences.list('p1', true)).map((x) => x.id)).toContain(s.id);
  });

  it('a section-level exceedance holds back the station’s sudden change in that parameter until it clears', async () => {
    const t0 = Date.now();
    await service.publish([
      alertEvent({ ts: t0, key: 'exceedance:bd-city:tp', sectionId: 'bd-city', stationId: 'S-BC', parameters: ['tp'] }),
      alertEvent({
        ts: t0 + 100,
        key: 'sudden-change:bd-city:S-BC',
        kind: 'sudden-change',
        level: 'orange',
        sectionId: 'bd-city',
        stationId: 'S-BC',
        parameters: ['tp', 'cond'],
      }),
    ]);
    await barrier();
    const alerts = (await service.listAlerts({ sectionId: 'bd-city', limit: 10, offset: 0 })).items;
    const exceedance = alerts.find((a) => a.kind === 'exceedance')!;
    const sudden = alerts.find((a) => a.kind === 'sudden-change')!;
    expect(hooksFor(exceedance.id).length).toBeGreaterThan(0);
    expect(hooksFor(sudden.id)).toHaveLength(0);
    expect(await service.silences.store.heldBy(sudden.id)).toBe(`inhibit.${exceedance.id}`);

    // The exceedance clears while the sudden change holds: the sudden change is notified then.
    await service.publish([
      alertEvent({ ts: t0 + 1000, type: 'clear', key: 'exceedance:bd-city:tp', sectionId: 'bd-city', stationId: 'S-BC', parameters: ['tp'] }),
    ]);
    await waitFor('the sudden change to be notified', () => hooksFor(sudden.id).length >= 1);
  });
});
