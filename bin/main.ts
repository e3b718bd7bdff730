/**
 * The `riverwatch` CLI: one subcommand per process role, `start` for several
 * roles in one process, and operator commands. The only place that reads
 * process.env and installs signal handlers.
 */
import { loadConfig, renderEnvExample, type Config } from '../config/index.js';
import { AppError } from '../domain/index.js';
import { limitHeapGrowth } from '../platform/heap.js';
import { createLogger, type Logger } from '../platform/logger.js';
import { createContext, type Context, type ServiceNeeds } from './context.js';
import { Lifecycle } from './lifecycle.js';
import { startAnalyticsThread } from './thread-runner.js';
import { ROLE_BUILDERS, ROLE_NEEDS, ROLES, startMetricsServer, type Role } from './roles.js';
import { OPERATOR_COMMANDS } from './operator-commands.js';

const USAGE = `riverwatch <command> [options]

Roles (long-running; stop with Ctrl-C, SIGTERM or SIGHUP):
  start [--simulate [scenario.yaml]]  every role in RW_ROLES in one process; with --simulate also the simulated stations
  ingest | store | analytics | alerts | api | hj212   one role

Operator commands:
${Object.entries(OPERATOR_COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(34)}${c.summary}`)
  .join('\n')}

Configuration: environment variables RW_* (see .env.example); \`riverwatch check-config\` validates them.`;

async function runRoles(roles: readonly Role[], config: Config, logger: Logger, argv: string[]): Promise<void> {
  limitHeapGrowth(config.heapGrowthPercent);
  const lifecycle = new Lifecycle(logger);
  let stopping = false;
  let exitCode = 0;
  const stop = (signal: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    if (code === 0) logger.info({ signal }, 'stopping');
    else logger.fatal({ reason: signal }, 'stopping');
    const timer = setTimeout(() => {
      logger.error('shutdown took longer than 15 s; exiting');
      process.exit(1);
    }, 15_000);
    timer.unref();
    lifecycle.close().then(() => {
      logger.info('stopped');
      process.exitCode = exitCode;
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // A closed terminal (SIGHUP) stops cleanly too, so the local Redis and InfluxDB of `start` do not outlive it.
  process.on('SIGHUP', () => stop('SIGHUP'));

  const needs: ServiceNeeds = {
    redis: roles.some((r) => ROLE_NEEDS[r].redis),
    influx: roles.some((r) => ROLE_NEEDS[r].influx),
    mqtt: roles.some((r) => ROLE_NEEDS[r].mqtt) || argv.includes('--simulate'),
  };
  // Analytics beside other roles runs on its own thread (bin/analytics-thread.ts); this thread starts the
  // services for both (needs above count every role).
  const threaded = config.start.analyticsThread && roles.includes('analytics') && roles.length > 1;
  const here = threaded ? roles.filter((r) => r !== 'analytics') : roles;
  try {
    const ctx = await createContext(config, logger, lifecycle, needs, here);
    for (const role of here) {
      if (stopping) return;
      await ROLE_BUILDERS[role](ctx);
    }
    if (threaded && !stopping) await startAnalyticsThread(lifecycle, threadEnv(config, ctx), logger, (reason) => stop(reason, 1));
    if (!roles.includes('api') && config.http.metricsPort > 0) await startMetricsServer(ctx);
    if (argv.includes('--simulate')) await startSimulation(ctx, argv);
    const services = { redis: withoutPassword(ctx.services.redisUrl), influxdb: withoutPassword(ctx.services.influxUrl), mqtt: withoutPassword(ctx.services.mqttUrl) };
    logger.info({ roles, services, addresses: ctx.addresses }, 'RiverWatch ready');
  } catch (err) {
    logger.fatal({ err }, 'start failed');
    await lifecycle.close();
    process.exitCode = 1;
  }
}

/** The settings of the analytics thread: this process's, with the services it started locally. */
function threadEnv(config: Config, ctx: Context): Record<string, string | undefined> {
  return {
    ...process.env,
    ...(config.redis.mode === 'single' && ctx.services.redisUrl ? { RW_REDIS_URL: ctx.services.redisUrl } : {}),
    ...(ctx.services.influxUrl ? { RW_INFLUX_URL: ctx.services.influxUrl } : {}),
  };
}

/** A service URL for the log: any password in it replaced. */
function withoutPassword(url: string | undefined): string | undefined {
  return url?.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}

async function startSimulation(ctx: Context, argv: string[]): Promise<void> {
  const index = argv.indexOf('--simulate');
  const next = argv[index + 1];
  const scenario = next && !next.startsWith('--') ? next : 'demo';
  const { ensureDemoAgencyKeys, startEmbeddedSimulation } = await import('./simulation.js');
  if (ctx.roles.includes('api')) {
    const file = await ensureDemoAgencyKeys(ctx);
    ctx.logger.info({ dashboard: ctx.addresses.api, keys: file }, 'dashboard: log in with an agency key from this file');
  }
  await startEmbeddedSimulation(ctx, scenario);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return;
  }
  if (command === 'config-example') {
    process.stdout.write(renderEnvExample());
    return;
  }
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    console.error(err instanceof AppError ? err.message : err);
    process.exitCode = 2;
    return;
  }
  const logger = createLogger({ level: config.logLevel });
  if (command === 'start') {
    const roles = config.start.roles.split(',').map((r) => r.trim()).filter(Boolean) as Role[];
    return runRoles(roles, config, logger, rest);
  }
  if ((ROLES as readonly string[]).includes(command)) return runRoles([command as Role], config, logger, rest);
  const operator = OPERATOR_COMMANDS[command];
  if (operator) {
    try {
      process.exitCode = await operator.run(rest, config, logger);
    } catch (err) {
      console.error(err instanceof AppError ? `${err.code}: ${err.message}` : err);
      process.exitCode = 1;
    }
    return;
  }
  console.error(`unknown command "${command}"\n\n${USAGE}`);
  process.exitCode = 2;
}

await main(process.argv.slice(2));
