/**
 * The whole monitoring-centre API on real Redis and InfluxDB from the
 * harness: the sample registry, agency keys for a few agencies, the alerts
 * service (workers on, so tasks open and the event log flows), the live
 * event hub, a real ingest gateway (for dead-letter replay), and the app as
 * `buildApp` builds it with `monitoringCentrePlugins`.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyPluginAsync } from 'fastify';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { Registry as MetricsRegistry } from 'prom-client';
import { startServices, type TestServices } from '../../harness/services.js';
import { AlertsService, TransferService, type AlertsConfigInput } from '../../../platform/redis/alerts/index.js';
import { createAgencyKey } from '../../../bin/agency-keys-cli.js';
import { loadRegistryFile } from '../../../config/index.js';
import {
  ParameterTable,
  systemClock,
  type AlertEvent,
  type Clock,
  type Reading,
  type Registry,
  type StationCommand,
  type StationCommander,
} from '../../../domain/index.js';
import { DeadLetterStore } from '../../../platform/redis/readings/dead-letters.js';
import { PipelineGateway } from '../../../ingest/gateway.js';
import { readingToLine } from '../../../platform/influx/line-protocol.js';
import { RedisReadingsLog } from '../../../platform/redis/readings/readings-log.js';
import { InfluxStore } from '../../../platform/influx/client.js';
import { ingestMetrics } from '../../../platform/metrics.js';
import { buildApp, type App } from '../../../api/app.js';
import { AgencyKeyStore } from '../../../api/auth/index.js';
import { LiveEventHub } from '../../../platform/redis/live-events.js';
import { monitoringCentrePlugins } from '../../../api/monitoring-centre.js';
import { RedisStationDiagnostics } from '../../../platform/redis/readings/diagnostics-store.js';
import type { RangeLimits } from '../../../api/queries/time-range.js';

export const logger = pino({ level: process.env.RW_TEST_LOG ?? 'silent' });

/** Agencies that get a key: counties on both sides of two boundaries, their city and province, the basin bureau (operator), and one on another river. */
export const AGENCIES = ['wujiang', 'jiashan', 'qingpu', 'suzhou', 'js', 'taihu-bureau', 'lancang', 'menghai'] as const;
export type AgencyId = (typeof AGENCIES)[number];

