/**
 * The deployment the drill runs against, all on 127.0.0.1 in one temp
 * folder: real redis-server (AOF, appendfsync everysec), Mosquitto with the
 * shipped configuration (persistence, autosave every 1 s) and influxd 1.x
 * from platform/local/services.ts, and one process per RiverWatch role on
 * fixed free ports (so a restarted role is found where it was).
 */
import { join } from 'node:path';
import { freePort, startInflux, startMosquitto, type LocalService } from '../platform/local/services.js';
import type { Redis } from '../platform/redis/client.js';
import { startRedisUnderTest, type DrillRedisMode, type RedisUnderTest } from './redis-under-test.js';
import { redisSideTargets, type ProbeTarget } from './progress-probe.js';
import { withTimeout } from './stream-state.js';
import { RoleProcess } from './role-process.js';
import { metricSum, scrape } from './verify.js';
import { RedisKeys } from '../platform/redis/keys.js';

export const DRILL_ROLES = ['ingest', 'store', 'analytics', 'alerts', 'api', 'hj212'] as const;
export type DrillRole = (typeof DRILL_ROLES)[number];

export interface DeploymentOptions {
  readonly dir: string;
  /** RW_INGEST_HIGH_WATER for every process. */
  readonly highWater: number;
  readonly prefix?: string;
  readonly database?: string;
  /**
   * RW_MQTT_SHARE_GROUP of the ingest process (two subscriber connections either way).
   * @defaultValue '' (the shipped default: plain subscriptions, the sections dealt over the connections)
   */
  readonly shareGroup?: string;
  /** The Redis topology (drill/redis-under-test.ts). @defaultValue 'single' */
  readonly redis?: DrillRedisMode;
}

export class Deployment {
  readonly dir: string;
  readonly prefix: string;
  readonly database: string;
  readonly roles = new Map<DrillRole, RoleProcess>();
  /** Metrics port of each role (the api's is its HTTP port). */
  readonly ports = new Map<DrillRole, number>();
  #hj212Port = 0;
  #redis!: RedisUnderTest;
  #mosquitto!: LocalService;
  #influx!: LocalService;
  #probeRedis: Redis | undefined;
  readonly #options: DeploymentOptions;

  constructor(options: DeploymentOptions) {
    this.#options = options;
    this.dir = options.dir;
    // On a Cluster the roles turn the prefix into a hash tag (config/load-config.ts); the drill's probes use it as they do.
    const prefix = options.prefix ?? 'rw';
    this.prefix = options.redis === 'cluster' ? `{${prefix}}` : prefix;
    this.database = options.database ?? 'riverwatch';
  }

  /** The Redis the roles run on (one server, Sentinel or Cluster). */
  get redis(): RedisUnderTest {
    return this.#redis;
  }
  get mosquitto(): LocalService {
    return this.#mosquitto;
  }
  get influx(): LocalService {
    return this.#influx;
  }
  get apiUrl(): string {
    return `http://127.0.0.1:${this.ports.get('api')}`;
  }
  /** The HJ 212 listener. */
  get hj212Port(): number {
    return this.#hj212Port;
  }

