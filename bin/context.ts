/**
 * What every role of a process shares: configuration, registry, logger,
 * metrics, and the external services (Redis, InfluxDB, MQTT broker), started
 * locally when no URL is configured so one command runs on a fresh machine.
 */
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { loadRegistryFile, type Config } from '../config/index.js';
import { redisTopology, type RedisTopology } from '../config/redis-topology.js';
import { loadParameterTable } from '../config/parameters-file.js';
import { AppError, systemClock, type Clock, type ParameterTable, type Registry, type StationCommand } from '../domain/index.js';
import { EmbeddedBroker } from '../platform/mqtt/embedded-broker.js';
import { InfluxStore } from '../platform/influx/client.js';
import { startInflux, startRedis } from '../platform/local/services.js';
import type { Logger } from '../platform/logger.js';
import { createMetricsRegistry, ingestMetrics, type MetricsRegistry } from '../platform/metrics.js';
import { createRedis, waitForRedis, type Redis } from '../platform/redis/client.js';
import type { ReplicationPolicy } from '../platform/redis/replicated-write.js';
import { createRedisClient } from '../platform/redis/client-factory.js';
import { DeadLetterStore } from '../platform/redis/readings/dead-letters.js';
import { PipelineGateway } from '../ingest/gateway.js';
import { RedisReadingsLog } from '../platform/redis/readings/readings-log.js';
import { part, type Lifecycle } from './lifecycle.js';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { RedisKeys, AlertsService, MqttStationCommander, TransferService } from '../platform/redis/alerts/index.js';
import { AgencyKeyStore } from '../api/auth/index.js';
import type { AnalyticsWorker } from '../analytics/worker.js';

/** Parses an optional YAML/JSON options file; validation is the stage's own (it lists every problem). */
export function readOptionsFile(path: string): Record<string, unknown> {
  if (!path) return {};
  try {
    return (parseYaml(readFileSync(path, 'utf8')) as Record<string, unknown> | null) ?? {};
  } catch (err) {
    throw new AppError('RW_CONFIG_INVALID', `cannot read options file ${path}: ${(err as Error).message}`, { cause: err });
  }
}

export interface Context {
  readonly config: Config;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly parameters: ParameterTable;
  readonly metrics: MetricsRegistry;
  readonly clock: Clock;
  readonly lifecycle: Lifecycle;
  /** Resolved service addresses (configured, or of the locally started services). */
  readonly services: { redisUrl?: string; influxUrl?: string; mqttUrl?: string; mqttUser: string; mqttPassword: string };
  /** Addresses the roles listen on (api, hj212), recorded once they listen. */
  readonly addresses: Record<string, string>;
  /** Transports able to deliver station commands, recorded by the roles that own them. */
  readonly stationCommanders: { hj212?: { sendCommand(command: StationCommand): Promise<unknown> } };
  /** A new Redis connection, closed with the process. */
  redis(name: string): Redis;
  influx(): InfluxStore;
  /** The readings log and the gateway into it, created once per process. */
  gateway(): Promise<PipelineGateway>;
  deadLetters(): DeadLetterStore;
  /** Roles running in this process. */
  readonly roles: readonly string[];
  /** The alerts stage of this process (one per process: its metrics register once); workers run only where the alerts role runs. */
  alerts(): Promise<AlertsService>;
  /** Transfers with feedback over the alerts stage of this process; its deadline sweep runs where the alerts role runs. */
  transfers(): Promise<TransferService>;
  agencyKeys(): AgencyKeyStore;
  /** The analytics worker of this process, once its role started (tests and the API read it). */
  analytics?: AnalyticsWorker;
}

export interface ServiceNeeds {
  readonly redis?: boolean;
  readonly influx?: boolean;
  readonly mqtt?: boolean;
}

