/**
 * The whole pipeline through a Redis failover (issue 16 §5): every role
 * (ingest, store, analytics, alerts) in one process on a Sentinel group or a
 * Cluster with RW_REDIS_WAIT_REPLICAS=1, the simulated Taipu spill (every
 * station of the sample registry, two days, seed 7) published through the
 * embedded broker over `loadMs` of wall time, and kill -9 of a master
 * `killAfterMs` into it. The killed node is restarted at once (it rejoins as
 * a replica). Returns what the checks need: acknowledged against stored,
 * alerts and tasks, the spill's expectations, and per role the time from the
 * promotion to its first work.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadRegistryFile } from '../../../config/index.js';
import { ProgressProbe, redisSideTargets, type ProbeTarget } from '../../../drill/progress-probe.js';
import { startRedisUnderTest, type DrillRedisMode, type MasterKill, type RedisUnderTest } from '../../../drill/redis-under-test.js';
import { referenceRun } from '../../../drill/reference-run.js';
import { generateSpillLoad } from '../../../drill/spill-load.js';
import { checkAlerts, compareWithStore, metricSum, spillExpectations, storedReadings } from '../../../drill/verify.js';
import { InfluxStore } from '../../../platform/influx/client.js';
import { RedisKeys } from '../../../platform/redis/keys.js';
import { startServices, type TestServices } from '../../harness/services.js';

const registry = loadRegistryFile('config/registry.yaml');
const tokens = parseYaml(readFileSync('config/sample-station-secrets.yaml', 'utf8')) as Record<string, string>;
const ROLES = ['ingest', 'store', 'analytics', 'alerts'] as const;

export interface FailoverRunOptions {
  readonly redis: RedisUnderTest;
  readonly services: TestServices<{ influx: true }>;
  readonly prefix: string;
  readonly partitions: number;
  /** The key whose master is killed (on a Cluster: that slot's master). */
  readonly killKey: (keys: RedisKeys) => string;
  /** @defaultValue 10000 */
  readonly killAfterMs?: number;
  /** @defaultValue 30000 */
  readonly loadMs?: number;
}

export async function runThroughFailover(options: FailoverRunOptions) {
  const { services } = options;
  const load = generateSpillLoad({ registry, endMs: Date.now() - 60_000 });
  const optionsFile = join(services.dir, `analytics-options-${options.prefix}.yaml`);
  // The last readings would wait out the default 60 s reorder hold before they are analysed and acknowledged.
  writeFileSync(optionsFile, 'reorder:\n  watermarkDelayMs: 5000\n');
  const database = services.uniqueName(options.prefix);
  let kill: MasterKill | undefined;
  let killedKey = '';
  const recoveryMs: Record<string, number | null> = {};
  const rejoinNotes: string[] = [];
  const run = await referenceRun({
    registry,
    messages: load.messages,
    tokens,
    redisUrl: '',
    redisEnv: options.redis.env,
    partitions: options.partitions,
    analyticsOptionsFile: optionsFile,
    influxUrl: services.influx.url,
    prefix: options.prefix,
    database,
    loadDurationMs: options.loadMs ?? 30_000,
    during: async ({ ctx, prefix }) => {
      const counter = (name: string, metric: string, label?: { name: string; value: string }): ProbeTarget => ({
        name,
        read: async () => ({ epoch: 'process', value: metricSum(await ctx.metrics.metrics(), metric, label) }),
      });
      const probe = new ProgressProbe(
        [
          counter('ingest', 'riverwatch_readings_accepted_total', { name: 'ingress', value: 'mqtt' }),
          counter('store', 'riverwatch_store_points_written_total'),
          ...redisSideTargets(ctx.redis('failover-probe'), prefix, options.partitions),
        ],
        100,
      );
      probe.start();
      try {
        await new Promise((r) => setTimeout(r, options.killAfterMs ?? 10_000));
        killedKey = options.killKey(new RedisKeys(prefix));
        kill = await options.redis.killMaster(killedKey);
        const promotedAt = kill.promotedAt;
        const rejoined = kill.rejoin().then(
          () => rejoinNotes.push(`back as a replica ${Date.now() - (kill?.killedAt ?? 0)} ms after the kill`),
          (err: unknown) => rejoinNotes.push(`did not rejoin: ${(err as Error).message}`),
        );
        await Promise.all(
          ROLES.map(async (role) => {
            const at = await probe.waitForProgress(role, promotedAt, 30_000);
            recoveryMs[role] = at === undefined ? null : at - promotedAt;
          }),
        );
        await rejoined;
      } finally {
        await probe.close();
      }
    },
  });
  const influx = new InfluxStore({ url: services.influx.url, api: 'v1', database });
  const comparison = compareWithStore(run.ledger, await storedReadings(influx, [...registry.stations.keys()]));
  if (!kill) throw new Error('the master was not killed: the load ended first');
  const summary =
    `${options.redis.mode}: ${load.readings} readings over ${(options.loadMs ?? 30_000) / 1000} s; kill -9 of ${kill.former} (master of ${killedKey}), ` +
    `${kill.successor} promoted ${kill.promotedAt - kill.killedAt} ms later, ${kill.former} ${rejoinNotes.join('; ')}; ` +
    `roles working again after the promotion: ${ROLES.map((r) => `${r} ${recoveryMs[r] === null ? 'never' : `${recoveryMs[r]} ms`}`).join(', ')}; ` +
    `${comparison.acked} acknowledged, ${comparison.lost.length} lost, ${comparison.duplicatePoints} duplicated; ${run.alerts.length} alerts, ${run.tasks.length} tasks`;
  return {
    readings: load.readings,
    comparison,
    findings: checkAlerts(run.alerts, run.tasks),
    expectations: spillExpectations(run.alerts, run.tasks, registry),
    recoveryMs,
    summary,
  };
}

/** The topology and an InfluxDB for one failover test, started side by side. */
export async function startFailoverServices(
  mode: Exclude<DrillRedisMode, 'single'>,
): Promise<{ redis: RedisUnderTest; services: TestServices<{ influx: true }>; close(): Promise<void> }> {
  const [redis, services] = await Promise.all([
    startRedisUnderTest(mode, mkdtempSync(join(tmpdir(), `riverwatch-${mode}-roles-`))),
    startServices({ influx: true }),
  ]);
  return { redis, services, close: async () => void (await Promise.all([redis.close(), services.close()])) };
}

/** The checks of a run through a failover: every acknowledged reading stored once, nothing doubled, every role back within 10 s. */
export function expectNothingLostOrDoubled(result: Awaited<ReturnType<typeof runThroughFailover>>): void {
  console.log(`whole pipeline through a failover, ${result.summary}`);
  expect(result.comparison.acked).toBe(result.readings);
  expect(result.comparison.lost).toEqual([]);
  expect(result.comparison.duplicatePoints).toBe(0);
  expect(result.comparison.strays).toBe(0);
  expect(result.findings.overlappingAlerts).toEqual([]);
  expect(result.findings.reopenedAlerts).toEqual([]);
  expect(result.findings.duplicateTasks).toEqual([]);
  expect(result.findings.orphanTasks).toEqual([]);
  expect(result.expectations.filter((e) => !e.ok)).toEqual([]);
  for (const ms of Object.values(result.recoveryMs)) {
    expect(ms).not.toBeNull();
    expect(ms).toBeLessThanOrEqual(10_000);
  }
}
