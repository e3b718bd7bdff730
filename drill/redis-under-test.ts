/**
 * The Redis the drill's roles run on (`--redis`, issue 16): one redis-server
 * (AOF, the shipped single mode, stopped and started as a fault), a master
 * with two replicas and three sentinels, or a 3-master/3-replica Cluster.
 * With Sentinel or Cluster the roles run with RW_REDIS_WAIT_REPLICAS=1
 * ("acknowledged means replicated"), and the fault is a kill -9 of a master:
 * the drill measures until a replica is promoted, restarts the killed node as
 * a supervisor would (it rejoins as a replica) and times the roles from the
 * promotion.
 */
import { join } from 'node:path';
import { loadConfig, redisTopology } from '../config/index.js';
import {
  startClusterTopology,
  startSentinelTopology,
  type ClusterTopology,
  type RedisNode,
  type SentinelTopology,
} from '../platform/local/redis-topologies.js';
import { startRedis, type LocalService } from '../platform/local/services.js';
import { createRedisClient } from '../platform/redis/client-factory.js';
import type { Redis } from '../platform/redis/client.js';

export const DRILL_REDIS_MODES = ['single', 'sentinel', 'cluster'] as const;
export type DrillRedisMode = (typeof DRILL_REDIS_MODES)[number];

/** What a kill -9 of a master showed. */
export interface MasterKill {
  readonly former: string;
  readonly successor: string;
  readonly killedAt: number;
  /** When a replica answered as the new master (Sentinel: every sentinel agreeing; Cluster: the slot served). */
  readonly promotedAt: number;
  /** Restarts the killed node (it rejoins as a replica) and waits until the topology is whole again. */
  rejoin(): Promise<void>;
}

export interface RedisUnderTest {
  readonly mode: DrillRedisMode;
  /** Redis settings for every role: RW_REDIS_URL, or the topology's, with RW_REDIS_WAIT_REPLICAS. */
  readonly env: Readonly<Record<string, string>>;
  /** The one server in single mode (stopped and started as a fault); undefined otherwise. */
  readonly single: LocalService | undefined;
  /** One line for the log: where it runs. */
  readonly description: string;
  /** A connection for inspection that fails fast while its node is down and follows failovers. */
  probe(name: string): Redis;
  /** Name of the node serving `key` as master now (the one server in single mode). */
  masterOf(key: string): Promise<string>;
  /** kill -9 of the master (on a Cluster the one serving `key`'s slot); resolves at the promotion. */
  killMaster(key: string): Promise<MasterKill>;
  close(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function startRedisUnderTest(mode: DrillRedisMode, dir: string): Promise<RedisUnderTest> {
  if (mode === 'single') {
    const single = await startRedis({ dir: join(dir, 'redis'), appendOnly: true, appendFsync: 'everysec' });
    return {
      mode,
      env: { RW_REDIS_URL: single.url },
      single,
      description: `redis ${single.url}`,
      probe: (name) => probeClient({ RW_REDIS_URL: single.url }, name),
      masterOf: async () => 'redis',
      killMaster: () => Promise.reject(new Error('single mode has no replica to promote')),
      close: () => single.close(),
    };
  }
  if (mode === 'sentinel') {
    const ha = await startSentinelTopology({ dir: join(dir, 'redis'), replicas: 2, sentinels: 3 });
    return haUnderTest(mode, ha.env, `sentinel ${ha.sentinels.map((s) => s.address).join(',')} (master + 2 replicas)`, ha, {
      masterOf: () => ha.currentMaster(),
      promoted: async (former) => (await ha.waitForFailover(former, 30_000)).master,
    });
  }
  const cluster = await startClusterTopology({ dir: join(dir, 'redis'), masters: 3, replicasPerMaster: 1 });
  return haUnderTest(mode, cluster.env, `cluster ${cluster.nodes.map((n) => n.address).join(',')} (3 masters + 3 replicas)`, cluster, {
    masterOf: (key) => cluster.masterFor(key),
    promoted: async (former, key) => {
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        const now = await cluster.masterFor(key).catch(() => undefined);
        if (now && now !== former) return now;
        await sleep(50);
      }
      throw new Error(`no replica took over the slot of ${key} within 30 s`);
    },
  });
}

function haUnderTest(
  mode: 'sentinel' | 'cluster',
  topologyEnv: Readonly<Record<string, string>>,
  description: string,
  topology: SentinelTopology | ClusterTopology,
  find: { masterOf(key: string): Promise<RedisNode>; promoted(former: RedisNode, key: string): Promise<RedisNode> },
): RedisUnderTest {
  return {
    mode,
    env: { ...topologyEnv, RW_REDIS_WAIT_REPLICAS: '1' },
    single: undefined,
    description,
    probe: (name) => probeClient(topologyEnv, name),
    masterOf: async (key) => (await find.masterOf(key)).name,
    async killMaster(key) {
      const former = await find.masterOf(key);
      await former.kill();
      const killedAt = Date.now();
      const successor = await find.promoted(former, key);
      return {
        former: former.name,
        successor: successor.name,
        killedAt,
        promotedAt: Date.now(),
        rejoin: async () => {
          await former.restart();
          await topology.waitUntilReady(60_000);
        },
      };
    },
    close: () => topology.close(),
  };
}

function probeClient(env: Readonly<Record<string, string>>, name: string): Redis {
  const client = createRedisClient(redisTopology(loadConfig(env).redis), name, { maxRetriesPerRequest: 0, connectTimeoutMs: 1000 });
  client.on('error', () => undefined);
  return client;
}
