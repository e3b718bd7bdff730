/**
 * Every role through a Sentinel failover (issue 16 §5): ingest, store,
 * analytics and alerts in one process on a master with two replicas and
 * three sentinels, RW_REDIS_WAIT_REPLICAS=1, the simulated spill published
 * over 30 s, kill -9 of the master 10 s in (failover-run.ts). Afterwards:
 * every acknowledged reading in InfluxDB exactly once, one alert per
 * condition, one task per incident, the spill's alerts and tasks there, and
 * every role working again within 10 s of the promotion.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { expectNothingLostOrDoubled, runThroughFailover, startFailoverServices } from './failover-run.js';

describe('every role through a Sentinel failover', () => {
  let env: Awaited<ReturnType<typeof startFailoverServices>>;
  beforeAll(async () => {
    env = await startFailoverServices('sentinel');
  }, 120_000);
  afterAll(() => env?.close());

  it('loses and doubles nothing when the master is killed under load, and every role is back within 10 s of the promotion', async () => {
    const result = await runThroughFailover({
      redis: env.redis,
      services: env.services,
      prefix: 'rws',
      partitions: 1,
      killKey: (keys) => keys.readingsPartition(0),
    });
    expectNothingLostOrDoubled(result);
  }, 600_000);
});
