/**
 * The Redis topology harness (platform/local/redis-topologies.ts) brings up a
 * real Sentinel group and a real Cluster, tells who is master, and cleans up.
 */
import { existsSync } from 'node:fs';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { startClusterTopology, startSentinelTopology } from '../../../platform/local/redis-topologies.js';

describe('Redis topology harness', () => {
  it('starts a master with two replicas and three sentinels, and removes everything on close', async () => {
    const startedAt = performance.now();
    const ha = await startSentinelTopology({ replicas: 2, sentinels: 3 });
    console.log(`sentinel topology up in ${Math.round(performance.now() - startedAt)} ms (${ha.dir})`);
    try {
      expect(ha.dataNodes).toHaveLength(3);
      expect(ha.sentinels).toHaveLength(3);
      for (const node of [...ha.dataNodes, ...ha.sentinels]) expect(node.port).toBeLessThan(32768);
      const master = await ha.currentMaster();
      expect(master.name).toBe('master');
      const redis = new Redis({ port: master.port, lazyConnect: true });
      await redis.connect();
      const info = await redis.info('replication');
      redis.disconnect();
      expect(info).toContain('connected_slaves:2');
      expect(ha.env.RW_REDIS_SENTINELS?.split(',')).toHaveLength(3);
    } finally {
      await ha.close();
    }
    expect(existsSync(ha.dir)).toBe(false);
    for (const node of [...ha.dataNodes, ...ha.sentinels]) expect(node.running).toBe(false);
  });

  it('starts a 3-master/3-replica cluster with every slot served', async () => {
    const startedAt = performance.now();
    const cluster = await startClusterTopology({ masters: 3, replicasPerMaster: 1 });
    console.log(`cluster topology up in ${Math.round(performance.now() - startedAt)} ms (${cluster.dir})`);
    try {
      expect(cluster.nodes).toHaveLength(6);
      for (const node of cluster.nodes) expect(node.port + 10_000).toBeLessThan(32768);
      expect(await cluster.masters()).toHaveLength(3);
      const owner = await cluster.masterFor('{rw}:probe');
      expect((await cluster.masters()).includes(owner)).toBe(true);
    } finally {
      await cluster.close();
    }
    expect(existsSync(cluster.dir)).toBe(false);
  });
});
