/**
 * Issue 15 §3 on real Redis and BullMQ: one spill that raises alerts at
 * three sections of one river within a second sends the agency that is a
 * party of all three ONE grouped webhook listing the three alerts (not
 * three, and the joint tasks the alerts opened are in it too), after the
 * group wait; every other agency concerned also hears of it once. And the
 * default wait (30 s) on the simulated demo spill: one webhook per agency in
 * the first minute, against several with grouping off.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { alertsConfig } from '../../../alerts/index.js';
import { loadRegistryFile } from '../../../config/index.js';
import { isPollutionKind } from '../../../domain/index.js';
import { riverScenarioSpecs, runRiverScenario } from '../../../eval/river-scenarios.js';
import type { AlertsService } from '../../../platform/redis/alerts/index.js';
import { startServices, type TestServices } from '../../harness/services.js';
import { alertEvent } from '../../unit/alerts/registry-fixture.js';
import {
  type AlertsFixture,
  AutoAckCommander,
  makeService,
  redisFor,
  sleep,
  startAlertsFixture,
  waitFor,
  WebhookReceiver,
} from './helpers.js';

describe('grouped notifications on real Redis', () => {
  let receiver: WebhookReceiver;
  let service: AlertsService;
  let fixture: AlertsFixture | undefined;

  beforeAll(async () => {
    fixture = await startAlertsFixture({
      name: 'grp',
      commander: new AutoAckCommander(),
      config: { notifyGroupWaitMs: 1500, notifyGroupRepeatMs: 60_000 },
    });
    ({ receiver, service } = fixture);
  });

  afterAll(async () => {
    await fixture?.close();
  });

  it('one spill at three sections: one grouped notification to the agency concerned by all three', async () => {
    const t0 = Date.now();
    // A plume moving down river r1: the city boundary, the reach below it, the provincial boundary.
    await service.publish([
      alertEvent({ ts: t0, key: 'exceedance:bd-city:nh3n', sectionId: 'bd-city', stationId: 'S-BC', parameters: ['nh3n'] }),
      alertEvent({ ts: t0 + 200, key: 'exceedance:mid:nh3n', sectionId: 'mid', stationId: 'S-MID', parameters: ['nh3n'] }),
      alertEvent({ ts: t0 + 400, key: 'exceedance:bd-prov:nh3n', sectionId: 'bd-prov', stationId: 'S-BP-1', parameters: ['nh3n'] }),
    ]);
    // bd-city notifies k1b, k1a, c1; mid k1b; bd-prov k2, k1b, p1: k1b is concerned by all three.
    await waitFor('the grouped notification to k1b', () => receiver.groupWebhooks().length >= 1);
    await waitFor('the other agencies’ notifications', () => new Set(receiver.received.map((w) => w.agencyId)).size >= 5);
    const within = Date.now() - t0;

    const toK1b = receiver.received.filter((w) => w.agencyId === 'k1b');
    expect(toK1b).toHaveLength(1);
    const group = receiver.groupWebhooks()[0]!;
    expect(group.validSignature).toBe(true);
    expect(group.payload.groupKey).toBe('r1');
    // Its members: the three alerts and the two joint tasks they opened (boundary sections), in time order.
    const members = group.payload.members.map((m) => (m.type === 'alert' ? `alert ${m.alert.sectionId}` : `task ${m.task.sectionId}`));
    expect(members.filter((m) => m.startsWith('alert'))).toEqual(['alert bd-city', 'alert mid', 'alert bd-prov']);
    expect(members.filter((m) => m.startsWith('task')).sort()).toEqual(['task bd-city', 'task bd-prov']);
    // Everyone else hears of this incident once too: one webhook each, the alert and its task together.
    for (const agencyId of ['k1a', 'c1', 'k2', 'p1'])
      expect(receiver.received.filter((w) => w.agencyId === agencyId), agencyId).toHaveLength(1);
    expect(within).toBeLessThan(60_000);
  });
});

/**
 * The target on the simulated demo spill (eval's `demo-spill`, the spill of `npm start`): the alert events of
 * the first minute after its first pollution alert, from the offline analytics run, published now into two alerts
 * services on the sample registry, one with grouping off and one with the default wait. Counted per agency: the
 * webhooks that arrive within the first minute.
 */
