/**
 * GECCO end to end (`npm run eval -- --replay-mqtt`, issue 5 "Evaluation":
 * "Run it once end to end too"). Starts real Redis, Mosquitto and InfluxDB
 * (platform/local/services.ts) on free loopback ports in a temp folder, runs
 * the roles ingest, store, analytics and alerts in this process through the
 * same composition as the CLI (loadConfig → createContext → ROLE_BUILDERS)
 * with RW_REGISTRY_FILE=config/eval/gecco-registry.yaml, publishes every row
 * of the file as a reading over MQTT QoS 1 (timestamps shifted by whole days
 * so the file ends within a day before now, spacing kept), waits until analytics has processed
 * every reading, and returns the analytics worker's alert events (from its
 * `events` emitter) and the alerts side's stored alerts.
 *
 * The pipeline reads its parameter table from bin/context.ts, which builds
 * `new ParameterTable()` (canonical parameters only), so it refuses the
 * evaluation registry (chlorine dioxide, redox, flows are unknown). Until
 * bin/context.ts reads a parameters file (proposed: RW_PARAMETERS_FILE with
 * config/parameters-file.ts; docs/evaluation.md), this harness extends the
 * canonical list *in this process only* for the duration of the run (and
 * restores it): a stop-gap, clearly not how a deployment is configured.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { createContext } from '../bin/context.js';
import { Lifecycle } from '../bin/lifecycle.js';
import { ROLE_BUILDERS, ROLE_NEEDS, type Role } from '../bin/roles.js';
import { loadConfig } from '../config/index.js';
import { loadParameterTable } from '../config/parameters-file.js';
import { CANONICAL_PARAMETERS, readingsTopic, type AlertEvent, type ParameterSpec } from '../domain/index.js';
import { startInflux, startMosquitto, startRedis, type LocalService } from '../platform/local/services.js';
import type { EvalStationConfig } from './eval-config.js';
import type { StreamRow } from './gecco.js';
import { geccoAnalyticsOptions, rowPayload } from './gecco-pipeline.js';

export interface ReplayMqttInput {
  readonly cfg: EvalStationConfig;
  readonly rows: readonly StreamRow[];
  readonly registryPath: string;
  readonly parametersPath: string;
  /** Rows per MQTT message (1 = one reading per publish, as a live station sends). @defaultValue 1 */
  readonly batch?: number;
  /** Publishes awaiting PUBACK at most. @defaultValue 64 */
  readonly window?: number;
  /** Give up waiting for analytics after this long (the whole run is meant to stay under 10 min). @defaultValue 480000 */
  readonly timeoutMs?: number;
  /**
   * Reorder-buffer hold of the analytics worker (analytics option `reorder.watermarkDelayMs`); the
   * default 60 s makes the last reading wait a minute. Tests shorten it; the CLI keeps the default.
   */
  readonly watermarkDelayMs?: number;
  /** Progress lines (stderr by default). */
  readonly progress?: (line: string) => void;
}

export interface ReplayMqttResult {
  /** Added to every 2016 timestamp. */
  readonly shiftMs: number;
  readonly published: { readonly messages: number; readonly readings: number; readonly ms: number };
  /** Rows not published: every signal missing (ingest would refuse them). */
  readonly emptyRows: number;
  readonly events: readonly AlertEvent[];
  readonly analytics: { readonly readings: number; readonly late: number; readonly stale: number; readonly events: number };
  /** Alerts the alerts side stored for the station, by kind. */
  readonly storedAlerts: Record<string, number>;
  /** Every alert the alerts side stored: key, kind, raise events counted into it, highest level, status. */
  readonly storedDetail: readonly { key: string; kind: string; occurrences: number; maxLevel: string; status: string }[];
  readonly parameterWiring: 'RW_PARAMETERS_FILE' | 'in-process stop-gap';
  readonly timings: { readonly servicesMs: number; readonly rolesMs: number; readonly drainMs: number; readonly totalMs: number };
  readonly timedOut: boolean;
}

const ROLES: readonly Role[] = ['ingest', 'store', 'analytics', 'alerts'];

