/**
 * `riverwatch simulate`: parses its flags, loads the scenario and the
 * station tokens, builds the transport and runs the simulator. The CLI
 * entry point (bin/) passes the registry and logger and closes the run on
 * SIGINT/SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { parse as parseYaml } from 'yaml';
import { AppError, systemClock, type Clock, type Registry } from '../domain/index.js';
import { parseSimulateFlags, SIMULATE_USAGE, type SimulateFlags } from './cli-flags.js';
import { writeRegistryFile } from './registry-file-writer.js';
import { planRun, type RunPlan } from './run-plan.js';
import { loadScenarioFile } from './scenario/scenario-loader.js';
import type { Scenario } from './scenario/scenario-schema.js';
import type { ProgressOutput } from './progress-reporter.js';
import type { SimTimers } from './sim-timers.js';
import { Simulator } from './simulator.js';
import type { SimulationSummary } from './simulation-summary.js';
import { Hj212Transport } from './transports/hj212.js';
import { HttpTransport } from './transports/http.js';
import { JsonlTransport } from './transports/jsonl.js';
import { MqttTransport } from './transports/mqtt.js';
import type { SimTransport, TransportStation } from './transports/transport.js';
import { WithCommandChannel } from './transports/with-command-channel.js';

/** Settings the entry point may pass instead of flags (flags win). */
export interface SimulateConfig {
  /** @defaultValue 'mqtt://localhost:1883' */
  readonly mqttUrl?: string;
  /** @defaultValue 'http://localhost:8080' */
  readonly httpUrl?: string;
  /** `host:port` of the HJ 212 listener. @defaultValue 'localhost:9212' */
  readonly hj212Url?: string;
  /** Station tokens by station id (otherwise read from the secrets file). */
  readonly stationTokens?: Readonly<Record<string, string>>;
  /** @defaultValue the repository's config/sample-station-secrets.yaml */
  readonly secretsFile?: string;
  /** Where the progress bar and summary go. @defaultValue process.stderr */
  readonly progressOut?: ProgressOutput;
  /** Where `--transport jsonl` writes without --out. @defaultValue process.stdout */
  readonly stdout?: Writable;
  readonly clock?: Clock;
  readonly timers?: SimTimers;
}

export interface SimulateDeps {
  readonly registry: Registry;
  readonly logger: Logger;
  readonly config?: SimulateConfig;
}

/** A started (or starting) run: `done` resolves with its summary (undefined for --help). */
export interface SimulateRun {
  readonly done: Promise<SimulationSummary | undefined>;
  /** Stops the run, drains and disconnects; idempotent. */
  close(): Promise<void>;
}

/**
 * Runs `riverwatch simulate` with its own flags. Bad flags, a bad scenario
 * or an unreachable server reject `done` with an AppError
 * (`RW_CONFIG_INVALID`, details listing every problem) or the transport's
 * error.
 */
export function runSimulate(argv: readonly string[], deps: SimulateDeps): SimulateRun {
  let simulator: Simulator | undefined;
  let closed = false;
  const done = (async (): Promise<SimulationSummary | undefined> => {
    const parsed = parseSimulateFlags(argv);
    if (!parsed.ok) throw invalid('invalid simulate flags', parsed.problems);
    const flags = parsed.flags;
    const out = deps.config?.progressOut ?? process.stderr;
    if (flags.help) {
      out.write(SIMULATE_USAGE);
      return undefined;
    }
    let scenario: Scenario | undefined;
    if (flags.scenario !== undefined) {
      const loaded = loadScenarioFile(flags.scenario);
      if (!loaded.ok) throw invalid(`scenario ${flags.scenario} is invalid`, loaded.problems);
      scenario = loaded.scenario;
    }
    const clock = deps.config?.clock ?? systemClock;
    const planned = planRun({ flags, registry: deps.registry, nowMs: clock.now(), ...(scenario ? { scenario } : {}) });
    if (!planned.ok) throw invalid('the simulation cannot run', planned.problems);
    const plan = planned.plan;
    if (plan.load && flags.loadRegistryOut !== undefined) {
      await writeRegistryFile(flags.loadRegistryOut, plan.load.registry);
      deps.logger.info({ path: flags.loadRegistryOut, stations: plan.load.stations.length }, 'load registry written');
    }
    const transport = buildTransport(flags, plan, deps);
    const sim = new Simulator({
      registry: plan.registry,
      stations: plan.stations,
      events: plan.events,
      seed: plan.seed,
      fromMs: plan.fromMs,
      toMs: plan.toMs,
      speed: plan.speed,
      allowFuture: plan.allowFuture,
      stream: plan.stream,
      transport,
      logger: deps.logger,
      progress: { out, quiet: flags.quiet },
      ...(flags.window !== undefined ? { windowSize: flags.window } : {}),
      ...(flags.rate !== undefined ? { ratePerS: flags.rate } : {}),
      ...(flags.batch !== undefined ? { batchSize: flags.batch } : {}),
      ...(plan.runForMs !== undefined ? { runForMs: plan.runForMs } : {}),
      ...(flags.labels !== undefined ? { labelsPath: flags.labels } : {}),
      ...(deps.config?.timers ? { timers: deps.config.timers } : {}),
    });
    simulator = sim;
    if (closed) return sim.close();
    try {
      await sim.start();
    } catch (err) {
      await sim.close().catch(() => undefined);
      throw err;
    }
    return sim.finished();
  })();
  done.catch(() => undefined);
  return {
    done,
    close: async () => {
      closed = true;
      if (simulator) await simulator.close();
      await done.catch(() => undefined);
    },
  };
}

