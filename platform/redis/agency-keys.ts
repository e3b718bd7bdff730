/**
 * Agency API keys. A key is `rwk_<keyId>_<secret>` with 256 random bits of
 * secret; Redis keeps only SHA-256 of the whole key, looked up by its id.
 * A fast hash is enough here because the key is random and long: a slow
 * password hash (scrypt, bcrypt) defends low-entropy passwords against
 * guessing, and 2^256 candidates cannot be guessed at any speed, while a
 * fast hash keeps the check cheap on every request. A stolen Redis dump
 * therefore yields no usable key.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from './client.js';
import type { Clock } from '../../domain/index.js';
import type { RedisKeys } from './keys.js';

export interface AgencyKeyRecord {
  readonly keyId: string;
  readonly agencyId: string;
  readonly label: string | undefined;
  readonly createdAt: number;
  readonly revokedAt: number | undefined;
}

const KEY_PATTERN = /^rwk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export class AgencyKeyStore {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #clock: Clock;

  constructor(deps: { redis: Redis; keys: RedisKeys; clock: Clock }) {
    this.#redis = deps.redis;
    this.#keys = deps.keys;
    this.#clock = deps.clock;
  }

  /** Creates a key for an agency; the returned `key` is shown once and never stored. */
  async create(agencyId: string, label?: string): Promise<{ key: string; record: AgencyKeyRecord }> {
    const keyId = randomBytes(8).toString('hex');
    const key = `rwk_${keyId}_${randomBytes(32).toString('base64url')}`;
    const createdAt = this.#clock.now();
    await this.#redis
      .multi()
      .hset(this.#keys.apiKey(keyId), { agencyId, sha256: sha256Hex(key), createdAt, ...(label !== undefined ? { label } : {}) })
      .sadd(this.#keys.apiKeyIndex(), keyId)
      .exec();
    return { key, record: { keyId, agencyId, label, createdAt, revokedAt: undefined } };
  }

  /** The record of a presented key if it is known and not revoked; undefined otherwise. */
  async verify(key: string): Promise<AgencyKeyRecord | undefined> {
    const match = KEY_PATTERN.exec(key);
    if (!match) return undefined;
    const keyId = match[1] as string;
    const record = await this.#redis.hgetall(this.#keys.apiKey(keyId));
    if (!record.sha256 || !record.agencyId || record.revokedAt) return undefined;
    const expected = Buffer.from(record.sha256, 'hex');
    const given = Buffer.from(sha256Hex(key), 'hex');
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    return toRecord(keyId, record);
  }

  /** Revokes a key; false when there is no such key. Revoked keys stay listed. */
  async revoke(keyId: string): Promise<boolean> {
    const key = this.#keys.apiKey(keyId);
    if ((await this.#redis.exists(key)) === 0) return false;
    await this.#redis.hsetnx(key, 'revokedAt', String(this.#clock.now()));
    return true;
  }

  async list(agencyId?: string): Promise<AgencyKeyRecord[]> {
    const out: AgencyKeyRecord[] = [];
    for (const keyId of await this.#redis.smembers(this.#keys.apiKeyIndex())) {
      const record = await this.#redis.hgetall(this.#keys.apiKey(keyId));
      if (!record.agencyId || (agencyId !== undefined && record.agencyId !== agencyId)) continue;
      out.push(toRecord(keyId, record));
    }
    return out.sort((a, b) => a.createdAt - b.createdAt);
  }
}

function toRecord(keyId: string, record: Record<string, string>): AgencyKeyRecord {
  return {
    keyId,
    agencyId: record.agencyId as string,
    label: record.label,
    createdAt: Number(record.createdAt),
    revokedAt: record.revokedAt ? Number(record.revokedAt) : undefined,
  };
}
