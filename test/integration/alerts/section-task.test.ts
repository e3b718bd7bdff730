/**
 * One joint-monitoring task per section and incident, on real Redis and
 * BullMQ: an ammonia spill raising three alerts at a boundary section sends
 * one team, not three; the task follows all its conditions through clears,
 * post-supervision, relapse and close; the next incident opens a new task;
 * duplicates, two dispatchers and Redis restarts (AOF) never make a second
 * task; pre-warnings and boundary alerts share the section's task; tasks
 * stored before the change are still found.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startServices, type TestServices } from '../../harness/services.js';
import {
  ON_SITE_STEPS,
  summaryOf,
  type Alert,
  type AlertsConfigInput,
  type AlertsService,
  type Task,
} from '../../../platform/redis/alerts/index.js';
import { taskTriggerFor } from '../../../alerts/joint-monitoring/task-rules.js';
import type { AlertEvent, Registry } from '../../../domain/index.js';
import { alertEvent, testRegistry } from '../../unit/alerts/registry-fixture.js';
import { AutoAckCommander, makeService, redisFor, sleep, waitFor, WebhookReceiver } from './helpers.js';

const INCIDENT_TYPES = new Set(['opened', 'alert-attached', 'level-raised', 'hold-started', 'reopened', 'closed']);
/** The task's history without the sampling and step entries, which interleave with timing. */
const incident = (task: Task): string[] => task.history.map((h) => h.type).filter((t) => INCIDENT_TYPES.has(t));

/** A raise (or clear) of one parameter at the boundary section bd-prov (k1b | k2, lead p1). */
const spill = (parameter: string, ts: number, extra: Partial<AlertEvent> = {}): AlertEvent =>
  alertEvent({ key: `exceedance:bd-prov:${parameter}`, parameters: [parameter], ts, ...extra });

const preWarning = (sectionId: string, originSectionId: string, ts: number): AlertEvent =>
  alertEvent({
    key: `upstream-arrival:${sectionId}:${originSectionId}`,
    kind: 'upstream-arrival',
    level: 'blue',
    sectionId,
    stationId: undefined,
    parameters: ['nh3n'],
    ts,
    evidence: { originLevel: 'yellow' },
    arrival: { fromTs: ts + 3_600_000, peakTs: ts + 5_400_000, toTs: ts + 7_200_000, originSectionId },
  });

