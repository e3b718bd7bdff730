/**
 * Issue 6 "Done when" #2: a yellow alert at a boundary opens one task with
 * the right lead; stations get the sampling command over real MQTT and ack;
 * a missed arrival deadline escalates; steps + a clean hold close the task
 * and restore sampling; a relapse during the hold reopens it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry as MetricsRegistry } from 'prom-client';
import type { Redis } from 'ioredis';
import { startServices, type TestServices } from '../../harness/services.js';
import { MqttStationCommander, ON_SITE_STEPS, type AlertsService, type Task } from '../../../platform/redis/alerts/index.js';
import { alertEvent, testRegistry } from '../../unit/alerts/registry-fixture.js';
import { FakeStations, logger, makeService, redisFor, waitFor, WebhookReceiver } from './helpers.js';

describe('joint-monitoring tasks on real Redis, BullMQ and Mosquitto', () => {
  let svc: TestServices<{ redis: true; mosquitto: true }>;
  let receiver: WebhookReceiver;
  let redis: Redis;
  let service: AlertsService;
  let commander: MqttStationCommander;
  const stations = new FakeStations();
  const metrics = new MetricsRegistry();

  beforeAll(async () => {
    svc = await startServices({ redis: true, mosquitto: true });
    receiver = new WebhookReceiver();
    const registry = testRegistry(await receiver.listen());
    redis = redisFor(svc.redis.url);
    await stations.start(svc.mosquitto.url);
    commander = new MqttStationCommander({ url: svc.mosquitto.url, logger, clientId: svc.uniqueName('alerts') });
    await commander.start();
    service = makeService({
      redis,
      registry,
      keyPrefix: svc.uniqueName('tasks'),
      commander,
      metricsRegistry: metrics,
      config: {
        autoResolveHoldMs: 60_000,
        arrivalDeadlineMs: { yellow: 1500 },
        escalationIntervalMs: 1000,
        postSupervisionHoldMs: 1500,
        commandExpiryMs: 3000,
      },
    });
    await service.start();
  });

  afterAll(async () => {
    await service?.close();
    await commander?.close();
    await stations.close();
    redis?.disconnect();
    await receiver?.close();
    await svc?.close();
  });

  async function taskOf(alertKey: string): Promise<Task> {
    return waitFor(`task for ${alertKey}`, async () =>
      (await service.listTasks({ limit: 50, offset: 0 })).items.find((t) => t.conditionKey === alertKey),
    );
  }

  async function recordAllSteps(task: Task): Promise<void> {
    for (const party of task.parties) {
      for (const step of ON_SITE_STEPS) {
        await service.recordStep(
          task.id,
          {
            party,
            step,
            ...(step === 'locate-sign-in' ? { coordinates: { lat: 30.1, lon: 120.3 } } : {}),
            attachments: step === 'make-record' ? [`record-${party}.pdf`] : [],
          },
          { kind: 'agency', agencyId: party, name: `officer of ${party}` },
        );
      }
    }
  }

  it('boundary between counties of different cities: one task led by the province, through escalation, hold, relapse and close', async () => {
    const key = 'exceedance:bd-prov:tp';
    const t0 = Date.now();
    const raises = Array.from({ length: 20 }, (_, i) => alertEvent({ key, ts: t0 + i }));
    await service.publish(raises);
    await service.publish(raises);

    const task = await taskOf(key);
    expect(task).toMatchObject({ status: 'open', parties: ['k2', 'k1b'], coordinatorId: 'p1', trigger: 'boundary-alert' });
    expect((await service.listTasks({ limit: 50, offset: 0 })).total).toBe(1);

    // Sampling raised on the section and its neighbours, acknowledged over MQTT.
    const raised = await waitFor('sampling raised', async () => (await service.getTask(task.id))?.sampling.raised);
    expect([...raised.acked].sort()).toEqual(['S-BP-1', 'S-BP-2', 'S-LOW', 'S-MID']);
    expect(raised.failed).toEqual([]);
    const raiseCommands = stations.commands.filter((c) => c.type === 'set-sampling-interval');
    expect(new Set(raiseCommands.map((c) => c.stationId))).toEqual(new Set(['S-BP-1', 'S-BP-2', 'S-LOW', 'S-MID']));
    expect(raiseCommands.every((c) => c.intervalS === 60)).toBe(true);

    // Nobody checked in by the 1.5 s deadline: escalated to the lead.
    const escalated = await waitFor('escalation', async () => {
      const t = await service.getTask(task.id);
      return t && t.escalations.length > 0 ? t : undefined;
    });
    expect(escalated.escalations[0]).toMatchObject({
      toAgencyId: 'p1',
      level: 1,
      reason: 'arrival-deadline',
      agencyIds: ['k2', 'k1b'],
    });
    await waitFor('escalation webhook to p1', () =>
      receiver.taskWebhooks().find((h) => h.agencyId === 'p1' && h.payload.transition.type === 'escalated'),
    );
    expect(await metrics.metrics()).toMatch(/riverwatch_task_deadlines_missed_total\{kind="arrival"\} 1/);

    await recordAllSteps(task);
    await service.publish([alertEvent({ key, ts: t0 + 1000, type: 'clear' })]);
    await waitFor('hold', async () => (await service.getTask(task.id))?.status === 'hold');

    // Relapse during the hold reopens the same task.
    await service.publish([alertEvent({ key, ts: t0 + 1100 })]);
    const reopened = await waitFor('reopened', async () => {
      const t = await service.getTask(task.id);
      return t && t.reopenCount === 1 && t.status === 'open' ? t : undefined;
    });
    expect(reopened.history.map((h) => h.type)).toContain('reopened');

    await service.publish([alertEvent({ key, ts: t0 + 1200, type: 'clear' })]);
    const closed = await waitFor(
      'closed and restored',
      async () => {
        const t = await service.getTask(task.id);
        return t?.status === 'closed' && t.sampling.restored ? t : undefined;
      },
      20_000,
    );
    expect([...closed.sampling.restored!.acked].sort()).toEqual(['S-BP-1', 'S-BP-2', 'S-LOW', 'S-MID']);
    const restore = stations.commands.filter((c) => c.type === 'restore-sampling-interval');
    expect(restore.every((c) => c.intervalS === 300)).toBe(true);
    expect((await service.listTasks({ limit: 50, offset: 0 })).total).toBe(1);
    const types = closed.history.map((h) => h.type);
    expect(types.filter((t) => t === 'opened')).toHaveLength(1);
    expect(types.indexOf('hold-started')).toBeLessThan(types.indexOf('reopened'));
    expect(types.at(-1)).toBe('sampling-restored');
  });

  it('two counties of one city: the city leads, escalation goes up to the province, a silent station is retried until the command expires', async () => {
    stations.silent.add('S-UP');
    const key = 'exceedance:bd-city:nh3n';
    await service.publish([alertEvent({ key, sectionId: 'bd-city', stationId: 'S-BC', parameters: ['nh3n'], ts: Date.now() })]);
    const task = await taskOf(key);
    expect(task).toMatchObject({ parties: ['k1b', 'k1a'], coordinatorId: 'c1' });

    const escalated = await waitFor('two escalations', async () => {
      const t = await service.getTask(task.id);
      return t && t.escalations.length >= 2 ? t : undefined;
    });
    expect(escalated.escalations.map((e) => e.toAgencyId)).toEqual(['c1', 'p1']);

    const raised = await waitFor('sampling outcome', async () => (await service.getTask(task.id))?.sampling.raised, 20_000);
    expect(raised.failed).toEqual(['S-UP']);
    expect([...raised.acked].sort()).toEqual(['S-BC', 'S-MID']);
    const tries = stations.commands.filter((c) => c.stationId === 'S-UP' && c.type === 'set-sampling-interval');
    expect(tries.length).toBeGreaterThan(1);
    expect(new Set(tries.map((c) => c.id)).size).toBe(1);
    stations.silent.delete('S-UP');
  });

  it('an unconfirmed reading asks its station for one verification measurement over MQTT and opens no task until confirmed (issue 13 §4)', async () => {
    const key = 'exceedance:bd-prov:nh3n';
    const ts = Date.now();
    const unconfirmed = alertEvent({
      key,
      kind: 'early-warning',
      level: 'blue',
      stationId: 'S-BP-2',
      parameters: ['nh3n'],
      ts,
      evidence: {
        values: { nh3n: 4.8 },
        unconfirmed: true,
        suspect: { ts, value: 4.8, level: 'red' },
        verify: { stationId: 'S-BP-2', parameter: 'nh3n', deadlineTs: ts + 7_200_000 },
      },
    });
    // Published twice (a redelivery): one alert, one command.
    await service.publish([unconfirmed]);
    await service.publish([unconfirmed]);
    const verify = await waitFor('verification command', () =>
      stations.commands.find((c) => c.type === 'measure-now' && c.stationId === 'S-BP-2'),
    );
    expect(verify).toMatchObject({ sectionId: 'bd-prov', parameters: ['nh3n'] });
    const alert = await waitFor('unconfirmed alert', async () =>
      (await service.listAlerts({ limit: 50, offset: 0 })).items.find((a) => a.key === key),
    );
    expect(alert).toMatchObject({ level: 'blue', kind: 'early-warning' });
    const before = (await service.listTasks({ limit: 50, offset: 0 })).items.filter((t) => t.conditionKey === key);
    expect(before).toEqual([]);

    // The re-measurement confirms it: the same condition at red opens the section's task.
    await service.publish([
      alertEvent({ key, kind: 'exceedance', level: 'red', stationId: 'S-BP-2', parameters: ['nh3n'], ts: ts + 1 }),
    ]);
    const task = await taskOf(key);
    expect(task).toMatchObject({ level: 'red', trigger: 'boundary-alert' });
    expect(stations.commands.filter((c) => c.type === 'measure-now').map((c) => c.id)).toHaveLength(1);
  });
});
