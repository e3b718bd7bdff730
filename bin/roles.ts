/**
 * Process roles. Each builds its parts on the shared context and adds them to
 * the lifecycle in start order. `start` runs several in one process.
 */
import { LogConsumer } from '../platform/redis/readings/stream-consumer.js';
import { MqttIngress, sliceSections } from '../platform/mqtt/ingress.js';
import { StoreWriter } from '../platform/influx/store-writer.js';
import { storeMetrics } from '../platform/metrics.js';
import { StationAuthenticator } from '../platform/station-auth.js';
import { buildApp, type App } from '../api/app.js';
import { Hj212Server } from '../platform/hj212/index.js';
import { RedisStationDiagnostics } from '../platform/redis/readings/diagnostics-store.js';
import { readingsIngestRoutes } from '../api/routes/readings-ingest.js';
import type { FastifyPluginAsync } from 'fastify';
import { AppError } from '../domain/index.js';
import { AnalyticsWorker } from '../analytics/worker.js';
import { partitionOf } from '../platform/redis/readings/readings-log.js';
import { InfluxReadings } from '../platform/influx/readings.js';
import { InfluxAlertPoints } from '../platform/influx/alert-points.js';
import { RedisKeys } from '../platform/redis/alerts/index.js';
import { RedisSnapshotStore } from '../platform/redis/snapshots.js';
import { LiveEventHub } from '../platform/redis/live-events.js';
import { monitoringCentrePlugins } from '../api/monitoring-centre.js';
import { publicViewRoutes } from '../api/public-view/public-view-routes.js';
import { readOptionsFile } from './context.js';
import type { Context, ServiceNeeds } from './context.js';
import { part } from './lifecycle.js';

export const ROLES = ['ingest', 'store', 'analytics', 'alerts', 'api', 'hj212'] as const;
export type Role = (typeof ROLES)[number];

/** External services each role needs. */
/** Log entries per analytics read; a full read means it is behind the log (offline checks wait). */
const ANALYTICS_READ_ENTRIES = 20;

export const ROLE_NEEDS: Record<Role, ServiceNeeds> = {
  ingest: { redis: true, mqtt: true },
  store: { redis: true, influx: true },
  analytics: { redis: true, influx: true },
  alerts: { redis: true, mqtt: true },
  api: { redis: true, influx: true, mqtt: true },
  hj212: { redis: true },
};

