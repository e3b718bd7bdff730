/**
 * Every role on a Redis Cluster, through the failover of a master (issue 16
 * §3, §5): ingest, store, analytics and alerts in one process, their
 * connections from the client factory on a real 3-master/3-replica cluster,
 * RW_REDIS_WAIT_REPLICAS=1, the readings log in 4 partitions, the simulated
 * spill published over 30 s and kill -9 of the master serving the alerts
 * workflow's slot (alerts, tasks, event log, BullMQ queues) 10 s in
 * (failover-run.ts). The same checks as the scale-out test: every
 * acknowledged reading in InfluxDB once, one alert per condition, one task
 * per incident, the spill's alerts and tasks there; and every role working
 * again within 10 s of the promotion. Also shown: the partitions lie on more
 * than one master.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisKeys } from '../../../platform/redis/keys.js';
import { expectNothingLostOrDoubled, runThroughFailover, startFailoverServices } from './failover-run.js';

const PARTITIONS = 4;

describe('every role on a Redis Cluster, through a failover', () => {
  let env: Awaited<ReturnType<typeof startFailoverServices>>;
  beforeAll(async () => {
    env = await startFailoverServices('cluster');
  }, 120_000);
  afterAll(() => env?.close());

  it('stores every acknowledged reading once and raises the spill’s alerts and tasks once each, across the kill of a master', async () => {
    const result = await runThroughFailover({
      redis: env.redis,
      services: env.services,
      prefix: 'rwc',
      partitions: PARTITIONS,
      killKey: (keys) => keys.eventLog(),
    });
    expectNothingLostOrDoubled(result);
    expect(result.findings.pollutionAlerts).toBeGreaterThan(0);

    // The layout: each partition is a stream of its own slot, and they do not all sit on one master.
    const keys = new RedisKeys('{rwc}');
    const owners = new Set<string>();
    for (let p = 0; p < PARTITIONS; p++) owners.add(await env.redis.masterOf(keys.readingsPartition(p)));
    expect(owners.size).toBeGreaterThan(1);
  }, 600_000);
});
