import { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { loadConfig, redisTopology } from '../../../config/index.js';
import { bullmqQueuePrefix, createRedisClient } from '../../../platform/redis/client-factory.js';

const topologyOf = (env: Record<string, string>) => redisTopology(loadConfig(env).redis, 'redis://127.0.0.1:6390');

describe('createRedisClient', () => {
  it('builds a plain client for one server, waiting through reconnects', () => {
    const client = createRedisClient(topologyOf({ RW_REDIS_URL: 'redis://:pw@r1:6379/2' }), 'rw-a', {
      lazyConnect: true,
    }) as Redis;
    expect(client).toBeInstanceOf(Redis);
    expect(client.options).toMatchObject({
      host: 'r1',
      port: 6379,
      db: 2,
      password: 'pw',
      connectionName: 'rw-a',
      maxRetriesPerRequest: null,
    });
    expect(client.options.sentinels).toBeFalsy();
    client.disconnect();
  });

  it('builds a Sentinel client that follows failovers, with passwords and TLS for both sides', () => {
    const topology = topologyOf({
      RW_REDIS_MODE: 'sentinel',
      RW_REDIS_SENTINELS: 's1:26379,s2:26379',
      RW_REDIS_SENTINEL_MASTER: 'rw-main',
      RW_REDIS_SENTINEL_PASSWORD: 'sp',
      RW_REDIS_PASSWORD: 'dp',
      RW_REDIS_TLS: 'true',
    });
    const client = createRedisClient(topology, 'rw-b', { lazyConnect: true }) as Redis;
    expect(client).toBeInstanceOf(Redis);
    expect(client.options).toMatchObject({
      name: 'rw-main',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
      ],
      sentinelPassword: 'sp',
      password: 'dp',
      tls: {},
      enableTLSForSentinelMode: true,
      failoverDetector: true,
      maxRetriesPerRequest: null,
    });
    expect(client.options.reconnectOnError?.(new Error("READONLY You can't write against a read only replica."))).toBe(2);
    expect(client.options.reconnectOnError?.(new Error('ERR wrong number of arguments'))).toBe(false);
    client.disconnect();
  });

  it('builds a Cluster client from seed nodes, every node connection waiting through reconnects', () => {
    const topology = topologyOf({ RW_REDIS_MODE: 'cluster', RW_REDIS_CLUSTER_NODES: 'c1:7000,c2:7001', RW_REDIS_PASSWORD: 'dp' });
    const client = createRedisClient(topology, 'rw-c', { lazyConnect: true }) as Cluster;
    expect(client).toBeInstanceOf(Cluster);
    expect(client.options.redisOptions).toMatchObject({ password: 'dp', connectionName: 'rw-c', maxRetriesPerRequest: null });
    expect(client.options.scaleReads).toBe('master');
    client.disconnect();
  });
});

describe('bullmqQueuePrefix', () => {
  it('keeps the prefix on one server and Sentinel, and makes it a hash tag on a cluster', () => {
    expect(bullmqQueuePrefix(topologyOf({}), 'rwq')).toBe('rwq');
    expect(bullmqQueuePrefix(topologyOf({ RW_REDIS_MODE: 'sentinel', RW_REDIS_SENTINELS: 's:26379' }), 'rwq', 'notify')).toBe(
      'rwq',
    );
    const cluster = topologyOf({ RW_REDIS_MODE: 'cluster', RW_REDIS_CLUSTER_NODES: 'c:7000' });
    expect(bullmqQueuePrefix(cluster, 'rwq')).toBe('{rwq}');
    expect(bullmqQueuePrefix(cluster, 'rwq', 'notify')).toBe('{rwq-notify}');
  });
});