/** Role builders; each returns once its parts are started. */
export const ROLE_BUILDERS: Record<Role, (ctx: Context) => Promise<void>> = {
  async ingest(ctx) {
    const gateway = await ctx.gateway();
    const { config, services } = ctx;
    const embedded = config.mqtt.url === '';
    // aedes has no shared subscriptions: plain ones there.
    const shareGroup = embedded ? '' : config.mqtt.shareGroup;
    const allSections = [...ctx.registry.sections.keys()];
    const [k, n] = config.mqtt.slice.split('/').map(Number) as [number, number];
    if (shareGroup && n !== 1)
      throw new AppError('RW_CONFIG_INVALID', `RW_MQTT_SLICE=${config.mqtt.slice} needs plain subscriptions, but RW_MQTT_SHARE_GROUP is "${shareGroup}"; set one of them`);
    if (k > n) throw new AppError('RW_CONFIG_INVALID', `RW_MQTT_SLICE=${config.mqtt.slice}: k must be from 1 to n`);
    const sections = sliceSections(allSections, k, n);
    if (!shareGroup && sections.length === 0)
      throw new AppError('RW_CONFIG_INVALID', `RW_MQTT_SLICE=${config.mqtt.slice} leaves this process no section (the registry has ${allSections.length}); use fewer slices`);
    const ingress = new MqttIngress({
      gateway,
      options: {
        url: services.mqttUrl as string,
        username: services.mqttUser,
        password: services.mqttPassword,
        clientId: `${config.mqtt.clientId}-${config.instance}`,
        shareGroup,
        sections,
        allSections,
        connections: config.mqtt.connections,
        maxPayloadBytes: config.ingest.maxPayloadBytes,
        maxInFlight: config.mqtt.inFlight,
      },
      logger: ctx.logger.child({ component: 'mqtt-ingress' }),
    });
    await ctx.lifecycle.add(part('mqtt-ingress', () => ingress.start(), () => ingress.close()));
  },

  async store(ctx) {
    const influx = ctx.influx();
    await ensureInflux(ctx);
    const consumer = new LogConsumer({
      redis: ctx.redis('store-consumer'),
      options: {
        prefix: ctx.config.redis.prefix,
        partitions: range(ctx.config.ingest.partitions),
        group: 'store',
        consumer: `store-${ctx.config.instance}`,
        // Entries hold up to 1,000 readings each: few per read keep a batch near RW_INFLUX_BATCH_SIZE and a backlog out of memory.
        batchSize: 10,
      },
      logger: ctx.logger.child({ component: 'store' }),
    });
    const writer = new StoreWriter({
      consumer,
      influx,
      registry: ctx.registry,
      logger: ctx.logger.child({ component: 'store' }),
      metrics: storeMetrics(ctx.metrics),
      options: { batchSize: ctx.config.influx.batchSize, writesInFlight: ctx.config.influx.writesInFlight },
    });
    writer.on('error', (err) => ctx.logger.error({ err }, 'store writer stopped'));
    await ctx.lifecycle.add(part('store-writer', () => writer.start(), () => writer.close()));
    // Alert openings as points too, for Grafana's alert counts (deploy/grafana, docs/grafana.md).
    const alertPoints = new InfluxAlertPoints({
      redis: ctx.redis('alert-points'),
      streamKey: new RedisKeys(ctx.config.redis.prefix).eventLog(),
      influx,
      consumer: `alert-points-${ctx.config.instance}`,
      logger: ctx.logger.child({ component: 'alert-points' }),
    });
    await ctx.lifecycle.add(part('alert-points', () => alertPoints.start(), () => alertPoints.close()));
  },

  async analytics(ctx) {
    const { config, registry } = ctx;
    const owned = config.analytics.partitions === 'all' ? range(config.ingest.partitions) : config.analytics.partitions.split(',').map(Number);
    const bad = owned.filter((p) => p >= config.ingest.partitions);
    if (bad.length > 0) throw new AppError('RW_CONFIG_INVALID', `RW_ANALYTICS_PARTITIONS names partition(s) ${bad.join(', ')}, but RW_LOG_PARTITIONS is ${config.ingest.partitions}`);
    const sections = [...registry.sections.keys()].filter((id) => owned.includes(partitionOf(id, config.ingest.partitions)));
    const alerts = await ctx.alerts();
    const influx = ctx.influx();
    await ensureInflux(ctx);
    const readings = new InfluxReadings(influx, registry);
    let openKeys: Promise<Set<string>> | undefined;
    const reader = new LogConsumer({
      redis: ctx.redis('analytics-consumer'),
      // Few entries per read (each holds up to 1,000 readings): a backlog is caught up in bounded steps, not read into memory.
      options: { prefix: config.redis.prefix, partitions: owned, group: 'analytics', consumer: `analytics-${config.instance}`, batchSize: ANALYTICS_READ_ENTRIES },
      logger: ctx.logger.child({ component: 'analytics' }),
    });
    const worker = new AnalyticsWorker({
      registry,
      parameters: ctx.parameters,
      clock: ctx.clock,
      reader,
      sink: alerts,
      snapshots: new RedisSnapshotStore(ctx.redis('analytics-snapshots'), config.redis.prefix),
      history: readings,
      classWriter: readings,
      // Conditions the alerts side still holds raised; each analyzer picks the keys it owns.
      openKeys: async () => {
        openKeys ??= alerts
          .listAlerts({ status: ['open', 'acknowledged'], limit: 100_000, offset: 0 })
          .then(({ items }) => new Set(items.filter((a) => a.clearedAt === undefined).map((a) => a.key)));
        return openKeys;
      },
      sections,
      settings: { fullReadEntries: ANALYTICS_READ_ENTRIES },
      options: readOptionsFile(config.analytics.optionsFile) as never,
      logger: ctx.logger.child({ component: 'analytics' }),
    });
    worker.on('error', (err) => ctx.logger.error({ err }, 'analytics worker stopped'));
    ctx.analytics = worker;
    await ctx.lifecycle.add(
      part(
        'analytics',
        async () => {
          await reader.start();
          await worker.start();
        },
        () => worker.close(),
      ),
    );
  },

  async alerts(ctx) {
    await ctx.alerts();
    await ctx.transfers();
  },

  async api(ctx) {
    const gateway = await ctx.gateway();
    const alerts = await ctx.alerts();
    const keys = ctx.agencyKeys();
    const hub = new LiveEventHub({ redis: ctx.redis('live-events'), streamKey: alerts.keys.eventLog(), logger: ctx.logger.child({ component: 'live-events' }) });
    await ctx.lifecycle.add(part('live-events', () => hub.start(), () => hub.close()));
    const plugins: FastifyPluginAsync[] = [
      readingsIngestRoutes({ gateway, auth: new StationAuthenticator(ctx.registry) }),
      ...monitoringCentrePlugins({
        registry: ctx.registry,
        parameters: ctx.parameters,
        keys,
        influx: ctx.influx(),
        deadLetters: ctx.deadLetters(),
        gateway,
        diagnostics: new RedisStationDiagnostics({ redis: ctx.redis('api-diagnostics'), prefix: ctx.config.redis.prefix }),
        alerts,
        transfers: await ctx.transfers(),
        hub,
        clock: ctx.clock,
        tzOffsetMin: ctx.config.hj212.tzOffsetMin,
      }),
    ];
    if (ctx.config.publicView.enabled)
      plugins.push(
        publicViewRoutes({
          registry: ctx.registry,
          influx: ctx.influx(),
          closedTasks: async (limit) => (await alerts.listTasks({ status: ['closed'], limit, offset: 0 })).items,
          clock: ctx.clock,
          tzOffsetMin: ctx.config.hj212.tzOffsetMin,
          days: ctx.config.publicView.days,
          cacheSeconds: ctx.config.publicView.cacheSeconds,
          rateLimitPerMinute: ctx.config.publicView.rateLimitPerMinute,
        }),
      );
    const readinessRedis = ctx.redis('readiness');
    let app: App | undefined;
    await ctx.lifecycle.add(
      part(
        'api',
        async () => {
          app = await buildApp({
            logger: ctx.logger,
            metrics: ctx.metrics,
            bodyLimitBytes: ctx.config.http.bodyLimitBytes,
            trustProxy: ctx.config.http.trustProxy,
            readiness: {
              redis: async () => (await readinessRedis.ping()) === 'PONG',
              influxdb: () => ctx.influx().ping(),
              broker: () => brokerAnswers(ctx.services.mqttUrl),
            },
            plugins,
          });
          const address = await app.listen({ host: ctx.config.http.host, port: ctx.config.http.port });
          ctx.addresses.api = address;
          ctx.logger.info({ address }, 'API and dashboard listening');
        },
        async () => {
          await app?.close();
        },
      ),
    );
  },

  async hj212(ctx) {
    const gateway = await ctx.gateway();
    const server = new Hj212Server({
      registry: ctx.registry,
      parameters: ctx.parameters,
      gateway,
      logger: ctx.logger.child({ component: 'hj212' }),
      metricsRegistry: ctx.metrics,
      options: {
        host: ctx.config.hj212.host,
        port: ctx.config.hj212.port,
        timezoneOffsetMinutes: ctx.config.hj212.tzOffsetMin,
        clockWatch: { limitMs: ctx.config.hj212.clockLimitS * 1000 },
      },
      diagnostics: new RedisStationDiagnostics({ redis: ctx.redis('hj212-diagnostics'), prefix: ctx.config.redis.prefix }),
    });
    server.on('error', (err) => ctx.logger.error({ err }, 'hj212 server error'));
    ctx.stationCommanders.hj212 = server;
    await ctx.lifecycle.add(
      part(
        'hj212',
        async () => {
          await server.start();
          const address = server.address();
          if (address) ctx.addresses.hj212 = `${address.host}:${address.port}`;
        },
        () => server.close(),
      ),
    );
  },
};

