/**
 * Every role through a Sentinel failover (issue 16 §5): ingest, store,
 * analytics and alerts in one process on a master with two replicas and
 * three sentinels, RW_REDIS_WAIT_REPLICAS=1, the simulated spill published
 * over 30 s, kill -9 of the master 10 s in (failover-run.ts). Afterwards:
 * every acknowledged reading in InfluxDB exactly once, one alert per
 * condition, one task per incident, the spill's alerts and tasks there, and
 * every role working again within 10 s of the promotion.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisUnderTest, type RedisUnderTest } from '../../../drill/redis-under-test.js';
import { startServices, type TestServices } from '../../harness/services.js';
import { runThroughFailover } from './failover-run.js';

describe('every role through a Sentinel failover', () => {
  let redis: RedisUnderTest;
  let services: TestServices<{ influx: true }>;
  beforeAll(async () => {
    [redis, services] = await Promise.all([
      startRedisUnderTest('sentinel', mkdtempSync(join(tmpdir(), 'riverwatch-sentinel-roles-'))),
      startServices({ influx: true }),
    ]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([redis?.close(), services?.close()]);
  });

  it('loses and doubles nothing when the master is killed under load, and every role is back within 10 s of the promotion', async () => {
    const result = await runThroughFailover({
      redis,
      services,
      prefix: 'rws',
      partitions: 1,
      killKey: (keys) => keys.readingsPartition(0),
    });
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
  }, 600_000);
});
