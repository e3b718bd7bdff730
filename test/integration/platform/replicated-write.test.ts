/**
 * "Acknowledged means replicated" (platform/redis/replicated-write.ts) on a
 * real master with two replicas and three sentinels: what WAIT costs, the
 * back-pressure answer when no replica confirms, and no acknowledged append
 * lost when the master is killed with SIGKILL (issue 16).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../domain/index.js';
import { loadConfig, redisTopology } from '../../../config/index.js';
import {
  startClusterTopology,
  startSentinelTopology,
  type ClusterTopology,
  type RedisNode,
  type SentinelTopology,
} from '../../../platform/local/redis-topologies.js';
import { createRedisClient, type Redis } from '../../../platform/redis/client-factory.js';
import { transact } from '../../../platform/redis/compare-and-set.js';
import { writeReplicated, type ReplicationPolicy } from '../../../platform/redis/replicated-write.js';
import { Writer } from './acked-writer.js';

const POLICY: ReplicationPolicy = { replicas: 1, timeoutMs: 500 };

describe('writeReplicated on a Sentinel group', () => {
  let ha: SentinelTopology;
  let client: Redis;
  beforeAll(async () => {
    ha = await startSentinelTopology({ replicas: 2, sentinels: 3 });
    const topology = redisTopology(loadConfig(ha.env).redis);
    if (topology.kind !== 'sentinel') throw new Error('expected a sentinel topology');
    client = createRedisClient(topology, 'rw-test-replicated');
    client.on('error', () => undefined);
  });
  afterAll(async () => {
    client?.disconnect();
    await ha?.close();
  });

  it('confirms an append held by a replica; prints what WAIT costs per append', async () => {
    const done = await writeReplicated(client, POLICY, (p) => p.xadd('rw:wait:log', '*', 'b', 'first'));
    expect(done.replicas).toBeGreaterThanOrEqual(1);
    expect(done.results).toHaveLength(1);
    expect(String(done.results[0])).toMatch(/^\d+-\d+$/);

    const rounds = 500;
    const plain = await timed(rounds, () => client.xadd('rw:wait:plain', '*', 'b', 'x'));
    const waited = await timed(rounds, () => writeReplicated(client, POLICY, (p) => p.xadd('rw:wait:log', '*', 'b', 'x')));
    console.log(
      `append latency over ${rounds} sequential appends: plain XADD p50 ${plain.p50} ms / p99 ${plain.p99} ms; ` +
        `XADD + WAIT 1 in one pipeline p50 ${waited.p50} ms / p99 ${waited.p99} ms`,
    );
    const none = await writeReplicated(client, { replicas: 0, timeoutMs: 500 }, (p) => p.incr('rw:wait:none'));
    expect(none).toMatchObject({ results: [1], replicas: undefined });
  });

  it('refuses with RW_NOT_REPLICATED when no replica confirms within the timeout, and recovers', async () => {
    const master = await ha.currentMaster();
    const replicas = ha.dataNodes.filter((n) => n !== master);
    // Frozen replicas keep their links open but confirm nothing: the master cannot tell them from slow ones.
    await Promise.all(replicas.map((r) => r.kill('SIGSTOP')));
    try {
      const startedAt = performance.now();
      const refusal = await writeReplicated(client, { replicas: 1, timeoutMs: 300 }, (p) =>
        p.xadd('rw:wait:log', '*', 'b', 'lonely'),
      ).catch((err: unknown) => err);
      const waitedMs = Math.round(performance.now() - startedAt);
      console.log(
        `no replica answering: refused after ${waitedMs} ms with ${(refusal as AppError).code}: ${(refusal as Error).message}`,
      );
      expect(refusal).toBeInstanceOf(AppError);
      expect((refusal as AppError).code).toBe('RW_NOT_REPLICATED');
      expect(waitedMs).toBeGreaterThanOrEqual(250);

      // An alert or task change (compare-and-set script) is refused the same way: applied on the master, not counted as done.
      const change = await transact(client, ['rw:wait:alert'], () => ({ commands: [['INCR', 'rw:wait:alert-count']], result: 'done' }), {
        replication: { replicas: 1, timeoutMs: 300 },
      }).catch((err: unknown) => err);
      expect((change as AppError).code, `the change came back as ${String(change)}`).toBe('RW_NOT_REPLICATED');
    } finally {
      await Promise.all(replicas.map((r) => r.kill('SIGCONT')));
    }
    await expect(writeReplicated(client, POLICY, (p) => p.xadd('rw:wait:log', '*', 'b', 'again'))).resolves.toMatchObject({
      replicas: expect.any(Number),
    });
    // The retry of the refused change finds its guard key as it left it and applies the change once more on top.
    const retried = await transact(client, ['rw:wait:alert'], () => ({ commands: [['SET', 'rw:wait:alert', 'v2']], result: 'ok' }), {
      replication: POLICY,
    });
    expect(retried).toBe('ok');
    expect(await client.get('rw:wait:alert')).toBe('v2');
    const rounds = 200;
    const waitedChange = await timed(rounds, () =>
      transact(client, ['rw:wait:cas'], () => ({ commands: [['INCR', 'rw:wait:cas-n']], result: 1 }), { replication: POLICY }),
    );
    console.log(`alert/task change (compare-and-set script + WAIT 1) over ${rounds}: p50 ${waitedChange.p50} ms / p99 ${waitedChange.p99} ms`);
  });

  it('loses no confirmed append when the master is killed with SIGKILL', async () => {
    await ha.waitUntilReady(30_000);
    const key = 'rw:wait:failover';
    const writer = new Writer(client, key, (c, k, v) => writeReplicated(c, POLICY, (p) => p.rpush(k, v)));
    const running = writer.run();
    await writer.until(200);
    const former = await ha.currentMaster();
    await former.kill();
    const killedAt = performance.now();
    const { master, waitedMs } = await ha.waitForFailover(former);
    const firstAfter = await writer.firstSuccessAfter(killedAt, waitedMs + 15_000);
    await writer.until(writer.acked.length + 200);
    writer.stop();
    await running;

    const report = writer.compare((await client.lrange(key, 0, -1)).map(Number));
    console.log(
      `sentinel failover with WAIT 1: ${former.name} killed, ${master.name} promoted after ${waitedMs} ms, first confirmed append ${Math.round(firstAfter - killedAt)} ms after the kill; ` +
        `${report.acked} confirmed, ${report.missing} missing, ${report.doubled} stored twice; ${writer.refused} appends refused and retried (${writer.describeRefusals()})`,
    );
    expect(report.missing).toBe(0);
  });
});

describe('writeReplicated on a Redis Cluster', () => {
  let cluster: ClusterTopology;
  beforeAll(async () => {
    cluster = await startClusterTopology({ masters: 3, replicasPerMaster: 1 });
  });
  afterAll(() => cluster?.close());

  it("sends WAIT to the slot's master and loses no confirmed append when that master is killed with SIGKILL", async () => {
    const topology = redisTopology(loadConfig(cluster.env).redis);
    if (topology.kind !== 'cluster') throw new Error('expected a cluster topology');
    const client = createRedisClient(topology, 'rw-test-replicated-cluster');
    client.on('error', () => undefined);
    try {
      // Three slots on (most likely) different masters: each WAIT must reach the master that took the write.
      for (const key of ['{rw:a}:log', '{rw:b}:log', '{rw:c}:log']) {
        await expect(writeReplicated(client, POLICY, (p) => p.xadd(key, '*', 'b', 'x'))).resolves.toMatchObject({ replicas: 1 });
      }
      const key = '{rw:wait}:failover';
      const writer = new Writer(client, key, (c, k, v) => writeReplicated(c, POLICY, (p) => p.rpush(k, v)));
      const running = writer.run();
      await writer.until(200);
      const former = await cluster.masterFor(key);
      await former.kill();
      const killedAt = performance.now();
      let successor: RedisNode | undefined;
      while (!successor || successor === former) {
        expect(performance.now() - killedAt).toBeLessThan(30_000);
        successor = await cluster.masterFor(key).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 50));
      }
      const promotedMs = Math.round(performance.now() - killedAt);
      // The promoted replica has no replica of its own: WAIT 1 refuses every append to its slots until one is back.
      // Here the killed node restarts and rejoins as its replica (as a supervisor would restart it).
      await former.restart();
      const rejoinedMs = Math.round(performance.now() - killedAt);
      const firstAfter = await writer.firstSuccessAfter(killedAt, rejoinedMs + 15_000);
      await writer.until(writer.acked.length + 200);
      writer.stop();
      await running;

      const report = writer.compare((await client.lrange(key, 0, -1)).map(Number));
      console.log(
        `cluster failover with WAIT 1: ${former.name} killed, ${successor.name} serves the slot after ${promotedMs} ms, ${former.name} restarted by ${rejoinedMs} ms, first confirmed append ${Math.round(firstAfter - killedAt)} ms after the kill; ` +
          `${report.acked} confirmed, ${report.missing} missing, ${report.doubled} stored twice; ${writer.refused} appends refused and retried (${writer.describeRefusals()})`,
      );
      expect(report.missing).toBe(0);
    } finally {
      client.disconnect();
    }
  });
});

async function timed(rounds: number, run: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const startedAt = performance.now();
    await run();
    samples.push(performance.now() - startedAt);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number): number =>
    Math.round((samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0) * 100) / 100;
  return { p50: at(0.5), p99: at(0.99) };
}
