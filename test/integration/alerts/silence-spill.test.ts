/**
 * Issue 15 target, through the running pipeline: the simulated Taipu spill
 * (MQTT → ingest → readings log → analytics → alerts) while the boundary
 * section tp-fenhu is silenced raises its alerts there (recorded, listed),
 * sends 0 notifications about them and opens 0 tasks there, while the
 * alerts elsewhere go out as usual; ending the silence while the condition
 * holds notifies each held alert once per recipient agency and opens the
 * section's joint task. Webhooks go to a local receiver (the registry is the
 * sample one with a webhook per agency).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startServices, type TestServices } from '../../harness/services.js';
import { eventually, harnessEnv, runRoles, type RunningRoles } from '../ingest/fixture.js';
import { runSimulate } from '../../../simulators/index.js';
import { loadRegistryFile } from '../../../config/index.js';
import { silentLogger } from '../../../platform/logger.js';
import { isPollutionKind } from '../../../domain/index.js';
import { WebhookReceiver } from './helpers.js';

const HOUR = 3_600_000;
// As in the analytics pipeline test: a fixed phase of the 4-hour nutrient cycle; the spill starts 12 h in and
// reaches tp-fenhu about 3.5 h later. The run stops at 18 h, with the plume still at the boundary.
const FROM = new Date(Math.floor((Date.now() - 2 * 24 * HOUR - 3 * HOUR) / (4 * HOUR)) * 4 * HOUR + 3 * HOUR).toISOString();
const TO = new Date(Date.parse(FROM) + 18 * HOUR).toISOString();

let svc: TestServices<{ redis: true; mosquitto: true; influx: true }>;
let receiver: WebhookReceiver;
let registryFile: string;
let alertsOptionsFile: string;
let analyticsOptionsFile: string;

beforeAll(async () => {
  svc = await startServices({ redis: true, mosquitto: true, influx: true });
  receiver = new WebhookReceiver();
  const base = await receiver.listen();
  const doc = parse(readFileSync('config/registry.yaml', 'utf8')) as { agencies: { id: string; webhook?: unknown }[] };
  for (const agency of doc.agencies)
    agency.webhook = { url: `${base}/hook/${agency.id}`, secret: `secret-of-${agency.id}-0123456789` };
  registryFile = join(svc.dir, 'registry.yaml');
  writeFileSync(registryFile, stringify(doc));
  // Each webhook is followed as it is sent; grouping (on by default) has its own test, grouping.test.ts.
  alertsOptionsFile = join(svc.dir, 'alerts.yaml');
  writeFileSync(alertsOptionsFile, stringify({ notifyGroupWaitMs: 0 }));
  // The last readings would otherwise wait out the shipped 60 s reorder hold before they are analysed.
  analyticsOptionsFile = join(svc.dir, 'analytics.yaml');
  writeFileSync(analyticsOptionsFile, stringify({ reorder: { watermarkDelayMs: 5000 } }));
});

afterAll(async () => {
  await receiver?.close();
  await svc?.close();
});

async function analyticsCaughtUp(rw: RunningRoles): Promise<boolean> {
  const groups = (await rw.ctx.redis('probe').xinfo('GROUPS', `${rw.config.redis.prefix}:readings:0`)) as unknown[][];
  const group = groups
    .map((g) => Object.fromEntries(Array.from({ length: g.length / 2 }, (_, i) => [g[2 * i], g[2 * i + 1]])))
    .find((g) => g.name === 'analytics');
  return group !== undefined && Number(group.lag) === 0 && Number(group.pending) === 0;
}

describe('a silenced section during the simulated spill', () => {
  it('raises its alerts, notifies nobody and opens no task while silenced; notifies once when the silence ends', async () => {
    const rw = await runRoles(['ingest', 'store', 'analytics', 'alerts'], harnessEnv(svc, { RW_REGISTRY_FILE: registryFile, RW_ALERTS_OPTIONS_FILE: alertsOptionsFile, RW_ANALYTICS_OPTIONS_FILE: analyticsOptionsFile }));
    try {
      const service = await rw.ctx.alerts();
      const silence = await service.silences.create(
        'taihu-bureau',
        { matcher: { sectionId: 'tp-fenhu' }, endsAt: Date.now() + 2 * HOUR, reason: '汾湖断面站房检修' },
        { kind: 'agency', agencyId: 'taihu-bureau', name: '值班员' },
      );
      const registry = loadRegistryFile(registryFile);
      const run = runSimulate(
        ['--scenario', 'simulators/scenarios/taipu-spill.yaml', '--seed', '7', '--from', FROM, '--to', TO],
        {
          registry,
          logger: silentLogger(),
          config: { mqttUrl: svc.mosquitto.url },
        },
      );
      expect((await run.done)?.readingsAcked ?? 0).toBeGreaterThan(1000);
      await eventually(() => analyticsCaughtUp(rw), 240_000, 500);

      const fenhu = async () =>
        (await service.listAlerts({ sectionId: 'tp-fenhu', limit: 100, offset: 0 })).items.filter((a) => isPollutionKind(a.kind));
      // Raised and visible.
      await eventually(async () => (await fenhu()).some((a) => a.key === 'exceedance:tp-fenhu:nh3n'), 60_000);
      // Every one of them handled by the dispatcher and held by the silence.
      await eventually(async () => {
        const held = await Promise.all((await fenhu()).map((a) => service.silences.store.heldBy(a.id)));
        return held.every((id) => id === silence.id);
      }, 60_000);
      const heldAlerts = await fenhu();
      const heldIds = new Set(heldAlerts.map((a) => a.id));
      // Elsewhere the spill notifies as usual (the pre-warning downstream), so silence here is not an empty pipe.
      await eventually(async () => receiver.alertWebhooks().some((w) => w.payload.alert.sectionId !== 'tp-fenhu'), 60_000);
      expect(receiver.alertWebhooks().filter((w) => heldIds.has(w.payload.alert.id))).toHaveLength(0);
      expect((await service.listTasks({ sectionId: 'tp-fenhu', limit: 10, offset: 0 })).items).toHaveLength(0);

      await service.silences.end('taihu-bureau', silence.id, { kind: 'agency', agencyId: 'taihu-bureau', name: '值班员' });
      const stillHolding = heldAlerts.filter((a) => a.status !== 'resolved' && a.clearedAt === undefined);
      expect(stillHolding.length).toBeGreaterThan(0);
      // tp-fenhu's recipients: Zhejiang's county downstream, Jiangsu's upstream, and the lead (the basin bureau).
      await eventually(async () => {
        const got = new Set(
          receiver
            .alertWebhooks()
            .filter((w) => heldIds.has(w.payload.alert.id))
            .map((w) => `${w.payload.alert.id}.${w.agencyId}`),
        );
        return got.size >= stillHolding.length * 3;
      }, 60_000);
      await eventually(
        async () => (await service.listTasks({ sectionId: 'tp-fenhu', limit: 10, offset: 0 })).items.length === 1,
        60_000,
      );
      const hooks = receiver.alertWebhooks().filter((w) => heldIds.has(w.payload.alert.id));
      const perAlertAndAgency = new Map<string, number>();
      for (const w of hooks)
        perAlertAndAgency.set(
          `${w.payload.alert.id}.${w.agencyId}`,
          (perAlertAndAgency.get(`${w.payload.alert.id}.${w.agencyId}`) ?? 0) + 1,
        );
      console.log(
        `held ${heldAlerts.length} alerts at tp-fenhu; after the silence: ${hooks.length} webhooks for ${stillHolding.length} still holding`,
      );
      expect([...perAlertAndAgency.values()].every((n) => n === 1)).toBe(true);
      expect(new Set(hooks.map((w) => w.agencyId))).toEqual(new Set(['wujiang', 'jiashan', 'taihu-bureau']));
    } finally {
      await rw.close();
    }
  }, 400_000);
});
