/** What the alert and task stores are built on: one Redis, the key book, the registry, the alerts settings and a clock. */
import type { Clock, Registry } from '../../../domain/index.js';
import type { AlertsConfig } from '../../../alerts/config.js';
import type { Redis } from '../client.js';
import type { RedisKeys } from '../keys.js';

export interface StoreDeps {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly registry: Registry;
  readonly config: AlertsConfig;
  readonly clock: Clock;
}

/** The common base of AlertStore and TaskStore: holds their dependencies. */
export abstract class RedisRecordStore {
  protected readonly redis: Redis;
  protected readonly keys: RedisKeys;
  protected readonly registry: Registry;
  protected readonly config: AlertsConfig;
  protected readonly clock: Clock;

  constructor(deps: StoreDeps) {
    this.redis = deps.redis;
    this.keys = deps.keys;
    this.registry = deps.registry;
    this.config = deps.config;
    this.clock = deps.clock;
  }
}
