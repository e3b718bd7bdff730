/** What the alert and task stores are built on: one Redis, the key book, the registry, the alerts settings and a clock. */
import type { Clock, Registry } from '../../../domain/index.js';
import type { AlertsConfig } from '../../../alerts/config.js';
import type { Redis } from '../client.js';
import type { RedisKeys } from '../keys.js';
import type { TransactOptions } from '../compare-and-set.js';
import type { ReplicationPolicy } from '../replicated-write.js';

export interface StoreDeps {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly registry: Registry;
  readonly config: AlertsConfig;
  readonly clock: Clock;
  /** Replicas that must hold a state change before it counts as done (RW_REDIS_WAIT_REPLICAS). @defaultValue none */
  readonly replication?: ReplicationPolicy;
}

/** The common base of AlertStore and TaskStore: holds their dependencies. */
export abstract class RedisRecordStore {
  protected readonly redis: Redis;
  protected readonly keys: RedisKeys;
  protected readonly registry: Registry;
  protected readonly config: AlertsConfig;
  protected readonly clock: Clock;
  /** What every compare-and-set of the store waits for. */
  protected readonly transactOptions: TransactOptions;

  constructor(deps: StoreDeps) {
    this.transactOptions = deps.replication ? { replication: deps.replication } : {};
    this.redis = deps.redis;
    this.keys = deps.keys;
    this.registry = deps.registry;
    this.config = deps.config;
    this.clock = deps.clock;
  }
}
