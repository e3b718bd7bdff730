/**
 * Alerts benchmark (issue 6): time from handing an alert event to the alerts
 * stage until its signed webhook arrives at a local HTTP receiver, under a
 * steady background load of readings XADDed to a Redis stream. Each event is
 * a new condition at a boundary section (yellow), so every one also opens a
 * joint-monitoring task with its sampling flow: the worst case.
 * Prints median and p99 for the downstream agency (first recipient) and for
 * the last recipient (the lead agency).
 *
 *   npm run bench:alerts -- [alerts=300] [events-per-second=10] [readings-per-second=2000]
 *
 * Station acks come from an in-process commander (no MQTT broker here).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { Registry as MetricsRegistry } from 'prom-client';
import { AlertsService } from '../platform/redis/alerts/index.js';
import { buildRegistry } from '../config/registry-loader.js';
import type { AlertEvent, StationCommand, StationCommandAck } from '../domain/index.js';
import { startRedis } from '../platform/local/services.js';

const [alertsText = '300', rateText = '10', readingsText = '2000'] = process.argv.slice(2);
const ALERTS = Number(alertsText);
const EVENTS_PER_S = Number(rateText);
const READINGS_PER_S = Number(readingsText);

const dir = mkdtempSync(join(tmpdir(), 'riverwatch-bench-alerts-'));
const redisServer = await startRedis({ dir: join(dir, 'redis'), appendOnly: true });

// Receiver: arrival time per delivery id.
const arrivals = new Map<string, number>();
const receiver = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    arrivals.set(String(req.headers['x-riverwatch-delivery']), performance.now());
    res.writeHead(204).end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const hookBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

const agency = (id: string, level: string, parent?: string) => ({
  id,
  level,
  ...(parent ? { parent } : {}),
  name: { zh: id, en: id },
  webhook: { url: `${hookBase}/hook/${id}`, secret: `bench-secret-${id}-0123456789` },
});
const built = buildRegistry({
  agencies: [
    agency('prov', 'province'),
    agency('city-a', 'city', 'prov'),
    agency('city-b', 'city', 'prov'),
    agency('county-a', 'county', 'city-a'),
    agency('county-b', 'county', 'city-b'),
  ],
  rivers: [{ id: 'river', name: { zh: 'river', en: 'River' } }],
  sections: [
    {
      id: 'above',
      river: 'river',
      name: { zh: 'a', en: 'a' },
      positionKm: 0,
      coordinates: { lat: 30, lon: 120 },
      targetClass: 'III',
      agency: 'county-a',
      downstream: { section: 'boundary', distanceKm: 5, velocityMps: 0.5 },
    },
    {
      id: 'boundary',
      river: 'river',
      name: { zh: 'b', en: 'b' },
      positionKm: 5,
      coordinates: { lat: 30, lon: 120.1 },
      targetClass: 'III',
      agencies: { upstream: 'county-a', downstream: 'county-b' },
    },
  ],
  stations: [
    { id: 'ST-A', section: 'above', parameters: ['tp'], samplingIntervalS: 300 },
    { id: 'ST-B', section: 'boundary', parameters: ['tp'], samplingIntervalS: 300 },
  ],
});
if (!built.ok) throw new Error(built.problems.join('; '));

const ackListeners = new Set<(ack: StationCommandAck) => void>();
const commander = {
  onAck: (l: (ack: StationCommandAck) => void) => (ackListeners.add(l), () => ackListeners.delete(l)),
  send: async (cmd: StationCommand) => {
    setTimeout(() => ackListeners.forEach((l) => l({ id: cmd.id, stationId: cmd.stationId, ok: true, ts: Date.now() })), 1);
  },
};

const redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
const service = new AlertsService({
  redis,
  registry: built.registry,
  logger: pino({ level: 'warn' }),
  metricsRegistry: new MetricsRegistry(),
  commander,
  // Each event is a new incident's opening on one river: grouping (on by default) would hold them together; this
  // measures the pipeline, so it sends each at once. The group wait adds notifyGroupWaitMs to a first notification.
  config: { sweepIntervalMs: 0, notifyGroupWaitMs: 0 },
});
await service.start();

// Background load: synthetic readings XADDed at a steady rate (batches every 10 ms) by a separate
// process, as ingest would: the alerts process shares the machine and Redis with it, not its event loop.
const loadScript = `
const { Redis } = require('ioredis');
const redis = new Redis(process.argv[1]);
const perTick = Math.max(1, Math.round(Number(process.argv[2]) / 100));
let written = 0;
setInterval(() => {
  const p = redis.pipeline();
  for (let i = 0; i < perTick; i++) p.xadd('bench:readings', 'MAXLEN', '~', '100000', '*', 'r', JSON.stringify({ stationId: 'ST-A', ts: Date.now(), values: { tp: 0.1 + Math.random() / 100 } }));
  p.exec().then(() => { written += perTick; });
}, 10);
process.on('SIGTERM', () => { process.stdout.write(String(written)); process.exit(0); });
`;
const loadProcess = spawn(process.execPath, ['-e', loadScript, redisServer.url, String(READINGS_PER_S)], {
  cwd: process.cwd(),
  stdio: ['ignore', 'pipe', 'inherit'],
});
let loadOutput = '';
loadProcess.stdout.on('data', (chunk: Buffer) => (loadOutput += chunk.toString()));
await new Promise((r) => setTimeout(r, 500));

console.log(
  `alerts benchmark: ${ALERTS} alert events at ${EVENTS_PER_S}/s, background ${READINGS_PER_S} readings/s XADDed to a Redis stream; load average before: ${loadavg()
    .map((v) => v.toFixed(1))
    .join(' ')} on ${cpus().length} cores`,
);
const started = performance.now();
const sentAt = new Map<string, number>();
const t0 = Date.now();
for (let i = 0; i < ALERTS; i++) {
  const event: AlertEvent = {
    type: 'raise',
    key: `exceedance:boundary:bench-${i}`,
    kind: 'exceedance',
    level: (process.env.BENCH_LEVEL ?? 'yellow') as AlertEvent['level'],
    sectionId: 'boundary',
    stationId: 'ST-B',
    parameters: ['tp'],
    ts: t0 + i,
    message: 'bench',
    evidence: {},
  };
  sentAt.set(event.key, performance.now());
  await service.publish([event]);
  const next = started + ((i + 1) * 1000) / EVENTS_PER_S;
  const wait = next - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}

// Delivery ids are `${alertId}.1.${agencyId}`; map alert ids back to keys.
const alerts = (await service.listAlerts({ limit: ALERTS, offset: 0 })).items;
const expected = alerts.flatMap((a) => ['county-b', 'prov'].map((agencyId) => `${a.id}.1.${agencyId}`));
const deadline = Date.now() + 60_000;
while (expected.some((id) => !arrivals.has(id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
const loadExited = new Promise((resolve) => loadProcess.once('exit', resolve));
loadProcess.kill('SIGTERM');
await loadExited;
const readingsWritten = Number(loadOutput || 0);
const elapsedS = (performance.now() - started) / 1000;

function stats(agencyId: string): { n: number; median: number; p99: number; max: number } {
  const latencies = alerts
    .map((a) => {
      const arrived = arrivals.get(`${a.id}.1.${agencyId}`);
      const sent = sentAt.get(a.key);
      return arrived === undefined || sent === undefined ? undefined : arrived - sent;
    })
    .filter((v): v is number => v !== undefined)
    .sort((x, y) => x - y);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)] ?? NaN;
  return { n: latencies.length, median: at(0.5), p99: at(0.99), max: latencies.at(-1) ?? NaN };
}

const down = stats('county-b');
const lead = stats('prov');
const fmt = (v: number) => v.toFixed(1).padStart(7);
console.log(
  `alerts opened: ${alerts.length}; tasks opened: ${(await service.listTasks({ limit: 1, offset: 0 })).total}; readings written: ${readingsWritten} (${(readingsWritten / elapsedS).toFixed(0)}/s)`,
);
console.log(
  `event → webhook, downstream agency (1st recipient): n=${down.n} median ${fmt(down.median)} ms  p99 ${fmt(down.p99)} ms  max ${fmt(down.max)} ms`,
);
console.log(
  `event → webhook, lead agency (3rd recipient):       n=${lead.n} median ${fmt(lead.median)} ms  p99 ${fmt(lead.p99)} ms  max ${fmt(lead.max)} ms`,
);
console.log(
  `load average after: ${loadavg()
    .map((v) => v.toFixed(1))
    .join(' ')}`,
);
if (down.n < alerts.length || lead.n < alerts.length)
  console.log(`MISSING deliveries: downstream ${alerts.length - down.n}, lead ${alerts.length - lead.n}`);

await service.close();
redis.disconnect();
receiver.closeAllConnections();
receiver.close();
await redisServer.close();
rmSync(dir, { recursive: true, force: true });
