/**
 * Flags of `riverwatch simulate` (docs/scenarios.md). Parsing is pure and
 * reports every bad flag at once.
 */
import { parseArgs } from 'node:util';
import type { Speed } from './pacer.js';
import { parseDurationMs } from './model/sim-time.js';

export type TransportKind = 'mqtt' | 'http' | 'hj212' | 'jsonl';

export interface SimulateFlags {
  readonly help: boolean;
  readonly scenario?: string;
  readonly seed?: number;
  readonly speed?: Speed;
  readonly from?: string;
  readonly to?: string;
  readonly durationMs?: number;
  readonly transport: TransportKind;
  readonly mqttUrl?: string;
  readonly httpUrl?: string;
  readonly hj212Url?: string;
  readonly stations?: readonly string[];
  readonly labels?: string;
  readonly load?: number;
  readonly rate?: number;
  readonly window?: number;
  readonly batch?: number;
  readonly mqttPool?: number;
  readonly mqttUsername?: string;
  readonly mqttPassword?: string;
  readonly secrets?: string;
  readonly tsFormat?: 'iso' | 'epoch';
  readonly intervalS?: number;
  readonly allowFuture: boolean;
  readonly runForMs?: number;
  readonly loadRegistryOut?: string;
  readonly out?: string;
  readonly quiet: boolean;
}

export const SIMULATE_USAGE = `riverwatch simulate [flags]

Simulated stations publish readings of their section's water (docs/scenarios.md).

  --scenario NAME|FILE   scenario YAML (shipped: calm-week, taipu-spill, ammonia-deterioration, fault-mix, demo)
  --seed N               seed (same seed, same readings); default: the scenario's, else 1
  --speed N|max          1 = real time (default), 60 = an hour a minute, max = as fast as possible
  --from TIME            start: ISO 8601, now, or relative to now (-30d); default: the scenario's, else now
  --to TIME | --duration D   end (ISO, now, relative to now) or length (2d, 6h); max speed defaults to --to now
  --allow-future         let accelerated runs stamp readings later than the wall clock
  --stations A,B,...     station ids or section ids (default: every station of the registry)
  --interval S           sampling interval in seconds for every station (default: the registry's)
  --ts-format iso|epoch  reading timestamps (default iso, +08:00)
  --labels FILE          write ground-truth labels (JSON lines)
  --transport T          mqtt (default) | http | hj212 | jsonl
  --mqtt-url URL         broker (default from configuration); with --transport http also the command channel
  --mqtt-pool N          N shared MQTT connections instead of one per station (needs --mqtt-username/--mqtt-password)
  --mqtt-username U --mqtt-password P   credentials of the shared connections
  --http-url URL         server base URL for --transport http
  --hj212-url HOST:PORT  HJ 212 listener for --transport hj212
  --out FILE             file for --transport jsonl (default stdout)
  --secrets FILE         station tokens (default config/sample-station-secrets.yaml)
  --window N             sends awaiting acknowledgement at most (default 100)
  --batch N              with --speed max: up to N readings of a station per message (backfill)
  --load N               load mode: N synthetic stations over the registry's sections
  --load-registry-out F  write the registry with the synthetic stations (start the server with it)
  --rate R               at most R readings per second
  --run-for D            stop after this much wall time (load mode default 60s)
  --quiet                no progress bar or status lines
  --help
`;

export type FlagsResult = { ok: true; flags: SimulateFlags } | { ok: false; problems: string[] };

