/** Analytics checkpoints in Redis: one hash field per section holding its JSON snapshot (SnapshotStore port). */
import type { SnapshotStore } from '../../domain/index.js';
import type { Redis } from './client.js';
import { RedisKeys } from './keys.js';

export class RedisSnapshotStore implements SnapshotStore {
  readonly #redis: Redis;
  readonly #key: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#key = new RedisKeys(prefix).analyticsSnapshots();
  }

  async load(sectionIds: readonly string[]): Promise<Map<string, unknown>> {
    const out = new Map<string, unknown>();
    if (sectionIds.length === 0) return out;
    const values = await this.#redis.hmget(this.#key, ...sectionIds);
    sectionIds.forEach((id, i) => {
      const text = values[i];
      if (text) out.set(id, JSON.parse(text));
    });
    return out;
  }

  async save(snapshots: ReadonlyMap<string, unknown>): Promise<void> {
    if (snapshots.size === 0) return;
    const args: string[] = [];
    for (const [id, snapshot] of snapshots) if (snapshot !== undefined) args.push(id, JSON.stringify(snapshot));
    if (args.length > 0) await this.#redis.hset(this.#key, ...args);
  }
}
