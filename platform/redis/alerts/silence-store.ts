/**
 * Silences on Redis: one JSON record per silence with its audit trail, an
 * index by creation time, and per silence the set of alerts it holds back
 * (opened while silenced, not yet notified), with the reverse pointer per
 * alert. Keys live under the alerts prefix (`{prefix}:silences:…`).
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from '../client.js';
import type { Silence } from '../../../alerts/alarms/silence-model.js';
import { RedisKeys } from '../keys.js';

export class SilenceStore {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;

  constructor(deps: { readonly redis: Redis; readonly prefix: string }) {
    this.#redis = deps.redis;
    this.#keys = new RedisKeys(deps.prefix);
  }

  #record(id: string): string {
    return this.#keys.silence(id);
  }
  #index(): string {
    return this.#keys.silenceIndex();
  }
  #held(id: string): string {
    return this.#keys.silenceHeld(id);
  }
  #heldBy(alertId: string): string {
    return this.#keys.silenceHeldBy(alertId);
  }

  static newId(): string {
    return `si-${randomBytes(6).toString('hex')}`;
  }

  async put(silence: Silence): Promise<void> {
    await this.#redis
      .multi()
      .set(this.#record(silence.id), JSON.stringify(silence))
      .zadd(this.#index(), silence.createdAt, silence.id)
      .exec();
  }

  async get(id: string): Promise<Silence | undefined> {
    const json = await this.#redis.get(this.#record(id));
    return json ? (JSON.parse(json) as Silence) : undefined;
  }

  /** Every silence, newest first. */
  async all(): Promise<Silence[]> {
    const ids = await this.#redis.zrevrange(this.#index(), 0, -1);
    if (ids.length === 0) return [];
    const rows = await this.#redis.mget(ids.map((id) => this.#record(id)));
    return rows.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as Silence);
  }

  /** Records that `silenceId` (or `maintenance.{station}`) holds back `alertId`. */
  async hold(silenceId: string, alertId: string): Promise<void> {
    await this.#redis.multi().sadd(this.#held(silenceId), alertId).set(this.#heldBy(alertId), silenceId).exec();
  }

  async unhold(silenceId: string, alertId: string): Promise<void> {
    await this.#redis.multi().srem(this.#held(silenceId), alertId).del(this.#heldBy(alertId)).exec();
  }

  /** The silence holding an alert back, if any. */
  async heldBy(alertId: string): Promise<string | undefined> {
    return (await this.#redis.get(this.#heldBy(alertId))) ?? undefined;
  }

  async held(silenceId: string): Promise<string[]> {
    return (await this.#redis.smembers(this.#held(silenceId))).sort();
  }
}
