/**
 * RiverWatch's own composition (loadConfig → createContext) on a Sentinel
 * group: readings submitted through the ingest gateway keep being appended to
 * the readings log after kill -9 of the Redis master (issue 16). Without WAIT
 * an answered append can still be lost with the master; the figure is printed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../../bin/context.js';
import { Lifecycle } from '../../../bin/lifecycle.js';
import { loadConfig } from '../../../config/index.js';
import { startSentinelTopology, type SentinelTopology } from '../../../platform/local/redis-topologies.js';
import { silentLogger } from '../../../platform/logger.js';
import { RedisKeys } from '../../../platform/redis/keys.js';

describe('roles on a Sentinel group', () => {
  let ha: SentinelTopology;
  beforeAll(async () => {
    // Two replicas: after a promotion the new master still has one to confirm WAIT 1.
    ha = await startSentinelTopology({ replicas: 2, sentinels: 3 });
  });
  afterAll(() => ha?.close());

  // Without WAIT an answered append can be lost with the master (seen: 39 of them once); with RW_REDIS_WAIT_REPLICAS=1 none may be.
  it.each([0, 1])('with RW_REDIS_WAIT_REPLICAS=%i the ingest gateway keeps appending after kill -9 of the master', async (waitReplicas) => {
    const prefix = `rwha${waitReplicas}`;
    const config = loadConfig({ ...ha.env, RW_REDIS_PREFIX: prefix, RW_REDIS_WAIT_REPLICAS: String(waitReplicas), RW_LOG_LEVEL: 'silent' });
    const lifecycle = new Lifecycle(silentLogger());
    try {
      const ctx = await createContext(config, silentLogger(), lifecycle, { redis: true });
      expect(ctx.services.redisUrl).toMatch(/^redis-sentinel:\/\//);
      const gateway = await ctx.gateway();
      const baseTs = Date.now() - 3_600_000;
      const accepted: { ts: number; issuedAtMs: number; atMs: number }[] = [];
      let refused = 0;
      let stopped = false;
      const submitter = (async () => {
        for (let i = 0; !stopped; i++) {
          const payload = { stationId: 'TP-GATE-01', ts: baseTs + i * 100, values: { ph: 7.1 } };
          const issuedAtMs = performance.now();
          const result = await gateway
            .submit({ source: 'http', payload, raw: JSON.stringify(payload), authStationId: 'TP-GATE-01', peer: '127.0.0.1' })
            .catch(() => undefined);
          if (result?.accepted === 1) accepted.push({ ts: payload.ts, issuedAtMs, atMs: performance.now() });
          else refused++;
        }
      })();
      const until = async (check: () => boolean, what: string, timeoutMs: number): Promise<void> => {
        const deadline = performance.now() + timeoutMs;
        while (!check()) {
          if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
          await new Promise((r) => setTimeout(r, 10));
        }
      };
      await until(() => accepted.length >= 200, '200 accepted readings', 30_000);
      const former = await ha.currentMaster();
      await former.kill();
      const killedAt = performance.now();
      const { waitedMs } = await ha.waitForFailover(former);
      await until(() => accepted.some((a) => a.issuedAtMs > killedAt), 'a reading accepted after the kill', waitedMs + 15_000);
      const firstAfter = accepted.find((a) => a.issuedAtMs > killedAt)?.atMs ?? Number.NaN;
      const target = accepted.length + 200;
      await until(() => accepted.length >= target, '200 more accepted readings', 30_000);
      stopped = true;
      await submitter;

      const redis = ctx.redis('check');
      const entries = await redis.xrange(new RedisKeys(prefix).readingsPartition(0), '-', '+');
      const stored = new Set<number>();
      for (const [, fields] of entries) {
        for (const reading of JSON.parse(fields[1] ?? '[]') as { ts: number }[]) stored.add(reading.ts);
      }
      const missing = accepted.filter((a) => !stored.has(a.ts)).length;
      console.log(
        `gateway on sentinel, WAIT ${waitReplicas}: master killed, promotion seen after ${waitedMs} ms, first reading accepted ${Math.round(firstAfter - killedAt)} ms after the kill; ` +
          `${accepted.length} accepted, ${missing} missing from the readings log, ${refused} submissions refused or failed`,
      );
      expect(firstAfter - killedAt - waitedMs).toBeLessThanOrEqual(10_000);
      if (waitReplicas > 0) expect(missing).toBe(0);
      // The killed master comes back as a replica, so the next case starts with two again.
      await former.restart();
      await ha.waitUntilReady(30_000);
    } finally {
      await lifecycle.close();
    }
  });
});
