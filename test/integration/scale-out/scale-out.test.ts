/**
 * Scale-out on one machine (issue 9 §2): the roles run as separate
 * processes against real Mosquitto, Redis and InfluxDB — two ingest
 * processes in one MQTT shared-subscription group, two store writers, the
 * readings log in two partitions by section with one analytics process per
 * partition, two alerts workers on the same queues, one api — and the
 * simulated Taipu spill (every station of the sample registry, two days,
 * seed 7, 10,368 readings) is published through them over one minute. The
 * same stream goes at the same time into a single process running every role
 * with its embedded broker: the reference.
 *
 * Shown: every acknowledged reading is in InfluxDB exactly once; both ingest
 * processes took a share and the shares add up to what was published (split,
 * not duplicated); each analytics process read only its own partition; the
 * alerts and tasks are those of a single-process run of the same input (one
 * alert per condition, one task per alert).
 */
import { createServer } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadRegistryFile } from '../../../config/index.js';
import { AckLedger } from '../../../drill/ack-ledger.js';
import { MqttGateways } from '../../../drill/gateways.js';
import { LoadDriver } from '../../../drill/load-driver.js';
import { RoleProcess } from '../../../drill/role-process.js';
import { generateSpillLoad, type SpillLoad } from '../../../drill/spill-load.js';
import {
  alertSignature,
  checkAlerts,
  compareWithStore,
  metricSum,
  readAlertsAndTasks,
  readingsLogGroups,
  scrape,
  storedReadings,
  taskSignature,
} from '../../../drill/verify.js';
import { partitionOf } from '../../../platform/redis/readings/readings-log.js';
import { InfluxStore } from '../../../platform/influx/client.js';
import { freePort } from '../../../platform/local/services.js';
import { createRedis, type Redis } from '../../../platform/redis/client.js';
import { startServices, type TestServices } from '../../harness/services.js';
import { eventually, runRoles } from '../ingest/fixture.js';

const registry = loadRegistryFile('config/registry.yaml');
const tokens = parseYaml(readFileSync('config/sample-station-secrets.yaml', 'utf8')) as Record<string, string>;
const stationIds = [...registry.stations.keys()];

let svc: TestServices<{ redis: true; mosquitto: true; influx: true }>;
let redis: Redis;
let load: SpillLoad;

beforeAll(async () => {
  svc = await startServices({ redis: true, mosquitto: true, influx: true });
  redis = createRedis(svc.redis.url, 'scale-out-test');
  // Two days ending a minute ago, so no reading is ahead of the clock when sent.
  load = generateSpillLoad({ registry, endMs: Date.now() - 60_000 });
});

afterAll(async () => {
  redis?.disconnect();
  await svc?.close();
});

/** Every consumer group of the readings log and the alerts dispatcher has read and acknowledged everything. */
async function drained(prefix: string, partitions: number): Promise<boolean> {
  const groups = await readingsLogGroups(redis, prefix, partitions);
  if (groups.length < partitions * 2 || groups.some((g) => g.lag !== 0 || g.pending !== 0)) return false;
  const dispatch = (await redis.xinfo('GROUPS', `${prefix}:alerts:events`).catch(() => [])) as unknown[][];
  return dispatch.every((row) => {
    const g = Object.fromEntries(Array.from({ length: row.length / 2 }, (_, i) => [row[2 * i], row[2 * i + 1]]));
    return Number(g.pending) === 0 && (g.lag === null || Number(g.lag) === 0);
  });
}

/**
 * The stream is paced over this much wall time (a steady load, a station's
 * consecutive readings ~100 ms apart) rather than sent flat out: see the
 * note on ordering in docs/drills.md. Both runs get the same pacing.
 */
const PACE_MS = 60_000;

async function gatewaysTo(url: string, ledger: AckLedger, clientIdPrefix: string): Promise<MqttGateways> {
  const gateways = new MqttGateways({ url, stationIds, tokens, ledger, clientIdPrefix });
  await gateways.start();
  return gateways;
}

function drive(gateways: MqttGateways): Promise<void> {
  const driver = new LoadDriver({
    messages: load.messages,
    pathOf: () => 'mqtt',
    gateways: { mqtt: gateways },
    durationMs: PACE_MS,
    windows: { mqtt: 100 },
  });
  driver.start();
  return driver.finished();
}