export async function createContext(config: Config, logger: Logger, lifecycle: Lifecycle, needs: ServiceNeeds, roles: readonly string[] = []): Promise<Context> {
  const parameters = loadParameterTable(config.parametersFile);
  const registry = loadRegistryFile(config.registryFile, parameters);
  const metrics = createMetricsRegistry();
  const dataDir = resolve(config.dataDir);
  const services: Context['services'] = { mqttUser: config.mqtt.username, mqttPassword: config.mqtt.password };

  // Every connection, whatever the topology, comes from the client factory (single, Sentinel: follows
  // failovers, Cluster: follows slot moves; issue 16); on a Cluster the key prefix is a hash tag (config/load-config.ts), so scripts and flows stay in one slot.
  let topology: RedisTopology | undefined;
  if (needs.redis) {
    const localUrl = config.redis.mode === 'single' && !config.redis.url ? await localRedis(config, dataDir, logger, lifecycle) : undefined;
    topology = redisTopology(config.redis, localUrl);
    services.redisUrl =
      topology.kind === 'single'
        ? topology.url
        : `redis-${topology.kind}://${(topology.kind === 'sentinel' ? topology.sentinels : topology.nodes).map((s) => `${s.host}:${s.port}`).join(',')}${topology.kind === 'sentinel' ? `/${topology.masterName}` : ''}`;
  }
  if (needs.influx) services.influxUrl = config.influx.url || (await localInflux(config, dataDir, logger, lifecycle));
  if (needs.mqtt) {
    if (config.mqtt.url) services.mqttUrl = config.mqtt.url;
    else {
      // The embedded broker lives in this process only, so a fresh service password is enough.
      services.mqttPassword ||= randomBytes(18).toString('base64url');
      const broker = new EmbeddedBroker({
        registry,
        options: { port: config.mqtt.embeddedPort, serviceUser: config.mqtt.username, servicePassword: services.mqttPassword },
        logger: logger.child({ component: 'broker' }),
      });
      await lifecycle.add(part('embedded-broker', () => broker.start(), () => broker.close()));
      services.mqttUrl = broker.url;
    }
  }

  let influx: InfluxStore | undefined;
  let gateway: Promise<PipelineGateway> | undefined;
  let deadLetters: DeadLetterStore | undefined;
  let alerts: Promise<AlertsService> | undefined;
  let transfers: Promise<TransferService> | undefined;
  let agencyKeys: AgencyKeyStore | undefined;
  const ctx: Context = {
    roles,
    alerts() {
      alerts ??= (async () => {
        const workers = roles.includes('alerts');
        let commander: MqttStationCommander | undefined;
        if (workers) {
          if (!services.mqttUrl) throw new Error('the alerts role needs the MQTT broker for station commands');
          commander = new MqttStationCommander({
            url: services.mqttUrl,
            logger: logger.child({ component: 'station-commands' }),
            clientId: `riverwatch-commands-${config.instance}`,
            username: services.mqttUser,
            ...(services.mqttPassword ? { password: services.mqttPassword } : {}),
          });
          const started = commander;
          await lifecycle.add(part('station-commander', () => started.start(), () => started.close()));
        }
        const redis = ctx.redis('alerts');
        await waitForRedis(redis, 30_000);
        const service = new AlertsService({
          redis,
          registry,
          logger: logger.child({ component: 'alerts' }),
          metricsRegistry: metrics,
          config: { ...readOptionsFile(config.alerts.optionsFile), keyPrefix: config.redis.prefix, queuePrefix: `${config.redis.prefix}q` },
          workers,
          consumer: `alerts-${config.instance}`,
          replication: replicationOf(config),
          ...(commander ? { commander } : {}),
        });
        await lifecycle.add(part(workers ? 'alerts' : 'alerts-client', () => service.start(), () => service.close()));
        return service;
      })();
      return alerts;
    },
    transfers() {
      transfers ??= (async () => {
        const service = await ctx.alerts();
        const workers = roles.includes('alerts');
        const transferService = new TransferService({
          redis: ctx.redis('transfers'),
          registry,
          keys: service.keys,
          config: service.config,
          clock: ctx.clock,
          notifier: service.notifier,
          logger: logger.child({ component: 'transfers' }),
          replication: replicationOf(config),
        });
        if (workers) await lifecycle.add(part('transfers', async () => transferService.start(), async () => transferService.close()));
        return transferService;
      })();
      return transfers;
    },
    agencyKeys() {
      agencyKeys ??= new AgencyKeyStore({ redis: ctx.redis('agency-keys'), keys: new RedisKeys(config.redis.prefix), clock: systemClock });
      return agencyKeys;
    },
    config,
    logger,
    registry,
    parameters,
    metrics,
    clock: systemClock,
    lifecycle,
    services,
    addresses: {},
    stationCommanders: {},
    redis(name) {
      if (!services.redisUrl) throw new Error('this role was started without Redis');
      const connectionName = `riverwatch-${name}-${config.instance}`;
      const redis = createRedisClient(topology as RedisTopology, connectionName);
      redis.on('error', (err) => logger.debug({ err, connection: name }, 'redis connection error'));
      lifecycle.adopt({ name: `redis:${name}`, close: async () => void (await redis.quit().catch(() => redis.disconnect())) });
      return redis;
    },
    influx() {
      if (!services.influxUrl) throw new Error('this role was started without InfluxDB');
      influx ??= new InfluxStore({ ...config.influx, url: services.influxUrl }, logger);
      return influx;
    },
    deadLetters() {
      deadLetters ??= new DeadLetterStore({ redis: ctx.redis('dead-letters'), prefix: config.redis.prefix });
      return deadLetters;
    },
    gateway() {
      gateway ??= (async () => {
        const redis = ctx.redis('readings-log');
        await waitForRedis(redis, 30_000);
        const log = new RedisReadingsLog({
          redis,
          options: {
            prefix: config.redis.prefix,
            partitions: config.ingest.partitions,
            groups: config.ingest.groups.split(',').map((g) => g.trim()).filter(Boolean),
            highWater: config.ingest.highWater,
            replication: replicationOf(config),
          },
          logger: logger.child({ component: 'readings-log' }),
          metrics: ingestMetrics(metrics),
        });
        await lifecycle.add(part('readings-log', () => log.start(), () => log.close()));
        return new PipelineGateway({
          registry,
          parameters,
          limits: config.ingest,
          log,
          deadLetters: ctx.deadLetters(),
          clock: systemClock,
          logger: logger.child({ component: 'ingest' }),
          metrics: ingestMetrics(metrics),
        });
      })();
      return gateway;
    },
  };
  return ctx;
}

