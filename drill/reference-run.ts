/**
 * A single-process run of the same readings, for comparison: every role in
 * one process with its embedded broker (what `riverwatch start` runs), fed
 * at full speed over one MQTT connection per station, on its own Redis key
 * prefix and InfluxDB database. Returns the alerts and tasks it made.
 */
import type { Alert, Task } from '../platform/redis/alerts/index.js';
import { createContext, type Context } from '../bin/context.js';
import { Lifecycle } from '../bin/lifecycle.js';
import { ROLE_BUILDERS, type Role } from '../bin/roles.js';
import { loadConfig } from '../config/index.js';
import type { Registry } from '../domain/index.js';
import { freePort } from '../platform/local/services.js';
import { silentLogger } from '../platform/logger.js';
import type { StationMessage } from '../simulators/index.js';
import { AckLedger } from './ack-ledger.js';
import { MqttGateways } from './gateways.js';
import { LoadDriver } from './load-driver.js';
import { waitForDrain } from './drain.js';
import type { DrillReport } from './report.js';
import { alertSignature, readAlertsAndTasks, taskSignature } from './verify.js';

export interface ReferenceOptions {
  readonly registry: Registry;
  readonly messages: readonly StationMessage[];
  readonly tokens: Readonly<Record<string, string>>;
  readonly redisUrl: string;
  /** Settings of another Redis topology (RW_REDIS_MODE, RW_REDIS_CLUSTER_NODES, …), used instead of `redisUrl`. */
  readonly redisEnv?: Readonly<Record<string, string>>;
  /** An analytics options file (RW_ANALYTICS_OPTIONS_FILE). */
  readonly analyticsOptionsFile?: string;
  /** Readings-log partitions. @defaultValue 1 */
  readonly partitions?: number;
  readonly influxUrl: string;
  readonly prefix: string;
  readonly database: string;
  /** @defaultValue 180000 */
  readonly timeoutMs?: number;
  /** Spread the load over this much wall time instead of sending it as fast as the windows allow. @defaultValue 0 */
  readonly loadDurationMs?: number;
  /** Runs while the load is sent (e.g. a fault); the run waits for it before draining. */
  readonly during?: (run: { readonly ctx: Context; readonly ledger: AckLedger; readonly prefix: string }) => Promise<void>;
}

export async function referenceRun(options: ReferenceOptions): Promise<{ alerts: Alert[]; tasks: Task[]; ledger: AckLedger }> {
  const roles: Role[] = ['ingest', 'store', 'analytics', 'alerts'];
  const config = loadConfig({
    ...(options.redisEnv ?? { RW_REDIS_URL: options.redisUrl }),
    RW_LOG_PARTITIONS: String(options.partitions ?? 1),
    ...(options.analyticsOptionsFile ? { RW_ANALYTICS_OPTIONS_FILE: options.analyticsOptionsFile } : {}),
    RW_INFLUX_URL: options.influxUrl,
    RW_MQTT_URL: '',
    RW_MQTT_EMBEDDED_PORT: String(await freePort()),
    RW_REDIS_PREFIX: options.prefix,
    RW_INFLUX_DATABASE: options.database,
    RW_LOG_LEVEL: 'silent',
  });
  const logger = silentLogger();
  const lifecycle = new Lifecycle(logger);
  try {
    const ctx = await createContext(config, logger, lifecycle, { redis: true, influx: true, mqtt: true }, roles);
    for (const role of roles) await ROLE_BUILDERS[role](ctx);
    const ledger = new AckLedger();
    const gateways = new MqttGateways({
      url: ctx.services.mqttUrl as string,
      stationIds: [...options.registry.stations.keys()],
      tokens: options.tokens,
      ledger,
      clientIdPrefix: 'ref-',
    });
    await gateways.start();
    try {
      const driver = new LoadDriver({
        messages: options.messages,
        pathOf: () => 'mqtt',
        gateways: { mqtt: gateways },
        durationMs: options.loadDurationMs ?? 0,
        windows: { mqtt: 100 },
      });
      driver.start();
      await Promise.all([driver.finished(), options.during?.({ ctx, ledger, prefix: config.redis.prefix })]);
    } finally {
      await gateways.close();
    }
    const redis = ctx.redis('reference-probe');
    // The prefix as the roles use it: on a Redis Cluster it is a hash tag (config/load-config.ts).
    const drain = await waitForDrain(redis, config.redis.prefix, config.ingest.partitions, options.timeoutMs ?? 180_000);
    if (!drain.drained) throw new Error(`the reference run did not catch up in time (${drain.detail})`);
    return { ...(await readAlertsAndTasks(redis, options.registry, config.redis.prefix)), ledger };
  } finally {
    await lifecycle.close();
  }
}

/**
 * Runs the same readings through every role in one process (prefix `ref`,
 * database `reference`) and compares its alerts and tasks with the drill's.
 */
export async function compareWithReference(
  options: Omit<ReferenceOptions, 'prefix' | 'database'>,
  alerts: readonly Alert[],
  tasks: readonly Task[],
): Promise<NonNullable<DrillReport['reference']>> {
  const ref = await referenceRun({ ...options, prefix: 'ref', database: 'reference' });
  const drillSig = alertSignature(alerts);
  const refSig = alertSignature(ref.alerts);
  return {
    same: drillSig.filter((a) => refSig.includes(a)).length,
    onlyInDrill: drillSig.filter((a) => !refSig.includes(a)),
    onlyInReference: refSig.filter((a) => !drillSig.includes(a)),
    tasksSame: JSON.stringify(taskSignature(tasks)) === JSON.stringify(taskSignature(ref.tasks)),
  };
}
