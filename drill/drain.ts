/**
 * Waits until a deployment's pipeline has drained: both consumer groups of
 * every readings-log partition and the event log's groups have nothing
 * pending and were handed the last entry (drill/stream-state.ts). Used by the drill and by its single-process reference run.
 */
import type { Redis } from '../platform/redis/client.js';
import { RedisKeys } from '../platform/redis/keys.js';
import { groupStates, type GroupState } from './stream-state.js';

export interface DrainState {
  readonly drained: boolean;
  /** The groups' state when it did not drain in time ("store pending 3 lag 0, …"). */
  readonly detail: string;
}

export async function waitForDrain(redis: Redis, prefix: string, partitions: number, timeoutMs: number): Promise<DrainState> {
  const keys = new RedisKeys(prefix);
  const deadline = Date.now() + timeoutMs;
  const groupsOf = (key: string): Promise<GroupState[]> => groupStates(redis, key, 1000).catch(() => []);
  const idle = (g: GroupState): boolean => g.caughtUp;
  const state = (g: GroupState): string => `${g.name} pending ${g.pending} lag ${g.lag}`;
  for (;;) {
    const groups: GroupState[] = [];
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