describe('the demo spill’s first minute, grouping off and at the default', () => {
  let svc: TestServices<{ redis: true }>;
  const running: { service: AlertsService; receiver: WebhookReceiver; redis: Redis }[] = [];

  beforeAll(async () => {
    svc = await startServices({ redis: true });
  });

  afterAll(async () => {
    for (const r of running) {
      await r.service.close().catch(() => undefined);
      r.redis.disconnect();
      await r.receiver.close();
    }
    await svc?.close();
  });

  async function start(name: string, notifyGroupWaitMs: number): Promise<(typeof running)[number]> {
    const receiver = new WebhookReceiver();
    const base = await receiver.listen();
    const doc = parse(readFileSync('config/registry.yaml', 'utf8')) as { agencies: { id: string; webhook?: unknown }[] };
    for (const agency of doc.agencies) agency.webhook = { url: `${base}/hook/${agency.id}`, secret: `secret-of-${agency.id}-0123456789` };
    const file = join(svc.dir, `${name}-registry.yaml`);
    writeFileSync(file, stringify(doc));
    const redis = redisFor(svc.redis.url);
    const service = makeService({
      redis,
      registry: loadRegistryFile(file),
      keyPrefix: svc.uniqueName(name),
      commander: new AutoAckCommander(),
      config: { notifyGroupWaitMs },
    });
    await service.start();
    const r = { service, receiver, redis };
    running.push(r);
    return r;
  }

  it('sends each agency one notification in the first minute at the default wait (several without grouping)', async () => {
    const DEFAULT_WAIT_MS = alertsConfig().notifyGroupWaitMs;
    expect(DEFAULT_WAIT_MS).toBe(30_000);
    const sample = loadRegistryFile('config/registry.yaml');
    const spec = riverScenarioSpecs(true).find((s) => s.name === 'demo-spill')!;
    const { events } = runRiverScenario(spec, sample).run;
    const first = events.find((e) => e.type === 'raise' && isPollutionKind(e.kind))!;
    const round = events.filter((e) => e.ts >= first.ts && e.ts < first.ts + 60_000);

    const off = await start('spill-off', 0);
    const grouped = await start('spill-grouped', DEFAULT_WAIT_MS);
    const t0 = Date.now();
    // As the readings of that minute would arrive: now, in their order and spacing.
    const shifted = round.map((e) => ({
      ...e,
      ts: t0 + (e.ts - first.ts),
      ...(e.arrival
        ? { arrival: { ...e.arrival, fromTs: e.arrival.fromTs - first.ts + t0, peakTs: e.arrival.peakTs - first.ts + t0, toTs: e.arrival.toTs - first.ts + t0 } }
        : {}),
    }));
    await Promise.all([off.service.publish(shifted), grouped.service.publish(shifted)]);
    // Every event is published at t0; the grouped sends go at t0 + the wait, and an incident's next grouped send
    // to an agency can come only notifyGroupRepeatMs (5 min) after that, so nothing more arrives in the minute.
    await sleep(Math.max(0, t0 + DEFAULT_WAIT_MS + 5_000 - Date.now()));

    const perAgency = (r: WebhookReceiver): Record<string, number> => {
      const out: Record<string, number> = {};
      for (const w of r.received.filter((x) => x.arrivedAt < t0 + 60_000)) out[w.agencyId] = (out[w.agencyId] ?? 0) + 1;
      return out;
    };
    const withoutGrouping = perAgency(off.receiver);
    const withGrouping = perAgency(grouped.receiver);
    const opened = new Set(round.filter((e) => e.type === 'raise').map((e) => `${e.kind} ${e.key}`));
    console.log(
      `demo spill, first minute: ${round.length} events, openings ${[...opened].join('; ')}\n` +
        `  webhooks per agency, grouping off: ${JSON.stringify(withoutGrouping)}\n` +
        `  webhooks per agency, default wait ${DEFAULT_WAIT_MS} ms: ${JSON.stringify(withGrouping)}; ` +
        `first at +${Math.min(...grouped.receiver.received.map((w) => w.arrivedAt - t0))} ms`,
    );
    // Every agency told of the spill without grouping is told with it, once.
    expect(Object.keys(withGrouping).sort()).toEqual(Object.keys(withoutGrouping).sort());
    for (const [agencyId, n] of Object.entries(withGrouping)) expect(n, agencyId).toBe(1);
    // The agency below the boundary hears of several sections: more than 3 webhooks without grouping.
    expect(withoutGrouping.jiashan).toBeGreaterThan(3);
    expect(grouped.receiver.groupWebhooks().find((w) => w.agencyId === 'jiashan')?.payload.members.length).toBe(withoutGrouping.jiashan);
  }, 120_000);
});
