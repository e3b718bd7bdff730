/** ioredis connections with the settings RiverWatch relies on. */
import { Redis, type RedisOptions } from 'ioredis';

export type { Redis };

/**
 * A connection for commands on the hot path: retries reconnecting forever
 * (a Redis restart must not kill a worker), and each command waits for the
 * reconnect instead of failing at once.
 */
export function createRedis(url: string, name: string, extra: RedisOptions = {}): Redis {
  return new Redis(url, {
    connectionName: name,
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(200 * times, 2000),
    lazyConnect: false,
    ...extra,
  });
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
