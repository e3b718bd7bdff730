/**
 * Every role on a Redis Cluster (issue 16 §3): ingest, store, analytics and
 * alerts in one process, their Redis connections from the client factory on a
 * real 3-master/3-replica cluster, the readings log in 4 partitions, and the
 * simulated Taipu spill (every station of the sample registry, two days, seed
 * 7) published through the embedded broker. The same checks as the scale-out
 * test: every acknowledged reading is in InfluxDB exactly once, one alert per
 * condition, one task per incident, the spill's expected alerts and tasks are
 * there. Also shown: the workflow's keys share one slot and the partitions
 * lie on more than one master.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadRegistryFile } from '../../../config/index.js';
import { referenceRun } from '../../../drill/reference-run.js';
import { generateSpillLoad } from '../../../drill/spill-load.js';
import { checkAlerts, compareWithStore, spillExpectations, storedReadings } from '../../../drill/verify.js';
import { startClusterTopology, type ClusterTopology } from '../../../platform/local/redis-topologies.js';
import { InfluxStore } from '../../../platform/influx/client.js';
import { RedisKeys } from '../../../platform/redis/keys.js';
import { startServices, type TestServices } from '../../harness/services.js';

const registry = loadRegistryFile('config/registry.yaml');
const tokens = parseYaml(readFileSync('config/sample-station-secrets.yaml', 'utf8')) as Record<string, string>;
const PARTITIONS = 4;

describe('every role on a Redis Cluster', () => {
  let cluster: ClusterTopology;
  let services: TestServices<{ influx: true }>;
  beforeAll(async () => {
    [cluster, services] = await Promise.all([startClusterTopology({ masters: 3, replicasPerMaster: 1 }), startServices({ influx: true })]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([cluster?.close(), services?.close()]);
  });

  it('stores every acknowledged reading once and raises the spill’s alerts and tasks once each', async () => {
    const load = generateSpillLoad({ registry, endMs: Date.now() - 60_000 });
    const optionsFile = join(services.dir, 'analytics-options.yaml');
    writeFileSync(optionsFile, 'reorder:\n  watermarkDelayMs: 5000\n');
    const database = services.uniqueName('cluster');
    const started = performance.now();
    const run = await referenceRun({
      registry,
      messages: load.messages,
      tokens,
      redisUrl: '',
      redisEnv: cluster.env,
      partitions: PARTITIONS,
      // The last readings would wait out the default 60 s reorder hold before they are analysed and acknowledged.
      analyticsOptionsFile: optionsFile,
      influxUrl: services.influx.url,
      prefix: 'rwc',
      database,
    });
    const ms = performance.now() - started;

    const influx = new InfluxStore({ url: services.influx.url, api: 'v1', database });
    const comparison = compareWithStore(run.ledger, await storedReadings(influx, [...registry.stations.keys()]));
    const findings = checkAlerts(run.alerts, run.tasks);
    const expectations = spillExpectations(run.alerts, run.tasks, registry);
    console.log(
      `cluster roles: ${load.readings} readings in ${Math.round(ms / 1000)} s; ${comparison.acked} acknowledged, ${comparison.lost.length} lost, ` +
        `${comparison.duplicatePoints} duplicated; ${run.alerts.length} alerts, ${run.tasks.length} tasks; expectations: ` +
        expectations.map((e) => `${e.name} ${e.ok ? 'ok' : 'MISSING'}`).join(', '),
    );
    expect(comparison.acked).toBe(load.readings);
    expect(comparison.lost).toEqual([]);
    expect(comparison.duplicatePoints).toBe(0);
    expect(comparison.strays).toBe(0);
    expect(findings.overlappingAlerts).toEqual([]);
    expect(findings.reopenedAlerts).toEqual([]);
    expect(findings.duplicateTasks).toEqual([]);
    expect(findings.orphanTasks).toEqual([]);
    expect(findings.pollutionAlerts).toBeGreaterThan(0);
    expect(expectations.filter((e) => !e.ok)).toEqual([]);

    // The layout: each partition is a stream of its own slot, and they do not all sit on one master.
    const keys = new RedisKeys('{rwc}');
    const owners = new Set<string>();
    for (let p = 0; p < PARTITIONS; p++) owners.add((await cluster.masterFor(keys.readingsPartition(p))).name);
    expect(owners.size).toBeGreaterThan(1);
  }, 600_000);
});