/** "Acknowledged means replicated" (RW_REDIS_WAIT_REPLICAS): what readings, alerts, tasks and transfers wait for. */
function replicationOf(config: Config): ReplicationPolicy {
  return { replicas: config.redis.waitReplicas, timeoutMs: config.redis.waitTimeoutMs };
}

async function localRedis(config: Config, dataDir: string, logger: Logger, lifecycle: Lifecycle): Promise<string> {
  const url = `redis://127.0.0.1:${config.redis.localPort}`;
  if (config.redis.localPort !== 0 && (await redisAnswers(url))) {
    logger.info({ url }, 'using the Redis already running on the local port');
    return url;
  }
  const service = await startRedis({ dir: join(dataDir, 'redis'), port: config.redis.localPort || undefined, appendOnly: true, logger: logger.child({ component: 'local-redis' }) });
  lifecycle.adopt({ name: 'local-redis', close: () => service.stop() });
  logger.info({ url: service.url, dir: service.dir }, 'started a local redis-server (AOF on)');
  return service.url;
}

async function localInflux(config: Config, dataDir: string, logger: Logger, lifecycle: Lifecycle): Promise<string> {
  const url = `http://127.0.0.1:${config.influx.localPort}`;
  if (config.influx.localPort !== 0 && (await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) }).then((r) => r.status === 204, () => false))) {
    logger.info({ url }, 'using the InfluxDB already running on the local port');
    return url;
  }
  const service = await startInflux({ dir: join(dataDir, 'influxdb'), port: config.influx.localPort || undefined, logger: logger.child({ component: 'local-influxdb' }) });
  lifecycle.adopt({ name: 'local-influxdb', close: () => service.stop() });
  logger.info({ url: service.url, dir: service.dir }, 'started a local influxd');
  return service.url;
}

async function redisAnswers(url: string): Promise<boolean> {
  const probe = createRedis(url, 'probe', { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: 500 });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}
