/**
 * CLI actions for agency API keys (the entry point wires them into the
 * `riverwatch` command): create prints the key once, revoke disables it.
 */
import { Redis } from 'ioredis';
import { AppError, systemClock, type Registry } from '../domain/index.js';
import { AgencyKeyStore, type AgencyKeyRecord } from '../platform/redis/agency-keys.js';
import { alertsConfig } from '../alerts/config.js';
import { RedisKeys } from '../platform/redis/keys.js';

export interface AgencyKeyCliOptions {
  /** Redis to use: a URL (a short-lived connection is opened) or an open connection. */
  readonly redis: string | Redis;
  /** Same as the running system's alerts `keyPrefix`. @defaultValue 'rw' */
  readonly keyPrefix?: string;
}

async function withStore<T>(options: AgencyKeyCliOptions, fn: (store: AgencyKeyStore) => Promise<T>): Promise<T> {
  const redis =
    typeof options.redis === 'string'
      ? new Redis(options.redis, { maxRetriesPerRequest: 3, connectionName: 'rw-cli' })
      : options.redis;
  try {
    const keys = new RedisKeys(alertsConfig({ ...(options.keyPrefix ? { keyPrefix: options.keyPrefix } : {}) }).keyPrefix);
    return await fn(new AgencyKeyStore({ redis, keys, clock: systemClock }));
  } finally {
    if (typeof options.redis === 'string') await redis.quit().catch(() => redis.disconnect());
  }
}

/** Creates an API key for an agency of the registry; the key is in the result and is not stored. */
export async function createAgencyKey(
  agencyId: string,
  options: AgencyKeyCliOptions & { readonly registry: Registry; readonly label?: string },
): Promise<{ key: string; record: AgencyKeyRecord }> {
  if (!options.registry.agencies.has(agencyId)) {
    throw new AppError(
      'RW_NOT_FOUND',
      `agency "${agencyId}" is not in the registry (known: ${[...options.registry.agencies.keys()].join(', ')})`,
    );
  }
  return withStore(options, (store) => store.create(agencyId, options.label));
}

/** Revokes a key by its id (the part after `rwk_`); false when no such key exists. */
export async function revokeAgencyKey(keyId: string, options: AgencyKeyCliOptions): Promise<boolean> {
  return withStore(options, (store) => store.revoke(keyId));
}
