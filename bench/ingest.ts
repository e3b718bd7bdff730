/**
 * Ingest benchmark (issue 3): N readings (9 values each) from ~2,000
 * synthetic stations, QoS 1 with a bounded in-flight window, through a real
 * local Mosquitto into the ingest and store processes and on into InfluxDB.
 * Prints readings/s end to end, values/s, lost and duplicated counts, CPU
 * seconds and peak RSS per process, and CPU-µs per reading of the RiverWatch
 * processes together with their Redis (AOF), as the peer harness counts it
 * (issue 14: durability is part of the cost); broker, InfluxDB and the load
 * generator apart. The figure that counts is the peer harness's
 * (`bash ../shared/peer-bench/run.sh`, docs/performance.md); this one is for
 * quick comparisons and profiles (BENCH_CPU_PROF).
 *
 *   npm run bench:ingest -- [readings=200000] [connections-per-ingest=default] [ingest-processes=1]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startInflux, startMosquitto, startRedis } from '../platform/local/services.js';
import { InfluxStore } from '../platform/influx/client.js';
import { writeBenchRegistry } from './bench-registry.js';
import { procStats } from './proc-stats.js';

const [readingsText = '200000', connectionsText = '', ingestText = '1'] = process.argv.slice(2);
const READINGS = Number(readingsText);
const STATIONS = 2000;
const dir = mkdtempSync(join(tmpdir(), 'riverwatch-bench-'));
const registryFile = join(dir, 'registry.yaml');
writeBenchRegistry(registryFile, STATIONS);

console.log(`ingest benchmark: ${READINGS} readings × 9 values from ${STATIONS} stations; ${ingestText} ingest process(es) × ${connectionsText || 'the default number of'} MQTT connections`);
const [redis, mosquitto, influx] = await Promise.all([
  startRedis({ dir: join(dir, 'redis'), appendOnly: true }),
  startMosquitto({ dir: join(dir, 'mosquitto') }),
  startInflux({ dir: join(dir, 'influx') }),
]);

const env = {
  ...process.env,
  RW_REGISTRY_FILE: registryFile,
  RW_REDIS_URL: redis.url,
  RW_INFLUX_URL: influx.url,
  RW_MQTT_URL: mosquitto.url,
  RW_LOG_GROUPS: 'store',
  ...(connectionsText ? { RW_MQTT_CONNECTIONS: connectionsText } : {}),
  RW_LOG_LEVEL: 'warn',
  RW_INGEST_MAX_AGE_MS: String(360 * 86_400_000),
};

const metricsPorts: number[] = [];
async function spawnRole(role: string, instance: string): Promise<ChildProcess> {
  const metricsPort = await freePort();
  if (role === 'ingest') metricsPorts.push(metricsPort);
  // BENCH_CPU_PROF=<dir> writes a V8 CPU profile per role process (summarise with bench/profile-summary.ts).
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`, `--cpu-prof-name=${role}-${instance}.cpuprofile`] : [];
  const child = spawn(process.execPath, [...profile, 'bin/riverwatch.js', role], { env: { ...env, RW_INSTANCE: instance, RW_METRICS_PORT: String(metricsPort), RW_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info' }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    if (process.env.BENCH_LOG_FILE) child.stdout?.on('data', (d: Buffer) => appendFileSync(`${process.env.BENCH_LOG_FILE}.${role}`, d));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('RiverWatch ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code}: ${out.slice(-1000)}`)));
  });
}

const ingests = await Promise.all(Array.from({ length: Number(ingestText) }, (_, i) => spawnRole('ingest', `bench-${i + 1}`)));
const store = await spawnRole('store', 'bench');
const roles = [...ingests.map((c, i) => ({ name: `ingest-${i + 1}`, child: c })), { name: 'store', child: store }];
const cpuBefore = new Map(roles.map((r) => [r.name, procStats(r.child.pid as number)?.cpuSeconds ?? 0]));
const serviceBefore = new Map([redis, mosquitto, influx].map((s) => [s.kind, procStats(s.pid as number)?.cpuSeconds ?? 0]));

const store0 = new InfluxStore({ url: influx.url, api: 'v1', database: 'riverwatch' });
const startTs = Date.now() - 300 * 86_400_000;
const generator = spawn(process.execPath, ['--import', 'tsx', 'bench/load-publisher.ts', mosquitto.url, String(READINGS), String(STATIONS), '4', '250', String(startTs)], { stdio: ['ignore', 'pipe', 'inherit'] });
let generatorReport: Record<string, number> = {};
let t0 = 0;
generator.stdout?.on('data', (d: Buffer) => {
  for (const line of d.toString().trim().split('\n')) {
    const msg = JSON.parse(line) as Record<string, number> & { event: string };
    if (msg.event === 'start') t0 = msg.t0 ?? Date.now();
    else generatorReport = msg;
  }
});
const generatorDone = new Promise((r) => generator.once('exit', r));

async function storedCount(): Promise<number> {
  const series = await store0.query('SELECT count(ph) FROM water_quality').catch(() => []);
  return Number(series[0]?.values[0]?.[1] ?? 0);
}

let stored = 0;
let lastProgress = 0;
let tLast = 0;
for (;;) {
  stored = await storedCount();
  if (stored >= READINGS) {
    tLast = Date.now();
    break;
  }
  if (Date.now() - lastProgress > 5000) {
    lastProgress = Date.now();
    console.log(`  … ${stored} points in InfluxDB`);
  }
  const done = generator.exitCode !== null;
  if (done && Date.now() - (generatorReport.t1 ?? Date.now()) > 60_000) break;
  await new Promise((r) => setTimeout(r, 250));
}
await generatorDone;
const elapsedS = ((tLast || Date.now()) - t0) / 1000;

// Readings appended to the log, from each ingest process's accepted counter: more than acknowledged = redeliveries.
let appended = 0;
for (const port of metricsPorts) {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  appended += Number(/riverwatch_readings_accepted_total\{ingress="mqtt"\} (\d+)/.exec(text)?.[1] ?? 0);
}

const rows: string[] = [];
let rwCpu = 0;
for (const role of roles) {
  const s = procStats(role.child.pid as number);
  const cpu = (s?.cpuSeconds ?? 0) - (cpuBefore.get(role.name) ?? 0);
  rwCpu += cpu;
  rows.push(`  ${role.name.padEnd(10)} cpu ${cpu.toFixed(2)} s, peak RSS ${s?.peakRssMb.toFixed(0)} MB`);
}
let redisCpu = 0;
for (const s of [redis, mosquitto, influx]) {
  const stats = procStats(s.pid as number);
  if (s === redis) redisCpu = (stats?.cpuSeconds ?? 0) - (serviceBefore.get(s.kind) ?? 0);
  rows.push(`  ${s.kind.padEnd(10)} cpu ${((stats?.cpuSeconds ?? 0) - (serviceBefore.get(s.kind) ?? 0)).toFixed(2)} s, peak RSS ${stats?.peakRssMb.toFixed(0)} MB (service)`);
}
const acked = generatorReport.acked ?? 0;
console.log(`
result (${new Date().toISOString()}):
  acknowledged to publisher : ${acked} (failed ${generatorReport.failed ?? 'n/a'})
  points in InfluxDB        : ${stored}
  lost (acked, not stored)  : ${Math.max(0, acked - stored)}
  duplicated                : ${stored - Math.min(stored, READINGS)} in InfluxDB; ${appended - acked} repeated log appends (redeliveries)
  end to end                : ${(stored / elapsedS).toFixed(0)} readings/s, ${((stored * 9) / elapsedS).toFixed(0)} values/s over ${elapsedS.toFixed(1)} s (first publish → last point visible)
  publisher                 : ${generatorReport.publishRatePerS} msg/s acknowledged, PUBACK p50 ${generatorReport.pubackP50Ms?.toFixed(1)} ms, p99 ${generatorReport.pubackP99Ms?.toFixed(1)} ms
  RiverWatch CPU            : ${(rwCpu + redisCpu).toFixed(2)} s = ${(((rwCpu + redisCpu) * 1e6) / Math.max(1, stored)).toFixed(1)} CPU-µs per reading (ingest + store processes ${rwCpu.toFixed(2)} s + their Redis ${redisCpu.toFixed(2)} s)
${rows.join('\n')}`);

for (const role of roles) role.child.kill('SIGTERM');
await Promise.all(roles.map((role) => new Promise((res) => (role.child.exitCode !== null ? res(null) : role.child.once('exit', res)))));
await Promise.all([redis.close(), mosquitto.close(), influx.close()]);
rmSync(dir, { recursive: true, force: true });
