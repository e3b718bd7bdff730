/**
 * The one place Redis clients are built from the settings (issue 16): a plain
 * ioredis `Redis` for one server, a `Redis` that finds its master through the
 * sentinels (and follows failovers), or a `Cluster`. Every client is built for
 * the hot path: commands wait through a reconnect or failover instead of
 * failing (`maxRetriesPerRequest: null`, offline queue on), which is also
 * what BullMQ requires of a connection it blocks on.
 */
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { RedisTopology } from '../../config/redis-topology.js';
import { reconnectAfterUnexpectedEnd } from './client.js';

export type { Cluster, Redis };

/** What the factory returns; `Redis` for single and Sentinel, `Cluster` for Cluster. */
export type RedisClient = Redis | Cluster;

/** Overrides for one client; applied to every node of a cluster. */
export interface RedisClientOverrides {
  /** `null` (default) = a command waits through reconnects; a number fails it after that many reconnect attempts. */
  readonly maxRetriesPerRequest?: number | null;
  /** @defaultValue false */
  readonly lazyConnect?: boolean;
  /** @defaultValue 10000 */
  readonly connectTimeoutMs?: number;
}

/** Reconnect delays: quick at first (a failover takes seconds), at most a second apart, never giving up. */
const reconnectDelayMs = (attempt: number): number => Math.min(100 * attempt, 1000);

/**
 * A client for `topology`, named `name` in `CLIENT LIST`. Sentinel: asks the
 * sentinels for the master, follows `+switch-master` (failover detector) and
 * reconnects when a node it reaches has become a replica (`READONLY`).
 * Cluster: follows MOVED/ASK and slot changes after a failover.
 */
export function createRedisClient(
  topology: RedisTopology & { kind: 'cluster' },
  name: string,
  overrides?: RedisClientOverrides,
): Cluster;
export function createRedisClient(
  topology: RedisTopology & { kind: 'single' | 'sentinel' },
  name: string,
  overrides?: RedisClientOverrides,
): Redis;
export function createRedisClient(topology: RedisTopology, name: string, overrides?: RedisClientOverrides): RedisClient;
export function createRedisClient(topology: RedisTopology, name: string, overrides: RedisClientOverrides = {}): RedisClient {
  const node: RedisOptions = {
    connectionName: name,
    maxRetriesPerRequest: overrides.maxRetriesPerRequest === undefined ? null : overrides.maxRetriesPerRequest,
    enableReadyCheck: true,
    enableOfflineQueue: true,
    connectTimeout: overrides.connectTimeoutMs ?? 10_000,
    ...(topology.username ? { username: topology.username } : {}),
    ...(topology.password ? { password: topology.password } : {}),
    ...(topology.tls ? { tls: {} } : {}),
  };
  const lazyConnect = overrides.lazyConnect ?? false;
  switch (topology.kind) {
    case 'single':
      return new Redis(topology.url, { ...node, lazyConnect, retryStrategy: reconnectDelayMs });
    case 'sentinel':
      return reconnectAfterUnexpectedEnd(new Redis({
        ...node,
        lazyConnect,
        name: topology.masterName,
        sentinels: topology.sentinels.map((s) => ({ host: s.host, port: s.port })),
        ...(topology.sentinelUsername ? { sentinelUsername: topology.sentinelUsername } : {}),
        ...(topology.sentinelPassword ? { sentinelPassword: topology.sentinelPassword } : {}),
        ...(topology.tls ? { enableTLSForSentinelMode: true, sentinelTLS: {} } : {}),
        retryStrategy: reconnectDelayMs,
        // All sentinels unreachable: keep asking (the default gives up after a while too, but reports nothing in between).
        sentinelRetryStrategy: reconnectDelayMs,
        // Subscribes to +switch-master on the sentinels: reconnects at the promotion instead of at the next socket error.
        failoverDetector: true,
        // A former master that came back is a replica now: writes there answer READONLY; reconnect and resend.
        reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 2 : false),
      }));
    case 'cluster': {
      const options: ClusterOptions = {
        lazyConnect,
        enableReadyCheck: true,
        enableOfflineQueue: true,
        scaleReads: 'master',
        clusterRetryStrategy: reconnectDelayMs,
        // While a replica takes over a failed master the slot answers CLUSTERDOWN / TRYAGAIN or its node is gone;
        // ioredis retries after these delays, up to maxRedirections times (64 × 250 ms ≈ 16 s, past the default node timeout of 15 s).
        retryDelayOnFailover: 250,
        retryDelayOnClusterDown: 250,
        retryDelayOnTryAgain: 250,
        maxRedirections: 64,
        redisOptions: node,
      };
      return new Cluster(
        topology.nodes.map((n) => ({ host: n.host, port: n.port })),
        options,
      );
    }
  }
}

/**
 * The BullMQ queue prefix for `prefix` on this topology. On a cluster every
 * key of a queue must share one slot, so the prefix becomes a hash tag
 * (BullMQ guide, "Redis Cluster"); `queueGroup` spreads groups of queues over
 * the masters instead of putting them all on one.
 */
export function bullmqQueuePrefix(topology: RedisTopology, prefix: string, queueGroup?: string): string {
  if (topology.kind !== 'cluster') return prefix;
  return `{${queueGroup === undefined ? prefix : `${prefix}-${queueGroup}`}}`;
}