/** Serves /metrics for a process without the api role (RW_METRICS_PORT). */
export async function startMetricsServer(ctx: Context): Promise<void> {
  const { createServer } = await import('node:http');
  const server = createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    ctx.metrics.metrics().then(
      (text) => response.writeHead(200, { 'content-type': ctx.metrics.contentType }).end(text),
      () => response.writeHead(500).end(),
    );
  });
  await ctx.lifecycle.add(
    part(
      'metrics',
      () => new Promise<void>((resolve, reject) => server.once('error', reject).listen(ctx.config.http.metricsPort, ctx.config.http.host, () => resolve())),
      () => new Promise<void>((resolve) => server.close(() => resolve())),
    ),
  );
  ctx.addresses.metrics = `http://${ctx.config.http.host}:${ctx.config.http.metricsPort}/metrics`;
}

async function ensureInflux(ctx: Context): Promise<void> {
  const influx = ctx.influx();
  for (let attempt = 1; ; attempt++) {
    try {
      await influx.ensureDatabase();
      return;
    } catch (err) {
      if (attempt >= 30) throw new Error(`InfluxDB at ${ctx.services.influxUrl} does not answer; check RW_INFLUX_URL and that influxd runs`, { cause: err });
      if (attempt === 1) ctx.logger.warn({ err }, 'InfluxDB not reachable yet; retrying');
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

async function brokerAnswers(url: string | undefined): Promise<boolean> {
  if (!url) return false;
  const { hostname: host, port } = new URL(url);
  const net = await import('node:net');
  return new Promise((resolve) => {
    const socket = net.connect({ host, port: Number(port) || 1883 }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(false));
  });
}

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

