/**
 * Reading-history benchmark (issue 8 "Done when"): 30 days of minute data
 * for one station (nine parameters) written to a real influxd started by the
 * test harness, then the hourly-means history query timed through the route
 * (`app.inject`, so key check, validation, InfluxQL and serialisation are all
 * in the figure): one cold run, then the median and p95 of 10 runs.
 *
 *   node --import tsx bench/history.ts
 */
import { Registry as MetricsRegistry } from 'prom-client';
import { Redis } from 'ioredis';
import { buildApp } from '../api/app.js';
import { AgencyKeyStore } from '../api/auth/index.js';
import { readingsRoutes } from '../api/routes/readings.js';
import { RedisKeys } from '../platform/redis/keys.js';
import { loadRegistryFile } from '../config/index.js';
import { systemClock, type Reading } from '../domain/index.js';
import { readingToLine } from '../platform/influx/line-protocol.js';
import { InfluxStore } from '../platform/influx/client.js';
import { silentLogger } from '../platform/logger.js';
import { startServices } from '../test/harness/services.js';

const DAYS = 30;
const RUNS = 10;
const STATION = 'TP-JZ-SH';
const MIN = 60_000;

function quantile(sorted: number[], q: number): number {
  const i = Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
  return sorted[Math.max(0, i)] as number;
}