/** Stations acknowledge commands at once (the tests here are not about MQTT). */
class AckingCommander implements StationCommander {
  readonly #listeners = new Set<(ack: { id: string; stationId: string; ok: boolean; ts: number }) => void>();
  onAck(listener: (ack: { id: string; stationId: string; ok: boolean; ts: number }) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  async send(cmd: StationCommand): Promise<void> {
    setTimeout(() => {
      for (const l of this.#listeners) l({ id: cmd.id, stationId: cmd.stationId, ok: true, ts: Date.now() });
    }, 5);
  }
}

export interface ApiFixture {
  readonly svc: TestServices<{ redis: true; influx: true }>;
  readonly registry: Registry;
  readonly influx: InfluxStore;
  readonly redis: Redis;
  readonly alerts: AlertsService;
  readonly transfers: TransferService;
  readonly hub: LiveEventHub;
  readonly deadLetters: DeadLetterStore;
  /** HJ 212 station diagnostics (served at /api/v1/diagnostics). */
  readonly diagnostics: RedisStationDiagnostics;
  readonly readingsLog: RedisReadingsLog;
  /** Prefix of every Redis key of this fixture (readings log, dead letters, alerts). */
  readonly keyPrefix: string;
  /** The ingest gateway dead letters are replayed through. */
  readonly gateway: PipelineGateway;
  readonly app: App;
  /** Set when started with `listen: true`. */
  readonly baseUrl: string | undefined;
  readonly key: Record<AgencyId, string>;
  headers(agency: AgencyId): { authorization: string };
  /** Writes readings to InfluxDB exactly as the store writer does. */
  writeReadings(readings: readonly Reading[]): Promise<void>;
  /** Writes hourly class points as analytics does (measurement `section_class`). */
  writeSectionClass(points: readonly { sectionId: string; ts: number; cls: number; deciding: string[] }[]): Promise<void>;
  /** Injects alert events through the alerts stage's own entry point (what analytics calls). */
  publish(events: readonly AlertEvent[]): Promise<void>;
  close(): Promise<void>;
}

const FAST: AlertsConfigInput = {
  autoResolveHoldMs: 60_000,
  lockDurationMs: 2000,
  stalledIntervalMs: 1000,
  dispatchClaimIdleMs: 1000,
  sweepIntervalMs: 0,
  webhook: { attempts: 1, backoffMs: 100, timeoutMs: 1000 },
  commandAckTimeoutMs: 1000,
  commandRetryBaseMs: 200,
  commandRetryMaxMs: 500,
};

export interface ApiFixtureOptions {
  /** Listen on a free port (for a browser); otherwise use `app.inject()`. */
  readonly listen?: boolean;
  readonly limits?: Partial<RangeLimits>;
  /** Plugins registered before the API's (e.g. an onRoute recorder). */
  readonly before?: readonly FastifyPluginAsync[];
  /** Alerts settings on top of the fast test defaults (e.g. reminders). */
  readonly alerts?: AlertsConfigInput;
}

/** The app as `buildApp` builds it for a test: silent logger, no readiness checks, limits out of the way. */
export function buildTestApp(plugins: readonly FastifyPluginAsync[], metrics = new MetricsRegistry()): Promise<App> {
  return buildApp({ logger, metrics, readiness: {}, bodyLimitBytes: 1_048_576, rateLimitPerMinute: 100_000, plugins });
}

/** Redis and InfluxDB from the harness, the sample registry, an InfluxDB database of its own; what is deferred is undone in reverse on close. */
export interface Stores {
  readonly svc: TestServices<{ redis: true; influx: true }>;
  readonly registry: Registry;
  readonly influx: InfluxStore;
  defer(cleanup: () => Promise<unknown> | unknown): void;
  /** The alerts stage on `redis` under `keyPrefix`, started; closed (forced) on close. */
  startAlerts(
    redis: Redis,
    keyPrefix: string,
    stage: { readonly config: AlertsConfigInput; readonly commander: StationCommander; readonly clock?: Clock },
  ): Promise<AlertsService>;
  close(): Promise<void>;
}

export async function startStores(database: string): Promise<Stores> {
  const svc = await startServices({ redis: true, influx: true });
  const cleanups: (() => Promise<unknown> | unknown)[] = [() => svc.close()];
  const close = async (): Promise<void> => {
    for (const fn of cleanups.reverse()) await Promise.resolve(fn()).catch(() => undefined);
  };
  try {
    const registry = loadRegistryFile('config/registry.yaml');
    const influx = new InfluxStore({ url: svc.influx.url, api: 'v1', database: svc.uniqueName(database) });
    await influx.ensureDatabase();
    cleanups.push(() => influx.close());
    const startAlerts: Stores['startAlerts'] = async (redis, keyPrefix, stage) => {
      const alerts = new AlertsService({
        redis,
        registry,
        logger,
        metricsRegistry: new MetricsRegistry(),
        commander: stage.commander,
        ...(stage.clock ? { clock: stage.clock } : {}),
        config: { ...stage.config, keyPrefix, queuePrefix: `${keyPrefix}q` },
      });
      await alerts.start();
      cleanups.push(() => alerts.close({ force: true }));
      return alerts;
    };
    return { svc, registry, influx, defer: (fn) => void cleanups.push(fn), startAlerts, close };
  } catch (err) {
    await close();
    throw err;
  }
}

export async function startApiFixture(options: ApiFixtureOptions = {}): Promise<ApiFixture> {
  const { svc, registry, influx, defer, startAlerts, close } = await startStores('rw');
  try {
    const parameters = new ParameterTable();
    const redis = new Redis(svc.redis.url, { maxRetriesPerRequest: null });
    defer(() => redis.disconnect());

    const keyPrefix = svc.uniqueName('rw');
    const alerts = await startAlerts(redis, keyPrefix, { config: { ...FAST, ...options.alerts }, commander: new AckingCommander() });
    const transfers = new TransferService({ redis, registry, keys: alerts.keys, config: alerts.config, notifier: alerts.notifier, logger });
    const hub = new LiveEventHub({ redis, streamKey: alerts.keys.eventLog(), logger });
    await hub.start();
    defer(() => hub.close());

    const keys = new AgencyKeyStore({ redis, keys: alerts.keys, clock: systemClock });
    const key = {} as Record<AgencyId, string>;
    for (const agencyId of AGENCIES)
      key[agencyId] = (await createAgencyKey(agencyId, { redis, keyPrefix, registry, label: 'test' })).key;

    const metrics = new MetricsRegistry();
    const deadLetters = new DeadLetterStore({ redis, prefix: keyPrefix });
    const diagnostics = new RedisStationDiagnostics({ redis, prefix: keyPrefix });
    const readingsLog = new RedisReadingsLog({
      redis,
      options: { prefix: keyPrefix, partitions: 1, groups: ['store'], highWater: 1_000_000 },
      logger,
      metrics: ingestMetrics(metrics),
    });
    await readingsLog.start();
    defer(() => readingsLog.close());
    const gateway = new PipelineGateway({
      registry,
      parameters,
      limits: { maxFutureMs: 300_000, maxAgeMs: 30 * 86_400_000, maxBatch: 1000 },
      log: readingsLog,
      deadLetters,
      clock: systemClock,
      logger,
      metrics: ingestMetrics(metrics),
    });

    const app = await buildTestApp(
      [
        ...(options.before ?? []),
        ...monitoringCentrePlugins({
          registry,
          parameters,
          keys,
          influx,
          deadLetters,
          gateway,
          diagnostics,
          alerts,
          transfers,
          hub,
          ...(options.limits ? { limits: options.limits } : {}),
        }),
      ],
      metrics,
    );
    defer(() => app.close());
    let baseUrl: string | undefined;
    if (options.listen) {
      await app.listen({ port: 0, host: '127.0.0.1' });
      baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    } else {
      await app.ready();
    }

    return {
      svc,
      registry,
      influx,
      redis,
      alerts,
      transfers,
      hub,
      deadLetters,
      diagnostics,
      readingsLog,
      keyPrefix,
      gateway,
      app,
      baseUrl,
      key,
      headers: (agency) => ({ authorization: `Bearer ${key[agency]}` }),
      writeReadings: async (readings) => {
        const lines = readings.map((r) => readingToLine(r, registry.section(r.sectionId)?.riverId ?? 'unknown'));
        for (let i = 0; i < lines.length; i += 5000) await influx.writeLines(lines.slice(i, i + 5000));
      },
      writeSectionClass: async (points) => {
        const lines = points.map((p) => {
          const river = registry.section(p.sectionId)?.riverId ?? 'unknown';
          return `section_class,river=${river},section=${p.sectionId} class=${p.cls}i,deciding="${p.deciding.join(',')}" ${p.ts}`;
        });
        await influx.writeLines(lines);
      },
      publish: (events) => alerts.publish(events),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** A reading as ingest hands it to the store writer. */
export function reading(
  stationId: string,
  sectionId: string,
  ts: number,
  values: Record<string, number>,
  flags: Record<string, 'M' | 'D' | 'T'> = {},
): Reading {
  return { stationId, sectionId, ts, values, flags, source: 'http', receivedAt: ts };
}

/** An analytics alert event at a section (what analytics hands to AlertsService.publish). */
export function alertEvent(overrides: Partial<AlertEvent> & Pick<AlertEvent, 'sectionId'>): AlertEvent {
  return {
    type: 'raise',
    key: `exceedance:${overrides.sectionId}:nh3n`,
    kind: 'exceedance',
    level: 'yellow',
    stationId: undefined,
    parameters: ['nh3n'],
    ts: Date.now(),
    message: 'ammonia nitrogen above the class III limit for 30 min',
    evidence: { values: { nh3n: 1.62 }, limit: { nh3n: 1.0 } },
    ...overrides,
  };
}

export { waitFor } from '../alerts/helpers.js';
