/**
 * Sudden-change detector benchmark (issue 5): `node --import tsx bench/analytics.ts`
 *
 * 2,000 stations × the 9 canonical parameters (temperature as context, the
 * other eight as quality signals), minute data, synthetic: a slow daily
 * cycle, noise, quantisation to each parameter's precision, and a step change
 * on 1 % of stations during the measured period so the event path runs too.
 *
 * 1. warm-up: 6 h 20 min of data for every station (past the detector's 6 h
 *    scale warm-up, baseline windows full), interleaved in time order;
 * 2. memory per station: (heapUsed + arrayBuffers) after warm-up minus before
 *    the detectors existed, divided by the stations, after a forced GC;
 * 3. throughput: 2 h more data per station, values precomputed so only the
 *    detector is timed; one thread, rows per CPU-second of this process is the
 *    per-core figure (wall-clock rows/s is printed too: it drops when other
 *    processes share the cores);
 * 4. snapshot size and snapshot → restore time (warm start).
 *
 * Only the sudden-change detector is measured here; threshold, trend and the
 * other detectors are composed by the section analyzer. Runs in well under a
 * minute on an idle 2-core machine; figures are measured on this run.
 */
import { cpus, loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SuddenChangeDetector, type SignalSpec } from '../analytics/detectors/sudden-change.js';
import { CANONICAL_PARAMETERS } from '../domain/parameters.js';

const STATIONS = 2000;
const INTERVAL_MS = 60_000;
const WARMUP_ROWS = 380;
const MEASURE_ROWS = 120;
const T0 = Date.parse('2026-11-22T00:00:00+08:00');

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const signals: SignalSpec[] = CANONICAL_PARAMETERS.map((p) => ({
  key: p.key,
  precision: p.precision,
  role: p.key === 'temp' ? 'context' : 'quality',
}));
const LEVELS: Record<string, number> = {
  temp: 18,
  ph: 7.6,
  do: 7.5,
  cond: 420,
  turb: 15,
  codmn: 3.5,
  nh3n: 0.35,
  tp: 0.08,
  tn: 1.4,
};

/** Deterministic PRNG (mulberry32) so runs are comparable. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = prng(42);

function valueAt(station: number, p: number, minute: number, stepped: boolean): number {
  const spec = CANONICAL_PARAMETERS[p] as (typeof CANONICAL_PARAMETERS)[number];
  const level = (LEVELS[spec.key] as number) * (1 + 0.05 * Math.sin((2 * Math.PI * (minute + station * 7)) / 1440));
  const noise = (rand() - 0.5) * 4 * spec.precision + (rand() - 0.5) * 0.01 * level;
  const step = stepped && spec.key !== 'temp' ? 0.3 * level : 0;
  return Math.round((level + noise + step) / spec.precision) * spec.precision;
}

function mem(): number {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function main(): void {
  console.log(
    `sudden-change bench: ${STATIONS} stations × ${signals.length} parameters, minute data; node ${process.version}, ${cpus().length} cores, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const before = mem();
  const detectors = Array.from({ length: STATIONS }, () => new SuddenChangeDetector(signals));
  const values: Record<string, number | undefined> = {};

  const tw = performance.now();
  for (let m = 0; m < WARMUP_ROWS; m++) {
    for (let s = 0; s < STATIONS; s++) {
      for (let p = 0; p < signals.length; p++) values[(signals[p] as SignalSpec).key] = valueAt(s, p, m, false);
      (detectors[s] as SuddenChangeDetector).update(T0 + m * INTERVAL_MS, values);
    }
  }
  const warmMs = performance.now() - tw;
  const perStation = (mem() - before) / STATIONS;

  // Precompute the measured period: only the detector is timed.
  const data = new Float64Array(MEASURE_ROWS * STATIONS * signals.length);
  let k = 0;
  for (let m = 0; m < MEASURE_ROWS; m++) {
    for (let s = 0; s < STATIONS; s++) {
      const stepped = s % 100 === 0 && m >= 30 && m < 50;
      for (let p = 0; p < signals.length; p++) data[k++] = valueAt(s, p, WARMUP_ROWS + m, stepped);
    }
  }
  let events = 0;
  k = 0;
  const c1 = process.cpuUsage();
  const t1 = performance.now();
  for (let m = 0; m < MEASURE_ROWS; m++) {
    const ts = T0 + (WARMUP_ROWS + m) * INTERVAL_MS;
    for (let s = 0; s < STATIONS; s++) {
      for (let p = 0; p < signals.length; p++) values[(signals[p] as SignalSpec).key] = data[k++];
      if ((detectors[s] as SuddenChangeDetector).update(ts, values).started) events++;
    }
  }
  const measureMs = performance.now() - t1;
  const cpu = process.cpuUsage(c1);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const rows = MEASURE_ROWS * STATIONS;

  const t2 = performance.now();
  let bytes = 0;
  for (let s = 0; s < 200; s++) {
    const json = JSON.stringify((detectors[s] as SuddenChangeDetector).snapshot());
    bytes += json.length;
    SuddenChangeDetector.restore(JSON.parse(json), signals);
  }
  const snapMs = (performance.now() - t2) / 200;

  console.log(`warm-up: ${WARMUP_ROWS * STATIONS} rows in ${(warmMs / 1000).toFixed(1)} s`);
  console.log(
    `throughput per core (one thread): ${Math.round(rows / (cpuMs / 1000))} rows/s = ${Math.round((rows * signals.length) / (cpuMs / 1000))} values/s per CPU-second; wall clock ${Math.round(rows / (measureMs / 1000))} rows/s (${rows} rows in ${(measureMs / 1000).toFixed(2)} s wall, ${(cpuMs / 1000).toFixed(2)} s CPU; wall drops when other processes share the cores)`,
  );
  console.log(`events started in the measured period: ${events} (stepped stations: ${STATIONS / 100})`);
  console.log(
    `memory per station after warm-up (heapUsed + arrayBuffers): ${(perStation / 1024).toFixed(1)} KiB → ${((perStation * STATIONS) / 1048576).toFixed(0)} MiB for ${STATIONS} stations`,
  );
  console.log(
    `snapshot: ${(bytes / 200 / 1024).toFixed(1)} KiB JSON per station; snapshot + JSON round trip + restore ${snapMs.toFixed(2)} ms per station`,
  );
}

main();