function invalid(message: string, problems: readonly string[]): AppError {
  return new AppError('RW_CONFIG_INVALID', `${message}:\n  - ${problems.join('\n  - ')}`, { details: problems });
}

/** Station tokens: from the config, else the secrets file (missing file: none). */
function stationTokens(flags: SimulateFlags, plan: RunPlan, deps: SimulateDeps): Map<string, string> {
  const tokens = new Map<string, string>(Object.entries(deps.config?.stationTokens ?? {}));
  if (plan.load) for (const [id, token] of plan.load.tokens) tokens.set(id, token);
  if (deps.config?.stationTokens && flags.secrets === undefined) return tokens;
  const path =
    flags.secrets ?? deps.config?.secretsFile ?? fileURLToPath(new URL('../config/sample-station-secrets.yaml', import.meta.url));
  try {
    const raw = parseYaml(readFileSync(path, 'utf8')) as unknown;
    if (raw && typeof raw === 'object') {
      for (const [id, token] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof token === 'string' && !tokens.has(id)) tokens.set(id, token);
      }
    }
  } catch (err) {
    if (flags.secrets !== undefined) throw invalid('cannot read station tokens', [`${path}: ${(err as Error).message}`]);
    deps.logger.warn({ path }, 'no station tokens file; stations connect without passwords');
  }
  return tokens;
}

function buildTransport(flags: SimulateFlags, plan: RunPlan, deps: SimulateDeps): SimTransport {
  const logger = deps.logger;
  const tokens = flags.transport === 'jsonl' ? new Map<string, string>() : stationTokens(flags, plan, deps);
  const stations: TransportStation[] = plan.stations.map((s) => ({
    id: s.id,
    sectionId: s.sectionId,
    ...(tokens.has(s.id) ? { token: tokens.get(s.id) as string } : {}),
    ...(s.hj212 ? { hj212: s.hj212 } : {}),
  }));
  const mqttUrl = flags.mqttUrl ?? deps.config?.mqttUrl ?? 'mqtt://localhost:1883';
  const mqtt = (commandsOnly: boolean): MqttTransport =>
    new MqttTransport({
      url: mqttUrl,
      stations,
      logger,
      ...(flags.mqttPool !== undefined
        ? { connections: flags.mqttPool }
        : commandsOnly && flags.mqttUsername !== undefined
          ? { connections: 1 }
          : {}),
      ...(flags.mqttUsername !== undefined ? { username: flags.mqttUsername } : {}),
      ...(flags.mqttPassword !== undefined ? { password: flags.mqttPassword } : {}),
    });
  switch (flags.transport) {
    case 'mqtt': {
      const missing = stations.filter((s) => s.token === undefined).length;
      if (missing > 0 && flags.mqttPool === undefined)
        logger.warn({ stations: missing }, 'stations without a token connect without a password');
      return mqtt(false);
    }
    case 'http': {
      const http = new HttpTransport({
        baseUrl: flags.httpUrl ?? deps.config?.httpUrl ?? 'http://localhost:8080',
        stations,
        logger,
      });
      // Commands reach HTTP stations only through the broker, when one is named.
      return flags.mqttUrl !== undefined ? new WithCommandChannel(http, mqtt(true)) : http;
    }
    case 'hj212': {
      const target = flags.hj212Url ?? deps.config?.hj212Url ?? 'localhost:9212';
      const match = /^(.+):(\d{1,5})$/.exec(target.replace(/^tcp:\/\//, ''));
      if (!match) throw invalid('invalid --hj212-url', [`"${target}" is not host:port`]);
      return new Hj212Transport({
        host: match[1] as string,
        port: Number(match[2]),
        stations,
        logger,
        ...(plan.stream.tzOffsetMinutes !== undefined ? { timezoneOffsetMinutes: plan.stream.tzOffsetMinutes } : {}),
      });
    }
    case 'jsonl':
      return new JsonlTransport(flags.out ?? deps.config?.stdout ?? process.stdout);
  }
}
