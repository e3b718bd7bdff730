/**
 * Simulated stations inside `riverwatch start --simulate [scenario]` (the main
 * job), and the `riverwatch simulate` command against a running pipeline.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Config } from '../config/index.js';
import { loadRegistryFile } from '../config/index.js';
import type { Logger } from '../platform/logger.js';
import { runSimulate } from '../simulators/index.js';
import type { Context } from './context.js';
import { part } from './lifecycle.js';

/** Runs the scenario against this process's broker until the process stops. */
export async function startEmbeddedSimulation(ctx: Context, scenario: string): Promise<void> {
  let run: ReturnType<typeof runSimulate> | undefined;
  await ctx.lifecycle.add(
    part(
      'simulated-stations',
      async () => {
        run = runSimulate(['--scenario', scenario], {
          registry: ctx.registry,
          logger: ctx.logger.child({ component: 'simulator' }),
          config: {
            mqttUrl: ctx.services.mqttUrl as string,
            ...(ctx.addresses.api ? { httpUrl: ctx.addresses.api } : {}),
            ...(ctx.addresses.hj212 ? { hj212Url: ctx.addresses.hj212 } : {}),
          },
        });
        run.done.then(
          (summary) => ctx.logger.info({ summary }, 'simulation finished'),
          (err: unknown) => ctx.logger.error({ err }, 'simulation failed'),
        );
      },
      async () => {
        await run?.close();
      },
    ),
  );
}

/**
 * Demo keys for the dashboard: one per agency of the registry, created once
 * and kept in RW_DATA_DIR/demo-agency-keys.txt (only their hashes are in Redis).
 */
export async function ensureDemoAgencyKeys(ctx: Context): Promise<string> {
  const file = join(resolve(ctx.config.dataDir), 'demo-agency-keys.txt');
  const store = ctx.agencyKeys();
  if (existsSync(file)) {
    const keys = readFileSync(file, 'utf8').split('\n').map((l) => l.split(/\s+/)[1]).filter((k): k is string => Boolean(k));
    const valid = await Promise.all(keys.map((k) => store.verify(k)));
    if (keys.length > 0 && valid.every(Boolean)) return file;
  }
  const lines = ['# agency  key  (demo keys of `npm start`; log in to the dashboard with one of them)'];
  for (const agency of ctx.registry.agencies.values()) {
    const { key } = await store.create(agency.id, 'demo');
    lines.push(`${agency.id.padEnd(14)} ${key}  ${agency.name.en}`);
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  return file;
}

/** `riverwatch simulate [flags]`: the simulated stations alone, against the configured broker/API/HJ 212 server. */
export async function simulateCommand(args: string[], config: Config, logger: Logger): Promise<number> {
  const registry = loadRegistryFile(config.registryFile);
  const mqttUrl = config.mqtt.url || `mqtt://127.0.0.1:${config.mqtt.embeddedPort}`;
  const run = runSimulate(args, {
    registry,
    logger: logger.child({ component: 'simulator' }),
    config: { mqttUrl, httpUrl: `http://127.0.0.1:${config.http.port}`, hj212Url: `tcp://127.0.0.1:${config.hj212.port}` },
  });
  const stop = () => void run.close();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const summary = await run.done;
  if (summary) logger.info({ summary }, 'simulation finished');
  return 0;
}
