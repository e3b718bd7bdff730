/**
 * `npm run fuzz [-- --inputs N] [--seed S] [--valid-every K] [--exclude kind,…] [--budget-s S] [--keep]`
 *
 * Hostile-input fuzzer (issue 9): starts real Redis, Mosquitto and InfluxDB
 * on loopback ports in a temp folder, runs the ingest, store, api and hj212
 * roles in this process, sends at least N malformed inputs (default 100,000)
 * over MQTT, HTTP and HJ 212 with valid readings interleaved, then checks
 * that nothing crashed, that every bad input that reached ingest is in the
 * dead letters with a reason, and that every valid reading is in InfluxDB.
 * Prints the report; exits 1 when a target is missed, 2 on a usage or setup
 * error. Reproducible: the same seed and N generate the same inputs.
 */
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { Station } from '../domain/index.js';
import { startFuzzEnvironment, type FuzzEnvironment } from './environment.js';
import { runHj212Channel } from './hj212-channel.js';
import { HJ212_KIND_WEIGHTS } from './hj212-frames.js';
import { runHttpChannel } from './http-channel.js';
import { PAYLOAD_KIND_WEIGHTS, type PayloadKind } from './json-payloads.js';
import { Ledger } from './ledger.js';
import { runMqttChannel } from './mqtt-channel.js';
import { Prng } from './prng.js';
import { agencyKeyInUrlProbe, amplificationProbe, memorySnapshot, prototypeFingerprint, scanLog } from './probes.js';
import { CHANNEL_SHARE, printReport } from './report.js';
import { TimeWindows } from './time-windows.js';
import { indexDeadLetters, judgeBadInputs, judgeStored, settle } from './verify.js';

interface Args {
  inputs: number;
  seed: string;
  validEvery: number;
  exclude: string[];
  budgetS: number;
  keep: boolean;
}

const USAGE = 'usage: npm run fuzz -- [--inputs N (default 100000)] [--seed S] [--valid-every K (default 10: every 10th input is a valid reading)] [--exclude kind,kind] [--budget-s S (sending time limit, default 600)] [--keep]';

function parseArgs(argv: string[]): Args | string {
  const args: Args = { inputs: 100_000, seed: 'riverwatch', validEvery: 10, exclude: [], budgetS: 600, keep: false };
  const numeric = (value: string | undefined, min: number): number | undefined => (value !== undefined && /^\d+$/.test(value) && Number(value) >= min ? Number(value) : undefined);
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--keep') {
      args.keep = true;
      continue;
    }
    if (value === undefined) return `option ${flag ?? ''} needs a value\n${USAGE}`;
    i++;
    if (flag === '--seed') args.seed = value;
    else if (flag === '--exclude') args.exclude = value.split(',').map((k) => k.trim()).filter(Boolean);
    else if (flag === '--inputs' && numeric(value, 1) !== undefined) args.inputs = numeric(value, 1) as number;
    else if (flag === '--valid-every' && numeric(value, 2) !== undefined) args.validEvery = numeric(value, 2) as number;
    else if (flag === '--budget-s' && numeric(value, 1) !== undefined) args.budgetS = numeric(value, 1) as number;
    else return `unknown option or bad value: ${flag ?? ''} ${value}\n${USAGE}`;
  }
  const known = new Set([...Object.keys(PAYLOAD_KIND_WEIGHTS), ...Object.keys(HJ212_KIND_WEIGHTS)]);
  const unknown = args.exclude.filter((k) => !known.has(k));
  if (unknown.length > 0) return `unknown kinds in --exclude: ${unknown.join(', ')}; known: ${[...known].join(', ')}`;
  return args;
}

/** Iterations so that exactly `bad` of them are malformed when every `every`-th is valid. */
function iterationsFor(bad: number, every: number): number {
  let n = bad;
  while (n - Math.floor(n / every) < bad) n++;
  return n;
}

async function hj212Accepts(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host, port });
    socket.setTimeout(2000, () => (socket.destroy(), done(false)));
    socket.on('connect', () => (socket.destroy(), done(true)));
    socket.on('error', () => done(false));
  });
}

