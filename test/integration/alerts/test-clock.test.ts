/**
 * The time logic runs on the injected clock: with a ManualClock, hours of
 * deadlines, escalations, problem deadlines and the 72 h hold pass in
 * milliseconds (the sweep applies what the clock says is due).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startServices, type TestServices } from '../../harness/services.js';
import { AlertsService, ON_SITE_STEPS } from '../../../platform/redis/alerts/index.js';
import { ManualClock } from '../../../domain/index.js';
import { alertEvent, testRegistry } from '../../unit/alerts/registry-fixture.js';
import { Registry as MetricsRegistry } from 'prom-client';
import { AutoAckCommander, FAST, logger, redisFor, waitFor } from './helpers.js';

const HOUR = 3_600_000;

describe('alerts on a test clock', () => {
  let svc: TestServices<{ redis: true }>;
  let redis: Redis;
  let service: AlertsService;
  const clock = new ManualClock(Date.UTC(2026, 10, 22, 8));

  beforeAll(async () => {
    svc = await startServices({ redis: true });
    redis = redisFor(svc.redis.url);
    const keyPrefix = svc.uniqueName('clock');
    // Production timings (red: 2 h on site, 1 h escalation steps, 72 h hold), driven by the clock.
    service = new AlertsService({
      redis,
      registry: testRegistry(),
      logger,
      metricsRegistry: new MetricsRegistry(),
      clock,
      commander: new AutoAckCommander(),
      config: {
        ...FAST,
        keyPrefix,
        queuePrefix: `${keyPrefix}q`,
        autoResolveHoldMs: 15 * 60_000,
        escalationIntervalMs: HOUR,
        postSupervisionHoldMs: 72 * HOUR,
      },
    });
    await service.start();
  });

  afterAll(async () => {
    await service?.close();
    redis?.disconnect();
    await svc?.close();
  });

  it('escalates after 2 h, escalates an overdue problem, auto-resolves after 15 min and closes after 72 h', async () => {
    const key = 'sudden-change:bd-city:cond';
    await service.publish([
      alertEvent({
        key,
        kind: 'sudden-change',
        level: 'red',
        sectionId: 'bd-city',
        stationId: 'S-BC',
        parameters: ['cond'],
        ts: clock.now(),
      }),
    ]);
    const task = await waitFor('task', async () =>
      (await service.listTasks({ limit: 10, offset: 0 })).items.find((t) => t.conditionKey === key),
    );
    expect(task).toMatchObject({ coordinatorId: 'c1', arrivalDeadline: clock.now() + 2 * HOUR });

    clock.advance(2 * HOUR - 1);
    await service.sweep();
    expect((await service.getTask(task.id))?.escalations).toEqual([]);
    clock.advance(1);
    await service.sweep();
    expect((await service.getTask(task.id))?.escalations.map((e) => e.toAgencyId)).toEqual(['c1']);
    clock.advance(HOUR);
    await service.sweep();
    expect((await service.getTask(task.id))?.escalations.map((e) => e.toAgencyId)).toEqual(['c1', 'p1']);

    for (const party of task.parties) {
      for (const step of ON_SITE_STEPS) {
        await service.recordStep(
          task.id,
          { party, step, ...(step === 'locate-sign-in' ? { coordinates: { lat: 30, lon: 120.1 } } : {}) },
          { kind: 'agency', agencyId: party },
        );
      }
    }
    await service.registerProblem(
      task.id,
      { description: 'outfall', ownerAgencyId: 'k1a', measures: 'seal', deadline: clock.now() + 24 * HOUR },
      { kind: 'agency', agencyId: 'c1' },
    );
    clock.advance(24 * HOUR);
    await service.sweep();
    const overdue = await service.getTask(task.id);
    expect(overdue?.escalations.at(-1)).toMatchObject({ reason: 'problem-deadline', toAgencyId: 'c1', problemId: 'p1' });

    await service.publish([
      alertEvent({
        key,
        kind: 'sudden-change',
        level: 'red',
        sectionId: 'bd-city',
        stationId: 'S-BC',
        parameters: ['cond'],
        ts: clock.now(),
        type: 'clear',
      }),
    ]);
    const alertId = task.alertIds[0]!;
    clock.advance(15 * 60_000);
    await service.sweep();
    expect((await service.getAlert(alertId))?.status).toBe('resolved');
    const held = await waitFor('hold', async () => {
      const t = await service.getTask(task.id);
      return t?.status === 'hold' ? t : undefined;
    });
    expect(held.hold?.until).toBe(held.hold!.startedAt + 72 * HOUR);

    clock.advance(72 * HOUR);
    await service.sweep();
    // The hold has passed but the ledger is not closed out: the task stays in hold.
    expect((await service.getTask(task.id))?.status).toBe('hold');
    const closed = await service.closeOutProblem(
      task.id,
      'p1',
      { evidence: ['report-1'], note: 'sealed' },
      { kind: 'agency', agencyId: 'k1a' },
    );
    expect(closed.status).toBe('closed');
    await waitFor('sampling restored', async () => (await service.getTask(task.id))?.sampling.restored);
  });
});
