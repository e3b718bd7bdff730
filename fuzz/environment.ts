/**
 * The system under fuzz: real Redis, Mosquitto (shipped configuration with
 * the registry's ACL and a password file) and InfluxDB 1.x started on free
 * loopback ports in a temp folder, and the ingest, store, api and hj212
 * roles run in this process through the same composition as the CLI
 * (loadConfig → createContext → ROLE_BUILDERS), like
 * test/integration/ingest/fixture.ts. The roles log at `info` to a file
 * with the production redaction paths, so the run can be searched for
 * leaked secrets afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { createContext, type Context } from '../bin/context.js';
import { Lifecycle } from '../bin/lifecycle.js';
import { ROLE_BUILDERS, ROLE_NEEDS, type Role } from '../bin/roles.js';
import { loadConfig, loadRegistryFile, type Config } from '../config/index.js';
import type { Registry } from '../domain/index.js';
import { startInflux, startMosquitto, startRedis, type LocalService } from '../platform/local/services.js';
import { REDACT_PATHS, type Logger } from '../platform/logger.js';
import { renderMosquittoAcl, renderMosquittoPasswordFile } from '../platform/mqtt/mosquitto-config.js';

/** The roles the fuzzer drives (analytics and alerts see no outside input). */
export const FUZZ_ROLES: readonly Role[] = ['ingest', 'store', 'api', 'hj212'];

/**
 * A test-only MQTT user allowed to publish on any topic, so the fuzzer can
 * reach the ingress's own topic checks; real stations are held to their own
 * topic by the ACL (probed separately with station credentials).
 */
export const RAW_PUBLISHER = 'fuzz-raw';

export interface FuzzEnvironment {
  readonly dir: string;
  readonly ctx: Context;
  readonly config: Config;
  readonly registry: Registry;
  readonly logFile: string;
  readonly mqttUrl: string;
  /** Station id → token (MQTT password and HTTP bearer token). */
  readonly stationTokens: Readonly<Record<string, string>>;
  readonly rawPublisherPassword: string;
  readonly servicePassword: string;
  readonly apiUrl: string;
  readonly hj212: { host: string; port: number };
  readonly services: { redis: LocalService; mosquitto: LocalService; influx: LocalService };
  /** Flushes the role log to disk. */
  flushLog(): Promise<void>;
  /** Closes the roles, then the services, then removes the folder (unless kept). */
  close(keepDir: boolean): Promise<void>;
}

/** Starts services and roles; `repoRoot` locates the registry and the sample station secrets. */
export async function startFuzzEnvironment(options: {
  repoRoot: string;
  stationTokens: Readonly<Record<string, string>>;
  say: (line: string) => void;
}): Promise<FuzzEnvironment> {
  const dir = await mkdtemp(join(tmpdir(), 'riverwatch-fuzz-'));
  const registryFile = resolve(options.repoRoot, 'config/registry.yaml');
  const registry = loadRegistryFile(registryFile);
  const servicePassword = randomBytes(18).toString('base64url');
  const rawPublisherPassword = randomBytes(18).toString('base64url');
  const serviceUser = 'riverwatch-ingest';

  const aclFile = join(dir, 'mosquitto.acl');
  const passwordFile = join(dir, 'mosquitto.passwd');
  const acl = `${renderMosquittoAcl(registry, { serviceUsers: [serviceUser] })}\n# fuzz only: a raw publisher that may use any topic\nuser ${RAW_PUBLISHER}\ntopic write #\n`;
  await writeFile(aclFile, acl);
  await writeFile(
    passwordFile,
    renderMosquittoPasswordFile([
      { username: serviceUser, password: servicePassword },
      { username: RAW_PUBLISHER, password: rawPublisherPassword },
      ...Object.entries(options.stationTokens).map(([username, password]) => ({ username, password })),
    ]),
  );

  const logFile = join(dir, 'riverwatch.log');
  const destination = pino.destination({ dest: logFile, sync: false, minLength: 8192 });
  const logger: Logger = pino({ name: 'riverwatch', level: 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, destination);

  options.say(`starting redis-server, mosquitto and influxd in ${dir}`);
  const started = await Promise.allSettled([
    startRedis({ dir: join(dir, 'redis'), appendOnly: true }),
    startMosquitto({ dir: join(dir, 'mosquitto'), passwordFile, aclFile }),
    startInflux({ dir: join(dir, 'influx') }),
  ]);
  const handles = started.map((s) => (s.status === 'fulfilled' ? s.value : undefined));
  const failed = started.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed.length > 0) {
    await Promise.all(handles.map((h) => h?.close().catch(() => undefined)));
    throw new AggregateError(failed.map((f) => f.reason as unknown), `services did not start (logs in ${dir})`);
  }
  const [redis, mosquitto, influx] = handles as [LocalService, LocalService, LocalService];

  const config = loadConfig({
    RW_REGISTRY_FILE: registryFile,
    RW_DATA_DIR: join(dir, 'data'),
    RW_REDIS_URL: redis.url,
    RW_INFLUX_URL: influx.url,
    RW_INFLUX_DATABASE: 'riverwatch_fuzz',
    RW_MQTT_URL: mosquitto.url,
    RW_MQTT_USERNAME: serviceUser,
    RW_MQTT_PASSWORD: servicePassword,
    RW_MQTT_CLIENT_ID: 'fuzz-ingest',
    RW_MQTT_SHARE_GROUP: 'fuzz',
    RW_REDIS_PREFIX: 'fz',
    RW_HTTP_PORT: '0',
    RW_HJ212_PORT: '0',
    // analytics does not run here: only the store group has to acknowledge.
    RW_LOG_GROUPS: 'store',
    RW_LOG_LEVEL: 'info',
  });
  const lifecycle = new Lifecycle(logger);
  const closeServices = async (keepDir: boolean): Promise<void> => {
    await Promise.all([redis, mosquitto, influx].map((s) => s.close().catch(() => undefined)));
    if (!keepDir) await rm(dir, { recursive: true, force: true });
  };
  let ctx: Context;
  try {
    ctx = await createContext(config, logger, lifecycle, {
      redis: FUZZ_ROLES.some((r) => ROLE_NEEDS[r].redis),
      influx: FUZZ_ROLES.some((r) => ROLE_NEEDS[r].influx),
      mqtt: FUZZ_ROLES.some((r) => ROLE_NEEDS[r].mqtt),
    });
    for (const role of FUZZ_ROLES) await ROLE_BUILDERS[role](ctx);
  } catch (err) {
    await lifecycle.close();
    await closeServices(true);
    throw err;
  }
  const hj212Address = ctx.addresses.hj212 ?? '';
  const colon = hj212Address.lastIndexOf(':');
  let closing: Promise<void> | undefined;
  return {
    dir,
    ctx,
    config,
    registry,
    logFile,
    mqttUrl: mosquitto.url,
    stationTokens: options.stationTokens,
    rawPublisherPassword,
    servicePassword,
    apiUrl: ctx.addresses.api ?? '',
    hj212: { host: hj212Address.slice(0, colon), port: Number(hj212Address.slice(colon + 1)) },
    services: { redis, mosquitto, influx },
    flushLog: () => new Promise<void>((done) => destination.flush(() => done())),
    close: (keepDir) =>
      (closing ??= (async () => {
        await lifecycle.close();
        await new Promise<void>((done) => destination.flush(() => done()));
        await closeServices(keepDir);
      })()),
  };
}
