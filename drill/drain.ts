/**
 * Waits until a deployment's pipeline has drained: both consumer groups of
 * every readings-log partition and the event log's groups have nothing
 * pending and no lag. Used by the drill and by its single-process reference run.
 */
import type { Redis } from '../platform/redis/client.js';
import { RedisKeys } from '../platform/redis/keys.js';
import { withTimeout } from './deployment.js';
import { fields } from './verify.js';

export interface DrainState {
  readonly drained: boolean;
  /** The groups' state when it did not drain in time ("store pending 3 lag 0, …"). */
  readonly detail: string;
}

export async function waitForDrain(redis: Redis, prefix: string, partitions: number, timeoutMs: number): Promise<DrainState> {
  const keys = new RedisKeys(prefix);
  const deadline = Date.now() + timeoutMs;
  const groupsOf = async (key: string): Promise<Record<string, unknown>[]> =>
    ((await withTimeout(redis.xinfo('GROUPS', key) as Promise<unknown[][]>, 1000).catch(() => [])) as unknown[][]).map(fields);
  const idle = (g: Record<string, unknown>): boolean => Number(g.pending) === 0 && (g.lag === null || Number(g.lag) === 0);
  const state = (g: Record<string, unknown>): string => `${String(g.name)} pending ${String(g.pending)} lag ${String(g.lag)}`;
  for (;;) {
    const groups: Record<string, unknown>[] = [];
    for (let p = 0; p < partitions; p++) groups.push(...(await groupsOf(keys.readingsPartition(p))));
    const dispatch = await groupsOf(keys.eventLog());
    if (groups.length === 2 * partitions && groups.every(idle) && dispatch.every(idle)) return { drained: true, detail: '' };
    if (Date.now() > deadline) {
      const detail = `readings log: ${groups.map(state).join(', ') || 'no groups read'}; event log: ${dispatch.map(state).join(', ') || 'no groups read'}`;
      return { drained: false, detail };
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