  /** Starts the three services, then every role; resolves when all roles logged "RiverWatch ready". */
  async start(): Promise<void> {
    const started = await Promise.allSettled([
      startRedisUnderTest(this.#options.redis ?? 'single', this.dir),
      startMosquitto({ dir: join(this.dir, 'mosquitto') }),
      startInflux({ dir: join(this.dir, 'influx') }),
    ]);
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await Promise.allSettled(started.map((r) => (r.status === 'fulfilled' ? r.value.close() : undefined)));
      throw failed.reason;
    }
    [this.#redis, this.#mosquitto, this.#influx] = started.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [
      RedisUnderTest,
      LocalService,
      LocalService,
    ];
    for (const role of DRILL_ROLES) this.ports.set(role, await freePort());
    this.#hj212Port = await freePort();
    const common = {
      ...this.#redis.env,
      RW_INFLUX_URL: this.#influx.url,
      RW_MQTT_URL: this.#mosquitto.url,
      RW_REDIS_PREFIX: this.#options.prefix ?? 'rw',
      RW_INFLUX_DATABASE: this.database,
      RW_MQTT_CLIENT_ID: 'riverwatch-ingest',
      RW_MQTT_SHARE_GROUP: this.#options.shareGroup ?? '',
      RW_MQTT_CONNECTIONS: '2',
      RW_INGEST_HIGH_WATER: String(this.#options.highWater),
      RW_HJ212_HOST: '127.0.0.1',
      RW_HJ212_PORT: String(this.#hj212Port),
      RW_HTTP_HOST: '127.0.0.1',
      RW_INSTANCE: '1',
      RW_LOG_LEVEL: 'info',
    };
    for (const role of DRILL_ROLES) {
      const port = String(this.ports.get(role));
      const env = { ...common, RW_METRICS_PORT: port, RW_HTTP_PORT: role === 'api' ? port : '0' };
      // A supervisor restarts a role that exits on its own (systemd Restart=on-failure); the drill records it.
      this.roles.set(
        role,
        new RoleProcess({ name: role, role, env, logFile: join(this.dir, `${role}.log`), restartOnCrash: true }),
      );
    }
    await Promise.all([...this.roles.values()].map((r) => r.start()));
    this.#probeRedis = this.#redis.probe('drill-probe');
    const probe = this.#probeRedis;
    await new Promise<void>((resolve) => (probe.status === 'ready' ? resolve() : probe.once('ready', () => resolve())));
  }

  role(role: DrillRole): RoleProcess {
    return this.roles.get(role) as RoleProcess;
  }

  /** The /metrics page of a role's process, or undefined while it is down. */
  metrics(role: DrillRole): Promise<string | undefined> {
    return scrape(`http://127.0.0.1:${this.ports.get(role)}/metrics`, 800);
  }

  /** A Redis connection for inspection that fails fast while Redis is down. */
  get probeRedis(): Redis {
    if (!this.#probeRedis) throw new Error('deployment not started');
    return this.#probeRedis;
  }

  /** Signs of work per role (ProgressProbe targets). */
  probeTargets(): ProbeTarget[] {
    const counter = (role: DrillRole, metric: string, label?: { name: string; value: string }): ProbeTarget => ({
      name: role,
      read: async () => {
        const text = await this.metrics(role);
        return text === undefined ? undefined : { epoch: this.role(role).pid ?? 0, value: metricSum(text, metric, label) };
      },
    });
    return [
      counter('ingest', 'riverwatch_readings_accepted_total', { name: 'ingress', value: 'mqtt' }),
      counter('store', 'riverwatch_store_points_written_total'),
      counter('api', 'riverwatch_readings_accepted_total', { name: 'ingress', value: 'http' }),
      counter('hj212', 'riverwatch_readings_accepted_total', { name: 'ingress', value: 'hj212' }),
      ...redisSideTargets(this.probeRedis, this.prefix, 1, async () => this.role('alerts').running && (await this.metrics('alerts')) !== undefined),
    ];
  }

  /** The readings of the newest `count` entries of the readings log (partition 0), newest first. */
  async newestLogReadings(count: number): Promise<{ stationId: string; ts: number; source: string }[]> {
    const entries = (await withTimeout(
      this.probeRedis.xrevrange(new RedisKeys(this.prefix).readingsPartition(0), '+', '-', 'COUNT', count),
      800,
    )) as [string, string[]][];
    const out: { stationId: string; ts: number; source: string }[] = [];
    for (const [, f] of entries) {
      const i = f.indexOf('b');
      const text = i >= 0 ? f[i + 1] : undefined;
      if (text) out.push(...(JSON.parse(text) as { stationId: string; ts: number; source: string }[]));
    }
    return out;
  }

  /** Stops every role (SIGTERM) and every service; idempotent, runs every step even if one fails. */
  async close(): Promise<void> {
    this.#probeRedis?.disconnect();
    await Promise.allSettled([...this.roles.values()].map((r) => r.close()));
    await Promise.allSettled([this.#redis, this.#mosquitto, this.#influx].filter((s) => s !== undefined).map((s) => s.close()));
  }
}
