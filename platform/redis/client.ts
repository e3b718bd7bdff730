/** ioredis connections with the settings RiverWatch relies on. */
import { Redis as SingleRedis, type Cluster, type RedisOptions } from 'ioredis';

/**
 * A Redis connection of any topology: one server or a Sentinel-managed
 * master (ioredis `Redis`), or a Redis Cluster (ioredis `Cluster`). Code that
 * sends a multi-key command or a pipeline must keep it in one slot
 * (platform/redis/keys.ts lays the keys out for that).
 */
export type Redis = SingleRedis | Cluster;

/**
 * A connection for commands on the hot path: retries reconnecting forever
 * (a Redis restart must not kill a worker), and each command waits for the
 * reconnect instead of failing at once.
 */
export function createRedis(url: string, name: string, extra: RedisOptions = {}): SingleRedis {
  return new SingleRedis(url, {
    connectionName: name,
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(200 * times, 2000),
    lazyConnect: false,
    ...extra,
  });
}

/** Whether a client is an ioredis Cluster (multi-key commands and pipelines must then stay in one slot). */
export function isCluster(redis: Redis): redis is Cluster {
  return (redis as { isCluster?: boolean }).isCluster === true;
}

/** A second connection like `redis` (same topology and options) under another name, e.g. for a blocking read. */
export function duplicateConnection(redis: Redis, connectionName: string): Redis {
  const copy = isCluster(redis)
    ? redis.duplicate(undefined, { redisOptions: { ...redis.options.redisOptions, connectionName } })
    : redis.duplicate({ connectionName });
  // The original's listener logs connection errors; without one ioredis prints every failed reconnect.
  copy.on('error', () => undefined);
  return isCluster(copy) || !copy.options.sentinels ? copy : reconnectAfterUnexpectedEnd(copy);
}

/** Resolves once the connection answers PING, or rejects after `timeoutMs`. */
export async function waitForRedis(redis: Redis, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await Promise.race([redis.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 1000))]);
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`Redis did not answer within ${timeoutMs} ms: ${(err as Error).message}`, { cause: err });
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/**
 * A Sentinel client whose connection ends without being closed by us is
 * connected again. ioredis ends it for good when its failover detector
 * (`+switch-master`) disconnects while a reconnect is still asking the
 * sentinels for the master: the pending connect fails with "Connection is
 * closed." and the client goes to `end` (seen in the Sentinel drill: the
 * hj212 role's readings-log client stayed closed after a promotion).
 * `quit()` and `disconnect()` still close it for good.
 */
export function reconnectAfterUnexpectedEnd<T extends SingleRedis>(client: T): T {
  let closedByUs = false;
  const disconnect = client.disconnect.bind(client);
  client.disconnect = (reconnect = false): void => {
    if (!reconnect) closedByUs = true;
    disconnect(reconnect);
  };
  const quit = client.quit.bind(client);
  client.quit = ((...args: Parameters<typeof quit>) => {
    closedByUs = true;
    return quit(...args);
  }) as typeof client.quit;
  client.on('end', () => {
    if (closedByUs) return;
    setTimeout(() => {
      if (!closedByUs && client.status === 'end') client.connect().catch(() => undefined);
    }, 100).unref();
  });
  return client;
}