/** Deterministic noise (mulberry32) so every run writes the same data. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function main(): Promise<void> {
  const svc = await startServices({ redis: true, influx: true });
  const redis = new Redis(svc.redis.url, { maxRetriesPerRequest: null });
  const influx = new InfluxStore({ url: svc.influx.url, api: 'v1', database: svc.uniqueName('bench') });
  try {
    await influx.ensureDatabase();
    const registry = loadRegistryFile('config/registry.yaml');
    const station = registry.station(STATION)!;
    const river = registry.section(station.sectionId)!.riverId;

    const end = Math.floor(Date.now() / MIN) * MIN;
    const start = end - DAYS * 86_400_000;
    const random = prng(42);
    let lines: string[] = [];
    let written = 0;
    const writeStarted = performance.now();
    for (let ts = start; ts < end; ts += MIN) {
      const day = Math.sin(((ts % 86_400_000) / 86_400_000) * 2 * Math.PI);
      const r: Reading = {
        stationId: STATION,
        sectionId: station.sectionId,
        ts,
        values: {
          temp: 18 + 3 * day + random() * 0.2,
          ph: 7.4 + 0.2 * day + random() * 0.02,
          do: 7.5 - day + random() * 0.1,
          cond: 320 + 20 * day + random() * 5,
          turb: 12 + random() * 3,
          codmn: 3 + 0.5 * day + random() * 0.2,
          nh3n: 0.35 + 0.1 * day + random() * 0.05,
          tp: 0.07 + 0.02 * day + random() * 0.01,
          tn: 1.1 + 0.1 * day + random() * 0.05,
        },
        flags: random() < 0.001 ? { tp: 'M' } : {},
        source: 'mqtt',
        receivedAt: ts,
      };
      lines.push(readingToLine(r, river));
      if (lines.length === 5000) {
        await influx.writeLines(lines);
        written += lines.length;
        lines = [];
      }
    }
    await influx.writeLines(lines);
    written += lines.length;
    const writeMs = performance.now() - writeStarted;

    const keyStore = new AgencyKeyStore({ redis, keys: new RedisKeys(svc.uniqueName('rw')), clock: systemClock });
    const { key } = await keyStore.create('qingpu', 'bench');
    const app = await buildApp({
      logger: silentLogger(),
      metrics: new MetricsRegistry(),
      readiness: {},
      bodyLimitBytes: 1_048_576,
      plugins: [readingsRoutes({ registry, keys: keyStore, influx })],
    });
    await app.ready();

    const url = `/api/v1/stations/${STATION}/readings?from=${start}&to=${end}&interval=1h`;
    const headers = { authorization: `Bearer ${key}` };
    const timeOnce = async (): Promise<{ ms: number; points: number; bytes: number }> => {
      const t0 = performance.now();
      const res = await app.inject({ url, headers });
      const ms = performance.now() - t0;
      if (res.statusCode !== 200) throw new Error(`history answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
      return { ms, points: (res.json() as { times: number[] }).times.length, bytes: res.rawPayload.length };
    };

    const cold = await timeOnce();
    const runs: number[] = [];
    let last = cold;
    for (let i = 0; i < RUNS; i++) {
      last = await timeOnce();
      runs.push(last.ms);
    }
    runs.sort((a, b) => a - b);

    // The same InfluxQL without the API around it, to show where the time goes.
    const { downsampledQuery } = await import('../api/queries/influxql.js');
    const q = downsampledQuery(
      [STATION],
      station.parameters,
      { fromMs: start, toMs: end },
      { ms: 3_600_000, offsetMs: 0 },
      'mean',
    );
    const bare: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await influx.query(q);
      bare.push(performance.now() - t0);
    }
    bare.sort((a, b) => a - b);

    // For comparison: the dashboard's two views.
    const day = await app.inject({ url: `/api/v1/stations/${STATION}/readings?from=${end - 86_400_000}&to=${end}`, headers });
    const t24 = performance.now();
    await app.inject({ url: `/api/v1/stations/${STATION}/readings?from=${end - 86_400_000}&to=${end}`, headers });
    const raw24Ms = performance.now() - t24;
    const t7 = performance.now();
    await app.inject({ url: `/api/v1/stations/${STATION}/readings?from=${end - 7 * 86_400_000}&to=${end}&interval=1h`, headers });
    const hourly7Ms = performance.now() - t7;

    const latestTimes: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const res = await app.inject({ url: `/api/v1/stations/${STATION}/latest`, headers });
      latestTimes.push(performance.now() - t0);
      if (res.statusCode !== 200) throw new Error(`latest answered ${res.statusCode}`);
    }
    latestTimes.sort((a, b) => a - b);

    console.log(`influxd ${svc.influx.url} (Debian influxdb 1.x), station ${STATION}`);
    console.log(`wrote ${written} points (${DAYS} days × 1/min × 9 parameters) in ${(writeMs / 1000).toFixed(1)} s`);
    console.log(`GET ${url.replace(/from=\d+&to=\d+/, `from=<-${DAYS}d>&to=<now>`)}`);
    console.log(`  answer: ${last.points} hourly points, ${last.bytes} bytes JSON`);
    console.log(`  cold (first) run: ${cold.ms.toFixed(1)} ms`);
    console.log(
      `  ${RUNS} runs: median ${quantile(runs, 0.5).toFixed(1)} ms, p95 ${quantile(runs, 0.95).toFixed(1)} ms, min ${runs[0]!.toFixed(1)} ms, max ${runs[runs.length - 1]!.toFixed(1)} ms`,
    );
    console.log(
      `  the bare InfluxQL (GROUP BY time(1h), 9 MEAN + 9 COUNT), ${RUNS} runs: median ${quantile(bare, 0.5).toFixed(1)} ms, p95 ${quantile(bare, 0.95).toFixed(1)} ms`,
    );
    console.log(
      `dashboard views: last 24 h raw (${(day.json() as { times: number[] }).times.length} points) ${raw24Ms.toFixed(1)} ms; last 7 days hourly ${hourly7Ms.toFixed(1)} ms`,
    );
    console.log(
      `latest reading of the station (newest of ${written} points), ${RUNS} runs: median ${quantile(latestTimes, 0.5).toFixed(1)} ms, p95 ${quantile(latestTimes, 0.95).toFixed(1)} ms`,
    );
    await app.close();
  } finally {
    await influx.close();
    redis.disconnect();
    await svc.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
