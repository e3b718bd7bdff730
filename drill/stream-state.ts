/**
 * Where a stream's consumer groups stand, for the drill's probes and drain
 * wait. A group has caught up when nothing is pending and it was handed the
 * stream's last entry. XINFO's `lag` alone is not trusted: after a failover
 * the promoted replica's `entries-read` counters can trail its `entries-added`
 * for good (seen in the Sentinel drill: lag 871 on an empty stream whose last
 * entry every group had read), so lag is used only where it says 0.
 */
import type { Redis } from '../platform/redis/client.js';
import { fields } from './verify.js';

export interface GroupState {
  readonly name: string;
  readonly pending: number;
  readonly lag: number | null;
  readonly entriesRead: number;
  readonly caughtUp: boolean;
}

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]);
}

/** The groups of the stream at `key` (none when it does not exist); rejects when Redis does not answer within `timeoutMs`. */
export async function groupStates(redis: Redis, key: string, timeoutMs = 800): Promise<GroupState[]> {
  const [groups, stream] = await withTimeout(
    Promise.all([redis.xinfo('GROUPS', key) as Promise<unknown[][]>, redis.xinfo('STREAM', key) as Promise<unknown[]>]),
    timeoutMs,
  );
  const lastId = String(fields(stream)['last-generated-id'] ?? '');
  return groups.map(fields).map((g) => {
    const pending = Number(g.pending);
    const lag = g.lag === null || g.lag === undefined ? null : Number(g.lag);
    return {
      name: String(g.name),
      pending,
      lag,
      entriesRead: Number(g['entries-read'] ?? 0),
      caughtUp: pending === 0 && (lag === 0 || String(g['last-delivered-id']) === lastId),
    };
  });
}
