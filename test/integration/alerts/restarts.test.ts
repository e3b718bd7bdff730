/**
 * Issue 6 "Done when" #3: killing the alerts worker (close without
 * draining, then a new instance) and restarting Redis (AOF on) in the middle
 * of the flow loses no transition and doubles no notification or task.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startServices, type TestServices } from '../../harness/services.js';
import type { AlertsService } from '../../../platform/redis/alerts/index.js';
import type { Registry } from '../../../domain/index.js';
import { alertEvent, testRegistry } from '../../unit/alerts/registry-fixture.js';
import { AutoAckCommander, makeService, redisFor, sleep, waitFor, WebhookReceiver } from './helpers.js';

describe('alerts survive a killed worker and Redis restarts', () => {
  let svc: TestServices<{ redis: { appendOnly: true } }>;
  let receiver: WebhookReceiver;
  let registry: Registry;
  const connections: Redis[] = [];
  const services: AlertsService[] = [];

  beforeAll(async () => {
    svc = await startServices({ redis: { appendOnly: true } });
    receiver = new WebhookReceiver();
    registry = testRegistry(await receiver.listen());
  });

  afterAll(async () => {
    for (const s of services) await s.close().catch(() => undefined);
    for (const c of connections) c.disconnect();
    await receiver?.close();
    await svc?.close();
  });

  function instance(keyPrefix: string, workers = true): AlertsService {
    const redis = redisFor(svc.redis.url);
    connections.push(redis);
    const service = makeService({ redis, registry, keyPrefix, commander: new AutoAckCommander(), workers });
    services.push(service);
    return service;
  }

  it('loses no transition and doubles nothing', async () => {
    const prefix = svc.uniqueName('restart');
    const key = 'exceedance:bd-prov:tp';
    const t0 = Date.now();

    const first = instance(prefix);
    await first.start();
    // Slow receiver: deliveries are in flight when the worker is killed.
    receiver.delayMs = 300;
    await first.publish([
      alertEvent({ key, ts: t0 }),
      ...Array.from({ length: 50 }, (_, i) => alertEvent({ key, ts: t0 + 1 + i })),
    ]);
    await sleep(150);
    await first.close({ force: true });

    await svc.redis.stop();
    await svc.redis.start();
    receiver.delayMs = 0;

    // A dispatcher that read the level-up entry and died before acknowledging it.
    const producer = instance(prefix, false);
    await producer.publish([alertEvent({ key, ts: t0 + 100, level: 'orange' })]);
    const dead = connections.at(-1)!;
    const read = (await dead.call(
      'XREADGROUP',
      'GROUP',
      'alerts-dispatch',
      'dead-consumer',
      'COUNT',
      100,
      'STREAMS',
      producer.keys.eventLog(),
      '>',
    )) as [string, unknown[]][] | null;
    expect(read?.[0]?.[1].length).toBeGreaterThan(0);
    expect(((await dead.xpending(producer.keys.eventLog(), 'alerts-dispatch')) as [number])[0]).toBe(read?.[0]?.[1].length);

    const second = instance(prefix);
    await second.start();
    // Redis restarts again while the clear is being applied and dispatched.
    const clear = second.publish([alertEvent({ key, ts: t0 + 200, type: 'clear' })]);
    await svc.redis.stop();
    await svc.redis.start();
    await clear;
    await waitFor(
      'claimed and handled',
      async () => ((await dead.xpending(producer.keys.eventLog(), 'alerts-dispatch')) as [number])[0] === 0,
      15_000,
    );

    const listed = await second.listAlerts({ limit: 10, offset: 0 });
    expect(listed.total).toBe(1);
    const alert = await waitFor(
      'resolved',
      async () => {
        const a = await second.getAlert(listed.items[0]!.id);
        return a?.status === 'resolved' ? a : undefined;
      },
      30_000,
    );
    expect(alert.occurrences).toBe(52);
    expect(alert.history.map((h) => h.type)).toEqual(['opened', 'level-raised', 'cleared', 'resolved']);

    const expectedAlertDeliveries = alert.history
      .filter((h) => ['opened', 'level-raised', 'resolved'].includes(h.type))
      .flatMap((h) => ['k2', 'k1b', 'p1'].map((a) => `${h.id}.${a}`));
    await waitFor(
      'every alert delivery',
      () => expectedAlertDeliveries.every((id) => receiver.received.some((r) => r.deliveryId === id)),
      30_000,
    );

    const tasks = await second.listTasks({ limit: 10, offset: 0 });
    expect(tasks.total).toBe(1);
    const task = tasks.items[0]!;
    const taskOpened = task.history.find((h) => h.type === 'opened')!;
    const expectedTaskDeliveries = ['k2', 'k1b', 'p1'].map((a) => `${taskOpened.id}.${a}`);
    await waitFor(
      'task deliveries and sampling',
      async () => {
        const t = await second.getTask(task.id);
        return (
          expectedTaskDeliveries.every((id) => receiver.received.some((r) => r.deliveryId === id)) &&
          t?.sampling.raised !== undefined
        );
      },
      30_000,
    );

    // Let any late retry or stalled job show up before counting.
    await sleep(2500);
    const counts = new Map<string, number>();
    for (const r of receiver.received) counts.set(r.deliveryId, (counts.get(r.deliveryId) ?? 0) + 1);
    for (const id of [...expectedAlertDeliveries, ...expectedTaskDeliveries]) expect(counts.get(id), id).toBe(1);
    expect(receiver.alertWebhooks()).toHaveLength(expectedAlertDeliveries.length);
    expect(receiver.received.every((r) => r.validSignature)).toBe(true);
    const final = await second.getTask(task.id);
    expect(final?.history.filter((h) => h.type === 'opened')).toHaveLength(1);
    expect(final?.sampling.raised?.acked.length).toBe(4);
  });
});
