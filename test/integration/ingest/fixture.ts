/**
 * Runs RiverWatch roles in this process against harness services, through
 * the same composition as the CLI (loadConfig → createContext → roles).
 */
import { loadConfig, type Config } from '../../../config/index.js';
import { createContext, type Context } from '../../../bin/context.js';
import { Lifecycle } from '../../../bin/lifecycle.js';
import { ROLE_BUILDERS, ROLE_NEEDS, type Role } from '../../../bin/roles.js';
import { silentLogger } from '../../../platform/logger.js';
import type { TestServices } from '../../harness/services.js';

export interface RunningRoles {
  readonly ctx: Context;
  readonly config: Config;
  close(): Promise<void>;
}

/** Environment pointing RiverWatch at the harness services, with unique names. */
export function harnessEnv(svc: TestServices, extra: Record<string, string> = {}): Record<string, string> {
  return {
    RW_REDIS_URL: svc.redis?.url ?? '',
    RW_INFLUX_URL: svc.influx?.url ?? '',
    RW_MQTT_URL: svc.mosquitto?.url ?? '',
    RW_REDIS_PREFIX: svc.uniqueName('rw'),
    RW_INFLUX_DATABASE: svc.uniqueName('db'),
    RW_MQTT_CLIENT_ID: svc.uniqueName('ingest'),
    RW_MQTT_SHARE_GROUP: svc.uniqueName('grp'),
    RW_HTTP_PORT: '0',
    RW_HJ212_PORT: '0',
    RW_LOG_LEVEL: 'silent',
    ...extra,
  };
}

export async function runRoles(roles: readonly Role[], env: Record<string, string>): Promise<RunningRoles> {
  const config = loadConfig(env);
  const logger = silentLogger();
  const lifecycle = new Lifecycle(logger);
  const needs = {
    redis: roles.some((r) => ROLE_NEEDS[r].redis),
    influx: roles.some((r) => ROLE_NEEDS[r].influx),
    mqtt: roles.some((r) => ROLE_NEEDS[r].mqtt),
  };
  const ctx = await createContext(config, logger, lifecycle, needs, roles);
  for (const role of roles) await ROLE_BUILDERS[role](ctx);
  return { ctx, config, close: () => lifecycle.close() };
}

/** Polls until `check` returns true or the time is up. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 20_000, intervalMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