async function main(): Promise<number> {
  const parsed = parseArgs(process.argv.slice(2));
  if (typeof parsed === 'string') {
    console.error(parsed);
    return 2;
  }
  const args = parsed;
  const say = (line: string) => console.log(line);
  const crashes = { uncaught: [] as string[], unhandledRejections: [] as string[] };
  process.on('uncaughtException', (err) => crashes.uncaught.push(err.stack ?? String(err)));
  process.on('unhandledRejection', (reason) => crashes.unhandledRejections.push(reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)));

  const t0 = Date.now();
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const tokens = parseYaml(readFileSync(resolve(repoRoot, 'config/sample-station-secrets.yaml'), 'utf8')) as Record<string, string>;
  const prototypeBefore = prototypeFingerprint();
  let env: FuzzEnvironment;
  try {
    env = await startFuzzEnvironment({ repoRoot, stationTokens: tokens, say });
  } catch (err) {
    console.error('setup failed:', err);
    return 2;
  }
  let exitCode = 1;
  try {
    const { ctx, registry, config } = env;
    const stations = [...registry.stations.values()].filter((s) => tokens[s.id] !== undefined);
    const hjStations = stations.filter((s): s is Station & { hj212: NonNullable<Station['hj212']> } => s.hj212 !== undefined);
    const redis = ctx.redis('fuzz-verify');
    const before = await memorySnapshot(redis, env.services);
    const tSetup = Date.now();
    say(`roles ingest, store, api (${env.apiUrl}), hj212 (${env.hj212.host}:${env.hj212.port}) running; ${stations.length} stations with tokens, ${hjStations.length} with HJ 212 identities`);

    const ledger = new Ledger();
    const windows = new TimeWindows(Date.now());
    const root = new Prng(args.seed);
    const kinds = (Object.keys(PAYLOAD_KIND_WEIGHTS) as PayloadKind[]).filter((k) => !args.exclude.includes(k));
    const quota = { mqtt: Math.round(args.inputs * CHANNEL_SHARE.mqtt), http: Math.round(args.inputs * CHANNEL_SHARE.http), hj212: 0 };
    quota.hj212 = args.inputs - quota.mqtt - quota.http;
    const isValid = (index: number) => index % args.validEvery === args.validEvery - 1;
    const deadline = Date.now() + args.budgetS * 1000;
    const stop = () => Date.now() > deadline;
    const common = { ledger, windows, isValid, stop, maxPayloadBytes: Math.max(config.ingest.maxPayloadBytes, config.http.bodyLimitBytes), maxBatch: config.ingest.maxBatch };
    const progress = setInterval(() => {
      const counts = ['mqtt', 'http', 'hj212'].map((c) => `${c} ${ledger.bad.filter((b) => b.channel === c).length}/${quota[c as keyof typeof quota]}`);
      say(`  … ${((Date.now() - tSetup) / 1000).toFixed(0)} s: malformed sent ${counts.join(', ')}; valid ${ledger.valid.length}`);
    }, 15_000);
    say(`sending ${args.inputs} malformed inputs (mqtt ${quota.mqtt}, http ${quota.http}, hj212 ${quota.hj212}), every ${args.validEvery}th input a valid reading, seed ${JSON.stringify(args.seed)}`);
    let peerLimiter = 'not run';
    try {
      const results = await Promise.allSettled([
        runMqttChannel({ ...common, url: env.mqttUrl, stations, tokens, rawPassword: env.rawPublisherPassword, sections: [...registry.sections.keys()], prng: root.fork('mqtt'), count: iterationsFor(quota.mqtt, args.validEvery), kinds }),
        runHttpChannel({ ...common, apiUrl: env.apiUrl, stations, tokens, prng: root.fork('http'), count: iterationsFor(quota.http, args.validEvery), kinds }),
        runHj212Channel({ ...common, host: env.hj212.host, port: env.hj212.port, stations: hjStations, prng: root.fork('hj212'), count: iterationsFor(quota.hj212, args.validEvery), timezoneOffsetMinutes: config.hj212.tzOffsetMin, excluded: args.exclude }),
      ]);
      for (const [i, result] of results.entries()) {
        if (result.status === 'rejected') ledger.clientError(`channel ${['mqtt', 'http', 'hj212'][i]} stopped: ${(result.reason as Error)?.stack ?? String(result.reason)}`);
      }
      const hj = results[2];
      if (hj.status === 'fulfilled') peerLimiter = hj.value.peerLimiter;
    } finally {
      clearInterval(progress);
    }
    const tSent = Date.now();
    say(`sent in ${((tSent - tSetup) / 1000).toFixed(0)} s; waiting for the pipeline to settle`);
    const settled = await settle(redis, config.redis.prefix, config.ingest.partitions, 120_000);
    const tSettled = Date.now();
    // Before the verification builds its indexes: the roles plus the fuzzer's ledger of what it sent.
    const after = await memorySnapshot(redis, env.services);

    const secrets = [
      ...Object.entries(tokens).map(([id, token]) => ({ label: `token of ${id}`, pattern: token })),
      { label: 'MQTT raw-publisher password', pattern: env.rawPublisherPassword },
      { label: 'MQTT service password', pattern: env.servicePassword },
      ...hjStations.map((s) => ({ label: `HJ 212 password of ${s.id}`, pattern: `PW=${s.hj212.password}` })),
    ];
    const deadLetters = await indexDeadLetters(redis, config.redis.prefix, secrets);
    const verdicts = judgeBadInputs(ledger, deadLetters);
    const { verdicts: stored, aclPoints } = await judgeStored(ledger, ctx.influx(), windows);
    // Judged: drop the fuzzer's own records so the last snapshot shows what the roles keep.
    const sentBad = ledger.bad.length;
    const sentValid = ledger.valid.length;
    ledger.bad.length = 0;
    ledger.valid.length = 0;
    deadLetters.byMarker.clear();
    deadLetters.byPeerIp.clear();
    const released = await memorySnapshot(redis, env.services);
    const readyz = await fetch(`${env.apiUrl}/readyz`).then(async (r) => `${r.status} ${await r.text()}`, (err: Error) => `failed: ${err.message}`);
    const accepts = await hj212Accepts(env.hj212.host, env.hj212.port);
    const station = stations[0] as Station;
    const amplification = await amplificationProbe({ apiUrl: env.apiUrl, station, token: tokens[station.id] as string, redis, prefix: config.redis.prefix, keys: 1000, ts: windows.nextBad() }).catch(() => undefined);
    const agencyId = [...registry.agencies.keys()][0] as string;
    const keyProbe = await agencyKeyInUrlProbe(env.apiUrl, ctx.agencyKeys(), agencyId).then(
      (r) => ({ ...r, outcome: `GET /api/v1/events?key=<new key of ${agencyId}> answered ${r.status}` }),
      (err: Error) => ({ key: undefined, status: 0, outcome: `not run: ${err.message}` }),
    );
    if (keyProbe.key) secrets.push({ label: 'agency key', pattern: keyProbe.key });
    await env.flushLog();
    const log = await scanLog(env.logFile, secrets);
    const missed = printReport(
      {
        seed: args.seed,
        requestedInputs: args.inputs,
        durationS: { setup: (tSetup - t0) / 1000, send: (tSent - tSetup) / 1000, settle: (tSettled - tSent) / 1000, total: (Date.now() - t0) / 1000 },
        stoppedAtBudget: stop(),
        settled: settled.settled,
        ledger,
        verdicts,
        stored,
        aclPoints,
        deadLetters,
        crashes,
        afterRun: { readyz: readyz.slice(0, 160), hj212Accepts: accepts, prototypeIntact: prototypeFingerprint() === prototypeBefore },
        memory: { before, after, released },
        sent: { bad: sentBad, valid: sentValid },
        log,
        peerLimiter,
        amplification,
        agencyKeyProbe: keyProbe.outcome,
        excluded: args.exclude,
      },
      say,
    );
    exitCode = missed.length === 0 ? 0 : 1;
  } catch (err) {
    console.error('fuzz run failed:', err);
    exitCode = 2;
  } finally {
    // A wedged part must not hang the run: give the orderly close 30 s, then say so and leave.
    const closed = await Promise.race([
      env.close(args.keep).then(
        () => true,
        (err: unknown) => (console.error('cleanup failed:', err), true),
      ),
      new Promise<false>((r) => setTimeout(() => r(false), 30_000).unref()),
    ]);
    if (!closed) {
      console.error('the roles did not close within 30 s (a part is stuck); killing the services');
      await Promise.all(Object.values(env.services).map((s) => s.kill().catch(() => undefined)));
      if (!args.keep) await rm(env.dir, { recursive: true, force: true }).catch(() => undefined);
      if (exitCode === 0) exitCode = 1;
    }
    if (args.keep) say(`kept ${env.dir} (services' logs, riverwatch.log)`);
  }
  return exitCode;
}

process.exitCode = await main();
// mqtt.js and the HJ 212 clients may leave timers behind; the report is printed, so leave now.
process.exit(process.exitCode);