describe('scale-out on one machine', () => {
  it('two ingest (one share group), two store, two analytics (partitions 0 and 1), two alerts, one api: every reading stored once, every alert and task once, as in one process', async () => {
    // Analytics holds a section's last readings this long before releasing them; both runs use the same value.
    const optionsFile = join(svc.dir, 'analytics-options.yaml');
    writeFileSync(optionsFile, 'reorder:\n  watermarkDelayMs: 20000\n');

    // The reference: every role in one process with its embedded broker (what `riverwatch start` runs).
    const refPrefix = svc.uniqueName('ref');
    const reference = await runRoles(['ingest', 'store', 'analytics', 'alerts'], {
      RW_REDIS_URL: svc.redis.url,
      RW_INFLUX_URL: svc.influx.url,
      RW_MQTT_URL: '',
      RW_MQTT_EMBEDDED_PORT: String(await freePort()),
      RW_REDIS_PREFIX: refPrefix,
      RW_INFLUX_DATABASE: svc.uniqueName('ref'),
      RW_ANALYTICS_OPTIONS_FILE: optionsFile,
      RW_LOG_LEVEL: 'silent',
    });

    // The scaled-out layout, each role its own process against Mosquitto.
    const prefix = svc.uniqueName('rw');
    const database = svc.uniqueName('db');
    const common = {
      RW_REDIS_URL: svc.redis.url,
      RW_INFLUX_URL: svc.influx.url,
      RW_MQTT_URL: svc.mosquitto.url,
      RW_REDIS_PREFIX: prefix,
      RW_INFLUX_DATABASE: database,
      RW_MQTT_CLIENT_ID: svc.uniqueName('ingest'),
      RW_MQTT_SHARE_GROUP: svc.uniqueName('grp'),
      RW_MQTT_CONNECTIONS: '2',
      RW_LOG_PARTITIONS: '2',
      RW_HJ212_PORT: '0',
      RW_ANALYTICS_OPTIONS_FILE: optionsFile,
      RW_LOG_LEVEL: 'info',
    };
    const ports = new Map<string, number>();
    const role = async (name: string, roleName: string, extra: Record<string, string> = {}): Promise<RoleProcess> => {
      const port = await listenPortOutsideEphemeral(new Set(ports.values()));
      ports.set(name, port);
      const env = {
        ...common,
        RW_INSTANCE: name,
        RW_METRICS_PORT: String(port),
        RW_HTTP_PORT: roleName === 'api' ? String(port) : '0',
        ...extra,
      };
      return new RoleProcess({ name, role: roleName, env, logFile: join(svc.dir, `${name}.log`) });
    };
    const processes = [
      await role('ingest-a', 'ingest'),
      await role('ingest-b', 'ingest'),
      await role('store-a', 'store'),
      await role('store-b', 'store'),
      await role('analytics-a', 'analytics', { RW_ANALYTICS_PARTITIONS: '0' }),
      await role('analytics-b', 'analytics', { RW_ANALYTICS_PARTITIONS: '1' }),
      await role('alerts-a', 'alerts'),
      await role('alerts-b', 'alerts'),
      await role('api', 'api'),
    ];
    const metrics = async (name: string): Promise<string> => (await scrape(`http://127.0.0.1:${ports.get(name)}/metrics`)) ?? '';
    const refLedger = new AckLedger();
    const ledger = new AckLedger();
    const gateways: MqttGateways[] = [];
    try {
      await Promise.all(processes.map((p) => p.start()));
      gateways.push(
        await gatewaysTo(reference.ctx.services.mqttUrl as string, refLedger, 'ref-'),
        await gatewaysTo(svc.mosquitto.url, ledger, 'gw-'),
      );
      // The same paced stream into both at once.
      await Promise.all(gateways.map((g) => drive(g)));
      expect(refLedger.ackedCount).toBe(load.readings);
      expect(ledger.ackedCount).toBe(load.readings);

      // Shares: both ingest processes accepted readings, together exactly what was published (split, not duplicated).
      const accepted = async (name: string) =>
        metricSum(await metrics(name), 'riverwatch_readings_accepted_total', { name: 'ingress', value: 'mqtt' });
      await eventually(async () => (await accepted('ingest-a')) + (await accepted('ingest-b')) >= load.readings, 60_000, 250);
      const shareA = await accepted('ingest-a');
      const shareB = await accepted('ingest-b');
      expect(shareA).toBeGreaterThan(load.readings * 0.2);
      expect(shareB).toBeGreaterThan(load.readings * 0.2);
      expect(shareA + shareB).toBe(load.readings);

      await Promise.all([
        eventually(() => drained(refPrefix, 1), 150_000, 500),
        eventually(() => drained(prefix, 2), 150_000, 500),
      ]);

      // Stored exactly once: every acknowledged reading is one point, and no point is unexplained.
      const influx = new InfluxStore({ url: svc.influx.url, api: 'v1', database });
      const comparison = compareWithStore(ledger, await storedReadings(influx, stationIds));
      expect(comparison.lost).toEqual([]);
      expect(comparison.duplicatePoints).toBe(0);
      expect(comparison.strays).toBe(0);
      expect(comparison.storedPoints).toBe(load.readings);
      const written = async (name: string) => metricSum(await metrics(name), 'riverwatch_store_points_written_total');
      const writtenA = await written('store-a');
      const writtenB = await written('store-b');
      expect(writtenA).toBeGreaterThan(0);
      expect(writtenB).toBeGreaterThan(0);

      // Each analytics process read its own partition, only that one, to the end.
      const perPartition = [0, 1].map((p) => load.messages.filter((m) => partitionOf(m.sectionId, 2) === p).length);
      expect(perPartition.every((n) => n > 0)).toBe(true);
      const analyticsGroups = (await readingsLogGroups(redis, prefix, 2)).filter((g) => g.group === 'analytics');
      expect(analyticsGroups.map((g) => g.partition)).toEqual([0, 1]);
      for (const g of analyticsGroups) {
        expect(g.consumers.map((c) => c.name)).toEqual([`analytics-analytics-${g.partition === 0 ? 'a' : 'b'}`]);
        expect(g.entriesRead).toBeGreaterThan(0);
      }

      // One alert per condition, one task per alert, and the same alerts and tasks as the single process.
      const ref = await readAlertsAndTasks(redis, registry, refPrefix);
      const { alerts, tasks } = await readAlertsAndTasks(redis, registry, prefix);
      const findings = checkAlerts(alerts, tasks);
      console.log(
        `scale-out: ${load.readings} readings; ingest shares ${shareA}/${shareB}; store writes ${writtenA}/${writtenB}; ` +
          `analytics partitions ${perPartition.join('/')} readings; alerts ${alerts.length} (reference ${ref.alerts.length}), tasks ${tasks.length} (reference ${ref.tasks.length})`,
      );
      expect(ref.alerts.some((a) => a.kind === 'exceedance' && a.sectionId === 'tp-fenhu')).toBe(true);
      expect(ref.tasks.some((t) => t.sectionId === 'tp-fenhu')).toBe(true);
      expect(findings.overlappingAlerts).toEqual([]);
      expect(findings.reopenedAlerts).toEqual([]);
      expect(findings.duplicateTasks).toEqual([]);
      expect(findings.orphanTasks).toEqual([]);
      expect(alertSignature(alerts)).toEqual(alertSignature(ref.alerts));
      expect(taskSignature(tasks)).toEqual(taskSignature(ref.tasks));

      // The api process answers for the whole deployment.
      expect((await fetch(`http://127.0.0.1:${ports.get('api')}/readyz`)).status).toBe(200);
      for (const p of processes) expect(p.unexpectedExits, `${p.name} exited unexpectedly`).toEqual([]);
    } finally {
      await Promise.all(gateways.map((g) => g.close()));
      await Promise.all(processes.map((p) => p.close()));
      await reference.close();
    }
  }, 175_000);
});

/**
 * A free port below the kernel's ephemeral range (ip_local_port_range starts at
 * 32768 here): a port from freePort() lies inside it, and the Redis and MQTT
 * clients of roles started earlier can take it for an outgoing connection
 * before the role meant to listen on it has started (EADDRINUSE, seen once).
 */
async function listenPortOutsideEphemeral(taken: ReadonlySet<number>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port found below the ephemeral range');
}
