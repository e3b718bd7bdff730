/** Waits until the pipeline of a drill deployment has drained: every readings-log group and the event-log dispatch idle. */
import { RedisKeys } from '../platform/redis/keys.js';
import type { Deployment } from './deployment.js';
import { fields } from './verify.js';

export async function waitForDrain(deployment: Deployment, log: (line: string) => void, timeoutMs: number): Promise<void> {
  const keys = new RedisKeys(deployment.prefix);
  const deadline = Date.now() + timeoutMs;
  const groupsOf = async (key: string): Promise<Record<string, unknown>[]> =>
    ((await deployment.probeRedis.xinfo('GROUPS', key).catch(() => [])) as unknown[][]).map(fields);
  for (;;) {
    const groups = await groupsOf(keys.readingsPartition(0));
    const dispatch = await groupsOf(keys.eventLog());
    const idle = (g: Record<string, unknown>): boolean => Number(g.pending) === 0 && (g.lag === null || Number(g.lag) === 0);
    if (groups.length === 2 && groups.every(idle) && dispatch.every(idle)) return;
    if (Date.now() > deadline) {
      const state = (g: Record<string, unknown>): string => `${String(g.name)} pending ${String(g.pending)} lag ${String(g.lag)}`;
      log(
        `the pipeline did not drain within ${Math.round(timeoutMs / 1000)} s (readings log: ${groups.map(state).join(', ') || 'no groups read'}; event log: ${dispatch.map(state).join(', ') || 'no groups read'}); comparing what is there`,
      );
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