describe('one joint-monitoring task per section and incident', () => {
  let svc: TestServices<{ redis: { appendOnly: true; appendFsync: 'always' } }>;
  let receiver: WebhookReceiver;
  let registry: Registry;
  const connections: Redis[] = [];
  const services: AlertsService[] = [];

  beforeAll(async () => {
    svc = await startServices({ redis: { appendOnly: true, appendFsync: 'always' } });
    receiver = new WebhookReceiver();
    registry = testRegistry(await receiver.listen());
  });

  afterAll(async () => {
    for (const s of services) await s.close().catch(() => undefined);
    for (const c of connections) c.disconnect();
    await receiver?.close();
    await svc?.close();
  });

  async function instance(keyPrefix: string, config: AlertsConfigInput = {}): Promise<AlertsService> {
    const redis = redisFor(svc.redis.url);
    connections.push(redis);
    const service = makeService({
      redis,
      registry,
      keyPrefix,
      commander: new AutoAckCommander(),
      // No escalation during these tests: they are about which task an alert lands on.
      config: { arrivalDeadlineMs: { blue: 600_000, yellow: 600_000, orange: 600_000, red: 600_000 }, ...config },
    });
    services.push(service);
    await service.start();
    return service;
  }

  async function tasksAt(service: AlertsService, sectionId: string): Promise<Task[]> {
    return (await service.listTasks({ sectionId, limit: 100, offset: 0 })).items;
  }

  async function alertOf(service: AlertsService, key: string, episode = 1): Promise<Alert> {
    return waitFor(`alert ${key}#${episode}`, async () =>
      (await service.listAlerts({ limit: 100, offset: 0 })).items.find((a) => a.key === key && a.episode === episode),
    );
  }

  async function recordAllSteps(service: AlertsService, task: Task): Promise<void> {
    for (const party of task.parties) {
      for (const step of ON_SITE_STEPS) {
        await service.recordStep(
          task.id,
          { party, step, ...(step === 'locate-sign-in' ? { coordinates: { lat: 30.3, lon: 120.3 } } : {}) },
          { kind: 'agency', agencyId: party },
        );
      }
    }
  }

  const taskHooks = (taskId: string, type: string) =>
    receiver
      .taskWebhooks()
      .filter((h) => h.payload.type === 'task' && h.payload.task.id === taskId && h.payload.transition.type === type);

  it('three alerts of one spill: one task through partial clears, hold, relapse and close; the next incident opens a new task', async () => {
    // Alerts stay cleared (not resolved) for a minute, so the relapse re-raises the same alert.
    const service = await instance(svc.uniqueName('incident'), { autoResolveHoldMs: 60_000, postSupervisionHoldMs: 1500 });
    const redis = connections.at(-1)!;
    const keys = ['nh3n', 'tp', 'codmn'].map((p) => `exceedance:bd-prov:${p}`);
    const t0 = Date.now();
    const raised = [spill('nh3n', t0), spill('tp', t0 + 1), spill('codmn', t0 + 2, { level: 'orange' })];
    await service.publish(raised);
    await service.publish(raised);

    const task = await waitFor('one task with three alerts', async () => {
      const [t] = await tasksAt(service, 'bd-prov');
      return t && t.alertIds.length === 3 ? t : undefined;
    });
    const [nh3n, tp, codmn] = await Promise.all(keys.map((k) => alertOf(service, k)));
    expect((await service.listTasks({ limit: 100, offset: 0 })).total).toBe(1);
    expect(task).toMatchObject({
      id: `tk-${nh3n!.id}`,
      status: 'open',
      trigger: 'boundary-alert',
      conditionKey: keys[0],
      conditionKeys: keys,
      alertIds: [nh3n!.id, tp!.id, codmn!.id],
      activeAlertIds: [nh3n!.id, tp!.id, codmn!.id],
      level: 'orange',
      parties: ['k2', 'k1b'],
      coordinatorId: 'p1',
    });
    expect(incident(task)).toEqual(['opened', 'alert-attached', 'alert-attached', 'level-raised']);
    expect(task.history.filter((h) => h.type === 'alert-attached').map((h) => h.details)).toEqual([
      { alertId: tp!.id, conditionKey: keys[1], trigger: 'boundary-alert' },
      { alertId: codmn!.id, conditionKey: keys[2], trigger: 'boundary-alert' },
    ]);
    expect(await redis.get(service.keys.openTaskBySection('bd-prov'))).toBe(task.id);

    // The parties are told of one task, once each.
    await waitFor('task opened at every party and the lead', () => taskHooks(task.id, 'opened').length === 3);

    await recordAllSteps(service, task);
    await service.publish([spill('nh3n', t0 + 10, { type: 'clear' }), spill('tp', t0 + 11, { type: 'clear' })]);
    const partly = await waitFor('two of three cleared', async () => {
      const t = await service.getTask(task.id);
      return t?.activeAlertIds.length === 1 ? t : undefined;
    });
    // Steps done, two conditions back within target, one still raised: no post-supervision yet.
    expect(partly).toMatchObject({ status: 'open', conditionCleared: false, activeAlertIds: [codmn!.id] });
    expect(partly.hold).toBeUndefined();
    expect(incident(partly)).not.toContain('hold-started');

    await service.publish([spill('codmn', t0 + 12, { type: 'clear' })]);
    const held = await waitFor('hold once all cleared', async () => {
      const t = await service.getTask(task.id);
      return t?.status === 'hold' ? t : undefined;
    });
    expect(held).toMatchObject({ conditionCleared: true, activeAlertIds: [] });

    // Ammonia again during post-supervision: a relapse reopens the same task.
    await service.publish([spill('nh3n', t0 + 20)]);
    const reopened = await waitFor('reopened', async () => {
      const t = await service.getTask(task.id);
      return t?.status === 'open' && t.reopenCount === 1 ? t : undefined;
    });
    expect(reopened).toMatchObject({ activeAlertIds: [nh3n!.id], alertIds: task.alertIds });
    expect(reopened.history.filter((h) => h.type === 'reopened')).toMatchObject([{ details: { alertId: nh3n!.id } }]);

    await service.publish([spill('nh3n', t0 + 21, { type: 'clear' })]);
    const closed = await waitFor(
      'closed after the hold',
      async () => {
        const t = await service.getTask(task.id);
        return t?.status === 'closed' ? t : undefined;
      },
      20_000,
    );
    expect(incident(closed)).toEqual([
      'opened',
      'alert-attached',
      'alert-attached',
      'level-raised',
      'hold-started',
      'reopened',
      'hold-started',
      'closed',
    ]);
    expect(await redis.get(service.keys.openTaskBySection('bd-prov'))).toBeNull();
    expect(await redis.mget(...keys.map((k) => service.keys.taskByCondition(k)))).toEqual([null, null, null]);

    // The operators resolve the alerts; a new spill later is a new incident: a new task.
    for (const a of [nh3n!, tp!, codmn!]) await service.resolve(a.id, { kind: 'agency', agencyId: 'k2' }, 'incident over');
    await service.publish([spill('nh3n', t0 + 100)]);
    const nextAlert = await alertOf(service, keys[0]!, 2);
    const next = await waitFor('a new task', async () =>
      (await tasksAt(service, 'bd-prov')).find((t) => t.id !== task.id && t.status === 'open'),
    );
    expect(next).toMatchObject({ id: `tk-${nextAlert.id}`, alertIds: [nextAlert.id], conditionKeys: [keys[0]] });
    expect(await tasksAt(service, 'bd-prov')).toHaveLength(2);
    expect((await service.getTask(task.id))?.status).toBe('closed');
    expect(await redis.get(service.keys.openTaskBySection('bd-prov'))).toBe(next.id);

    // Nothing was announced as a second or third task.
    await sleep(500);
    expect(taskHooks(task.id, 'opened')).toHaveLength(3);
    expect(taskHooks(task.id, 'alert-attached')).toHaveLength(0);
  });

  it('duplicate deliveries, two dispatchers, a killed worker and Redis restarts in the middle: exactly one task', async () => {
    const prefix = svc.uniqueName('restart');
    const a = await instance(prefix);
    const b = await instance(prefix);
    const t0 = Date.now();
    const nh3n = Array.from({ length: 20 }, (_, i) => spill('nh3n', t0 + i));
    const tp = Array.from({ length: 20 }, (_, i) => spill('tp', t0 + i));
    // Both processes get both conditions, concurrently; two dispatchers share the event log.
    await Promise.all([a.publish(nh3n), b.publish(tp), a.publish(tp), b.publish(nh3n)]);
    await sleep(50);
    await a.close({ force: true });
    await svc.redis.kill();
    await svc.redis.start();

    const c = await instance(prefix);
    const codmn = spill('codmn', t0 + 30, { level: 'orange' });
    await Promise.all([b.publish([codmn]), c.publish([codmn])]);
    await svc.redis.stop();
    await svc.redis.start();
    // Analytics redelivers after its own restart.
    await c.publish([...nh3n, ...tp, codmn]);

    const task = await waitFor(
      'one task with three alerts',
      async () => {
        const [t] = await tasksAt(c, 'bd-prov');
        return t && t.alertIds.length === 3 && t.level === 'orange' ? t : undefined;
      },
      30_000,
    );
    const alerts = (await c.listAlerts({ limit: 100, offset: 0 })).items;
    expect(alerts).toHaveLength(3);
    expect([...task.alertIds].sort()).toEqual(alerts.map((x) => x.id).sort());

    // A dispatcher handling every transition again (redelivered entries): nothing changes.
    for (const alert of alerts) {
      const summary = summaryOf(alert);
      for (const transition of alert.history) {
        const trigger = taskTriggerFor(summary, transition.type, registry, c.config);
        const change = await c.tasks.applyAlertTransition(summary, transition, trigger);
        expect(change.added).toEqual([]);
      }
    }

    await waitFor('task opened at every party and the lead', () => taskHooks(task.id, 'opened').length >= 3, 30_000);
    // Let any late retry or stalled job show up before counting.
    await sleep(2500);
    const tasks = await c.listTasks({ limit: 100, offset: 0 });
    expect(tasks.total).toBe(1);
    const final = tasks.items[0]!;
    expect(incident(final).filter((t) => t === 'opened')).toHaveLength(1);
    expect(incident(final).filter((t) => t === 'alert-attached')).toHaveLength(2);
    expect(incident(final).filter((t) => t === 'level-raised')).toHaveLength(1);
    expect(final.alertIds).toEqual(task.alertIds);
    expect(final.activeAlertIds).toHaveLength(3);
    // Webhooks are at-least-once across a killed worker: a repeat carries the same delivery id, and
    // receivers drop it. One delivery id per (transition, recipient) is the contract.
    const opened = taskHooks(task.id, 'opened');
    const byDelivery = new Map(opened.map((h) => [h.deliveryId, h.agencyId]));
    expect([...byDelivery.values()].sort()).toEqual(['k1b', 'k2', 'p1']);
  });

  it('concurrent first alerts of one section (compare-and-set contention): one task carrying them all', async () => {
    for (let round = 0; round < 5; round++) {
      const redis = redisFor(svc.redis.url);
      connections.push(redis);
      const service = makeService({ redis, registry, keyPrefix: svc.uniqueName('race'), workers: false });
      services.push(service);
      const t0 = Date.now();
      const opened = await Promise.all(Array.from({ length: 12 }, (_, i) => service.alerts.applyEvent(spill(`p${i}`, t0 + i))));
      // Twelve transitions handled at the same moment, each seeing no task yet, plus a redelivery of each.
      const apply = () =>
        opened.map(({ alert, added }) => service.tasks.applyAlertTransition(summaryOf(alert!), added[0]!, 'boundary-alert'));
      await Promise.all([...apply(), ...apply()]);
      const tasks = await tasksAt(service, 'bd-prov');
      expect(tasks).toHaveLength(1);
      expect([...tasks[0]!.alertIds].sort()).toEqual(opened.map((o) => o.alert!.id).sort());
      expect(incident(tasks[0]!).filter((t) => t === 'opened')).toHaveLength(1);
      expect(incident(tasks[0]!).filter((t) => t === 'alert-attached')).toHaveLength(11);
      expect(await redis.get(service.keys.openTaskBySection('bd-prov'))).toBe(tasks[0]!.id);
    }
  });

  it('pre-warnings and boundary alerts of a section share its task, whichever comes first', async () => {
    const service = await instance(svc.uniqueName('prewarn'));
    const t0 = Date.now();

    // Boundary alert first, then a pre-warning for the same section from further upstream.
    await service.publish([spill('nh3n', t0)]);
    const boundary = await waitFor('boundary task', async () => (await tasksAt(service, 'bd-prov'))[0]);
    await service.publish([preWarning('bd-prov', 'bd-city', t0 + 1)]);
    const pre = await alertOf(service, 'upstream-arrival:bd-prov:bd-city');
    const shared = await waitFor('pre-warning attached', async () => {
      const t = await service.getTask(boundary.id);
      return t?.alertIds.includes(pre.id) ? t : undefined;
    });
    expect(await tasksAt(service, 'bd-prov')).toHaveLength(1);
    // The pre-warning's origin jurisdiction joins; the lead stays the province.
    expect(shared).toMatchObject({
      trigger: 'boundary-alert',
      parties: ['k2', 'k1b', 'k1a'],
      coordinatorId: 'p1',
      level: 'yellow',
    });
    expect(shared.history.filter((h) => h.type === 'alert-attached').map((h) => h.details)).toEqual([
      { alertId: pre.id, conditionKey: 'upstream-arrival:bd-prov:bd-city', trigger: 'upstream-arrival', partiesAdded: 'k1a' },
    ]);
    // Only the agency new to the task is told of it; nobody is told of a second task.
    await waitFor('attachment told to the new party', () => taskHooks(boundary.id, 'alert-attached').length > 0);
    await sleep(500);
    expect(taskHooks(boundary.id, 'alert-attached').map((h) => h.agencyId)).toEqual(['k1a']);

    // Pre-warning first (bd-city from up), then the boundary alert of that section.
    await service.publish([preWarning('bd-city', 'up', t0 + 2)]);
    const preTask = await waitFor('pre-warning task', async () => (await tasksAt(service, 'bd-city'))[0]);
    expect(preTask).toMatchObject({ trigger: 'upstream-arrival', level: 'blue' });
    await service.publish([alertEvent({ key: 'exceedance:bd-city:tp', sectionId: 'bd-city', stationId: 'S-BC', ts: t0 + 3 })]);
    const cityAlert = await alertOf(service, 'exceedance:bd-city:tp');
    const joined = await waitFor('boundary alert attached', async () => {
      const t = await service.getTask(preTask.id);
      return t?.alertIds.includes(cityAlert.id) ? t : undefined;
    });
    expect(await tasksAt(service, 'bd-city')).toHaveLength(1);
    expect(joined).toMatchObject({ level: 'yellow', parties: preTask.parties });
    expect(incident(joined)).toEqual(['opened', 'alert-attached', 'level-raised']);

    // A section that is no boundary gets tasks from pre-warnings only: two origins, one task.
    await service.publish([preWarning('low', 'bd-prov', t0 + 4)]);
    await waitFor('pre-warning task at low', async () => (await tasksAt(service, 'low'))[0]);
    await service.publish([preWarning('low', 'bd-city', t0 + 5)]);
    const lowTask = await waitFor('second pre-warning attached', async () => {
      const [t] = await tasksAt(service, 'low');
      return t && t.alertIds.length === 2 ? t : undefined;
    });
    expect(await tasksAt(service, 'low')).toHaveLength(1);
    expect(lowTask.parties).toEqual(['k2', 'k1b', 'k1a']);
    expect((await service.listTasks({ limit: 100, offset: 0 })).total).toBe(3);
  });

  it('a task stored before tasks carried several conditions is found, attached to and closed cleanly', async () => {
    const service = await instance(svc.uniqueName('legacy'), { postSupervisionHoldMs: 1000 });
    const redis = connections.at(-1)!;
    const t0 = Date.now();
    const first = 'exceedance:bd-city:nh3n';
    await service.publish([alertEvent({ key: first, sectionId: 'bd-city', stationId: 'S-BC', parameters: ['nh3n'], ts: t0 })]);
    const opened = await waitFor('task with sampling raised', async () => {
      const t = (await tasksAt(service, 'bd-city'))[0];
      return t?.sampling.raised ? t : undefined;
    });
    // What the previous version stored: one condition, no active list, no section pointer.
    const { conditionKeys: _k, activeAlertIds: _a, ...legacy } = opened;
    await redis.set(service.keys.task(opened.id), JSON.stringify(legacy));
    await redis.del(service.keys.openTaskBySection('bd-city'));
    expect(await service.getTask(opened.id)).toMatchObject({ conditionKeys: [first], activeAlertIds: opened.alertIds });

    const second = 'exceedance:bd-city:tp';
    await service.publish([alertEvent({ key: second, sectionId: 'bd-city', stationId: 'S-BC', ts: t0 + 1 })]);
    const secondAlert = await alertOf(service, second);
    const task = await waitFor('attached to the stored task', async () => {
      const t = await service.getTask(opened.id);
      return t?.alertIds.includes(secondAlert.id) ? t : undefined;
    });
    expect(await tasksAt(service, 'bd-city')).toHaveLength(1);
    expect(task).toMatchObject({ conditionKeys: [first, second], activeAlertIds: [...opened.alertIds, secondAlert.id] });
    expect(await redis.get(service.keys.openTaskBySection('bd-city'))).toBe(opened.id);

    await recordAllSteps(service, task);
    await service.publish([
      alertEvent({ key: first, sectionId: 'bd-city', stationId: 'S-BC', parameters: ['nh3n'], ts: t0 + 10, type: 'clear' }),
      alertEvent({ key: second, sectionId: 'bd-city', stationId: 'S-BC', ts: t0 + 11, type: 'clear' }),
    ]);
    await waitFor('closed', async () => (await service.getTask(opened.id))?.status === 'closed', 20_000);
    expect(await redis.get(service.keys.openTaskBySection('bd-city'))).toBeNull();
    expect(await redis.mget(service.keys.taskByCondition(first), service.keys.taskByCondition(second))).toEqual([null, null]);
  });
});