export async function replayOverMqtt(input: ReplayMqttInput): Promise<ReplayMqttResult> {
  const say = input.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  const t0 = Date.now();
  const dir = await mkdtemp(join(tmpdir(), 'riverwatch-eval-'));
  const services: LocalService[] = [];
  const lifecycle = new Lifecycle(pino({ level: 'silent' }));
  let restoreParameters: (() => void) | undefined;
  try {
    const [redis, mosquitto, influx] = await Promise.all([
      startRedis({ dir: join(dir, 'redis') }),
      startMosquitto({ dir: join(dir, 'mosquitto') }),
      startInflux({ dir: join(dir, 'influx') }),
    ]);
    services.push(redis, mosquitto, influx);
    const servicesMs = Date.now() - t0;
    say(`  services up in ${servicesMs} ms: ${redis.url} ${mosquitto.url} ${influx.url} (data in ${dir})`);

    const optionsFile = join(dir, 'analytics-options.json');
    const options = {
      ...geccoAnalyticsOptions(input.cfg),
      ...(input.watermarkDelayMs === undefined ? {} : { reorder: { watermarkDelayMs: input.watermarkDelayMs } }),
    };
    await writeFile(optionsFile, JSON.stringify(options));
    const last = input.rows[input.rows.length - 1]?.ts ?? 0;
    const first = input.rows[0]?.ts ?? 0;
    // A whole number of days, ending 2 min to 24 h before now: every reading is in the past, keeps its spacing and its
    // place in epoch-aligned buckets (the detectors' hourly operating envelope, the trend's 45-min buckets). A shift by
    // whole minutes only moved those boundaries and changed 1 of 49 episodes in one run.
    const shiftMs = Math.floor((Date.now() - 120_000 - last) / 86_400_000) * 86_400_000;
    const spanMs = last - first;
    const env: Record<string, string> = {
      RW_REDIS_URL: redis.url,
      RW_INFLUX_URL: influx.url,
      RW_MQTT_URL: mosquitto.url,
      RW_REDIS_PREFIX: 'rweval',
      RW_INFLUX_DATABASE: 'rweval',
      RW_MQTT_CLIENT_ID: 'rweval-ingest',
      RW_MQTT_SHARE_GROUP: 'rweval',
      RW_REGISTRY_FILE: input.registryPath,
      RW_PARAMETERS_FILE: input.parametersPath,
      RW_ANALYTICS_OPTIONS_FILE: optionsFile,
      // The file spans ~59 days; ingest refuses readings older than this (default 30 days).
      RW_INGEST_MAX_AGE_MS: String(Math.min(31_622_400_000, spanMs + 7 * 86_400_000)),
      RW_DATA_DIR: join(dir, 'data'),
      RW_HTTP_PORT: '0',
      RW_HJ212_PORT: '0',
      RW_LOG_LEVEL: 'warn',
    };
    const config = loadConfig(env);
    const wired = typeof (config as unknown as Record<string, unknown>).parametersFile === 'string';
    if (!wired) restoreParameters = extendCanonicalParameters(loadParameterTable(input.parametersPath).all());
    const logger = pino({ level: 'warn', base: { component: 'eval-replay' } }, pino.destination(2));
    const rolesT0 = Date.now();
    const needs = {
      redis: ROLES.some((r) => ROLE_NEEDS[r].redis),
      influx: ROLES.some((r) => ROLE_NEEDS[r].influx),
      mqtt: ROLES.some((r) => ROLE_NEEDS[r].mqtt),
    };
    const ctx = await createContext(config, logger, lifecycle, needs, ROLES);
    for (const role of ROLES) await ROLE_BUILDERS[role](ctx);
    const worker = ctx.analytics;
    if (!worker) throw new Error('the analytics role did not start a worker');
    const events: AlertEvent[] = [];
    worker.on('events', (evs) => events.push(...evs));
    const rolesMs = Date.now() - rolesT0;
    say(
      `  roles ${ROLES.join(', ')} started in ${rolesMs} ms; parameters: ${wired ? 'RW_PARAMETERS_FILE' : 'in-process stop-gap (bin/context.ts has no parameters file yet)'}`,
    );

    const pub = await publishRows(mosquitto.url, input, shiftMs, say);
    say(
      `  published ${pub.readings} readings in ${pub.messages} messages in ${(pub.ms / 1000).toFixed(1)} s (${Math.round(pub.readings / (pub.ms / 1000))} readings/s)`,
    );

    const drainT0 = Date.now();
    const deadline = t0 + (input.timeoutMs ?? 480_000);
    let timedOut = false;
    let lastReport = Date.now();
    while (worker.stats.readings < pub.readings) {
      if (Date.now() > deadline) {
        timedOut = true;
        break;
      }
      if (Date.now() - lastReport > 15_000) {
        say(`  analytics: ${worker.stats.readings}/${pub.readings} readings processed`);
        lastReport = Date.now();
      }
      await sleep(250);
    }
    // The events of the last readings are handed over right after they are counted: let them settle.
    for (let stable = 0, seen = -1; stable < 8;) {
      await sleep(250);
      stable = worker.stats.events === seen ? stable + 1 : 0;
      seen = worker.stats.events;
    }
    const drainMs = Date.now() - drainT0;
    const alerts = await ctx.alerts();
    const { items } = await alerts.listAlerts({ limit: 100_000, offset: 0 });
    const storedAlerts: Record<string, number> = {};
    for (const a of items) storedAlerts[a.kind] = (storedAlerts[a.kind] ?? 0) + 1;
    let stale = 0;
    const analyzer = worker.analyzer(input.cfg.station.sectionId);
    if (analyzer) stale = analyzer.stats.stale;
    return {
      shiftMs,
      published: pub,
      emptyRows: input.rows.length - pub.readings,
      events,
      analytics: { readings: worker.stats.readings, late: worker.stats.late, stale, events: worker.stats.events },
      storedAlerts,
      storedDetail: items.map((a) => ({
        key: a.key,
        kind: a.kind,
        occurrences: a.occurrences,
        maxLevel: a.maxLevel ?? '-',
        status: a.status,
      })),
      parameterWiring: wired ? 'RW_PARAMETERS_FILE' : 'in-process stop-gap',
      timings: { servicesMs, rolesMs, drainMs, totalMs: Date.now() - t0 },
      timedOut,
    };
  } finally {
    await lifecycle.close().catch(() => undefined);
    restoreParameters?.();
    await Promise.all(services.map((s) => s.close().catch(() => undefined)));
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * STOP-GAP (see the file comment): makes `new ParameterTable()` — what
 * bin/context.ts builds — include the evaluation parameters, by replacing the
 * contents of the canonical list in this process. Returns the undo.
 */
function extendCanonicalParameters(specs: readonly ParameterSpec[]): () => void {
  const list = CANONICAL_PARAMETERS as ParameterSpec[];
  const saved = [...list];
  list.splice(0, list.length, ...specs);
  return () => void list.splice(0, list.length, ...saved);
}

/** Publishes the rows in order on one connection (QoS 1, a bounded window), as the station's gateway would. */
async function publishRows(
  url: string,
  input: ReplayMqttInput,
  shiftMs: number,
  say: (line: string) => void,
): Promise<{ messages: number; readings: number; ms: number }> {
  const { cfg, rows } = input;
  const batch = Math.max(1, Math.min(1000, input.batch ?? 1));
  const window = Math.max(1, input.window ?? 64);
  const topic = readingsTopic(cfg.station.sectionId, cfg.station.id);
  const bodies: string[] = [];
  let readings = 0;
  let pending: ReturnType<typeof rowPayload>[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    bodies.push(JSON.stringify(pending.length === 1 ? pending[0] : { readings: pending }));
    pending = [];
  };
  rows.forEach((row, i) => {
    const p = rowPayload(cfg.station.id, row, shiftMs, i + 1);
    if (!p) return;
    readings++;
    pending.push(p);
    if (pending.length >= batch) flush();
  });
  flush();
  const client = await mqtt.connectAsync(url, {
    clientId: `rweval-gateway-${process.pid}`,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 500,
  });
  const t0 = Date.now();
  try {
    let next = 0;
    let done = 0;
    let lastReport = Date.now();
    const lane = async (): Promise<void> => {
      while (next < bodies.length) {
        const body = bodies[next++] as string;
        // A gateway retries until the broker acknowledges.
        for (let attempt = 1; ; attempt++) {
          try {
            await client.publishAsync(topic, body, { qos: 1 });
            break;
          } catch (err) {
            if (attempt >= 20) throw err;
            await sleep(250);
          }
        }
        done++;
        if (Date.now() - lastReport > 15_000) {
          say(`  published ${done}/${bodies.length} messages`);
          lastReport = Date.now();
        }
      }
    };
    await Promise.all(Array.from({ length: window }, lane));
  } finally {
    await client.endAsync().catch(() => undefined);
  }
  return { messages: bodies.length, readings, ms: Date.now() - t0 };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