export function parseSimulateFlags(argv: readonly string[]): FlagsResult {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    return { ok: false, problems: [(err as Error).message] };
  }
  const v = parsed.values;
  const problems: string[] = [];
  const int = (name: string, text: string | undefined, min: number, max: number): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`--${name} must be an integer from ${min} to ${max}, got "${text}"`);
      return undefined;
    }
    return n;
  };
  const positive = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isFinite(n) || n <= 0) {
      problems.push(`--${name} must be a positive number, got "${text}"`);
      return undefined;
    }
    return n;
  };
  const duration = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const ms = parseDurationMs(text);
    if (ms === undefined || ms <= 0) {
      problems.push(`--${name} must be a duration such as 90s, 6h, 2d, got "${text}"`);
      return undefined;
    }
    return ms;
  };

  let speed: Speed | undefined;
  if (v.speed !== undefined) speed = v.speed === 'max' ? 'max' : positive('speed', v.speed);
  const transport = v.transport ?? 'mqtt';
  if (!['mqtt', 'http', 'hj212', 'jsonl'].includes(transport))
    problems.push(`--transport must be mqtt, http, hj212 or jsonl, got "${transport}"`);
  if (v['ts-format'] !== undefined && v['ts-format'] !== 'iso' && v['ts-format'] !== 'epoch')
    problems.push(`--ts-format must be iso or epoch`);
  if (v.to !== undefined && v.duration !== undefined) problems.push('give --to or --duration, not both');
  const flags: SimulateFlags = {
    help: v.help ?? false,
    transport: transport as TransportKind,
    allowFuture: v['allow-future'] ?? false,
    quiet: v.quiet ?? false,
    ...(v.scenario !== undefined ? { scenario: v.scenario } : {}),
    ...opt('seed', int('seed', v.seed, 0, 4294967295)),
    ...opt('speed', speed),
    ...(v.from !== undefined ? { from: v.from } : {}),
    ...(v.to !== undefined ? { to: v.to } : {}),
    ...opt('durationMs', duration('duration', v.duration)),
    ...(v['mqtt-url'] !== undefined ? { mqttUrl: v['mqtt-url'] } : {}),
    ...(v['http-url'] !== undefined ? { httpUrl: v['http-url'] } : {}),
    ...(v['hj212-url'] !== undefined ? { hj212Url: v['hj212-url'] } : {}),
    ...(v.stations !== undefined
      ? {
          stations: v.stations
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s.length > 0),
        }
      : {}),
    ...(v.labels !== undefined ? { labels: v.labels } : {}),
    ...opt('load', int('load', v.load, 1, 1_000_000)),
    ...opt('rate', positive('rate', v.rate)),
    ...opt('window', int('window', v.window, 1, 100_000)),
    ...opt('batch', int('batch', v.batch, 1, 1000)),
    ...opt('mqttPool', int('mqtt-pool', v['mqtt-pool'], 1, 10_000)),
    ...(v['mqtt-username'] !== undefined ? { mqttUsername: v['mqtt-username'] } : {}),
    ...(v['mqtt-password'] !== undefined ? { mqttPassword: v['mqtt-password'] } : {}),
    ...(v.secrets !== undefined ? { secrets: v.secrets } : {}),
    ...(v['ts-format'] === 'iso' || v['ts-format'] === 'epoch' ? { tsFormat: v['ts-format'] } : {}),
    ...opt('intervalS', int('interval', v.interval, 1, 86400)),
    ...opt('runForMs', duration('run-for', v['run-for'])),
    ...(v['load-registry-out'] !== undefined ? { loadRegistryOut: v['load-registry-out'] } : {}),
    ...(v.out !== undefined ? { out: v.out } : {}),
  };
  return problems.length > 0 ? { ok: false, problems } : { ok: true, flags };
}

function opt<K extends string, T>(key: K, value: T | undefined): { [P in K]?: T } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: T };
}

/** `--from -30d`: node's parseArgs takes `-30d` for a flag; glue negative values to their option. */
function glueNegativeValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const next = argv[i + 1];
    if (/^--[a-z0-9-]+$/.test(arg) && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i += 1;
    } else out.push(arg);
  }
  return out;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: glueNegativeValues(argv),
    strict: true,
    allowPositionals: false,
    options: {
      help: { type: 'boolean', short: 'h' },
      scenario: { type: 'string' },
      seed: { type: 'string' },
      speed: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      duration: { type: 'string' },
      transport: { type: 'string' },
      'mqtt-url': { type: 'string' },
      'http-url': { type: 'string' },
      'hj212-url': { type: 'string' },
      stations: { type: 'string' },
      labels: { type: 'string' },
      load: { type: 'string' },
      rate: { type: 'string' },
      window: { type: 'string' },
      batch: { type: 'string' },
      'mqtt-pool': { type: 'string' },
      'mqtt-username': { type: 'string' },
      'mqtt-password': { type: 'string' },
      secrets: { type: 'string' },
      'ts-format': { type: 'string' },
      interval: { type: 'string' },
      'allow-future': { type: 'boolean' },
      'run-for': { type: 'string' },
      'load-registry-out': { type: 'string' },
      out: { type: 'string' },
      quiet: { type: 'boolean' },
    },
  });
}
