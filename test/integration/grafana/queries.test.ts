/**
 * Every InfluxQL query of deploy/grafana runs on a real InfluxDB holding a
 * simulated week: three Taipu stations from the simulator engine written as
 * the store writer writes them, the hourly section class of each section
 * (as analytics writes it), and alerts opened on a test clock through the
 * real alerts service and the store role's alert-points writer. Grafana's
 * $timeFilter, $__interval and template variables are substituted as
 * Grafana would; each query must return the series a user would expect.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry as MetricsRegistry } from 'prom-client';
import type { Redis } from 'ioredis';
import { startServices, type TestServices } from '../../harness/services.js';
import { AlertsService } from '../../../platform/redis/alerts/index.js';
import { loadRegistryFile } from '../../../config/index.js';
import { classOfSet, ManualClock, type AlertEvent, type Reading, type Registry } from '../../../domain/index.js';
import { readingToLine } from '../../../platform/influx/line-protocol.js';
import { InfluxStore, type InfluxSeries } from '../../../platform/influx/client.js';
import { InfluxAlertPoints } from '../../../platform/influx/alert-points.js';
import { NO_EVENTS, NUTRIENT_PARAMETERS, SimulationEngine } from '../../../simulators/index.js';
import { dashboardFiles, queriesOf, substitute, type Substitution } from '../../unit/deploy/grafana-files.js';
import { AutoAckCommander, FAST, logger, redisFor, waitFor } from '../alerts/helpers.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const STATIONS = ['TP-FH-JS', 'TP-FH-ZJ', 'TP-JS-01'];
const SECTIONS = ['tp-fenhu', 'tp-jiashan'];
/** Local midnight (Asia/Shanghai) a week and a bit ago, so the week covers whole local days. */
const toMs = Math.floor((Date.now() + 8 * HOUR) / DAY) * DAY - 8 * HOUR;
const fromMs = toMs - 7 * DAY;
/** Alerts opened per day: day d opens d % 3 + 1 alerts at tp-fenhu, levels cycling; one data-quality alert on day 2. */
const opened: { day: number; level: string; kind: string }[] = [];

let svc: TestServices<{ redis: true; influx: true }>;
let registry: Registry;
let influx: InfluxStore;
let redis: Redis;
let alerts: AlertsService;
let points: InfluxAlertPoints;
let readingsWritten = 0;

beforeAll(async () => {
  svc = await startServices({ redis: true, influx: true });
  registry = loadRegistryFile('config/registry.yaml');
  influx = new InfluxStore({ url: svc.influx.url, api: 'v1', database: svc.uniqueName('grafana') });
  await influx.ensureDatabase();

  // A simulated week of three stations, written as the store writer writes it.
  const engine = new SimulationEngine({
    registry,
    stations: STATIONS.map((id) => registry.station(id)!),
    seed: 18,
    fromMs,
    toMs,
    events: NO_EVENTS,
    stream: { tsFormat: 'epoch' },
  });
  const byHour = new Map<string, Map<string, number[]>>();
  let lines: string[] = [];
  for (let due = engine.popDue(); due; due = engine.popDue()) {
    for (const message of due.messages)
      for (const payload of message.readings) {
        const reading: Reading = {
          stationId: message.stationId,
          sectionId: message.sectionId,
          ts: Number(payload.ts),
          values: payload.values,
          flags: (payload.flags ?? {}) as Reading['flags'],
          source: 'mqtt',
          receivedAt: Number(payload.ts),
        };
        lines.push(readingToLine(reading, 'taipu'));
        readingsWritten++;
        const hourKey = `${message.sectionId}|${Math.floor(reading.ts / HOUR) * HOUR}`;
        const sums = byHour.get(hourKey) ?? new Map<string, number[]>();
        for (const [k, v] of Object.entries(reading.values)) if (!reading.flags[k] || reading.flags[k] === 'N') sums.set(k, [...(sums.get(k) ?? []), v]);
        byHour.set(hourKey, sums);
        if (lines.length >= 5000) {
          await influx.writeLines(lines);
          lines = [];
        }
      }
  }
  await influx.writeLines(lines);
  // The hourly class of each section from the hour's means (what analytics writes to section_class).
  const classLines = [...byHour].flatMap(([hourKey, sums]) => {
    const [sectionId, hour] = hourKey.split('|') as [string, string];
    const means = Object.fromEntries([...sums].map(([k, vs]) => [k, vs.reduce((a, b) => a + b, 0) / vs.length]));
    const { cls, deciding } = classOfSet(means, 'river');
    return cls === undefined ? [] : [`section_class,river=taipu,section=${sectionId} class=${cls}i,deciding="${deciding.join(',')}" ${hour}`];
  });
  await influx.writeLines(classLines);

  // Alerts opened on a test clock, one or more a day, through the real alerts service and the alert-points writer.
  redis = redisFor(svc.redis.url);
  const clock = new ManualClock(fromMs + 10 * HOUR);
  const keyPrefix = svc.uniqueName('rw');
  alerts = new AlertsService({
    redis,
    registry,
    logger,
    metricsRegistry: new MetricsRegistry(),
    clock,
    commander: new AutoAckCommander(),
    config: { ...FAST, keyPrefix, queuePrefix: `${keyPrefix}q`, webhook: { attempts: 1, backoffMs: 100, timeoutMs: 500 } },
  });
  await alerts.start();
  points = new InfluxAlertPoints({ redis, streamKey: alerts.keys.eventLog(), influx, consumer: 'test', logger });
  await points.start();
  const levels = ['blue', 'yellow', 'orange', 'red'] as const;
  const parameters = ['nh3n', 'tp', 'codmn'];
  let n = 0;
  for (let day = 0; day < 7; day++) {
    const events: AlertEvent[] = [];
    for (let i = 0; i <= day % 3; i++) {
      const level = levels[n++ % levels.length]!;
      events.push({
        type: 'raise',
        key: `exceedance:tp-fenhu:${parameters[i]}:${day}`,
        kind: 'exceedance',
        level,
        stationId: 'TP-FH-JS',
        sectionId: 'tp-fenhu',
        parameters: [parameters[i]!],
        ts: clock.now(),
        message: 'simulated exceedance',
        evidence: {},
      });
      opened.push({ day, level, kind: 'exceedance' });
    }
    if (day === 2) {
      events.push({
        type: 'raise',
        key: 'data-quality:TP-JS-01:offline',
        kind: 'data-quality',
        level: undefined,
        stationId: 'TP-JS-01',
        sectionId: 'tp-jiashan',
        parameters: [],
        ts: clock.now(),
        message: 'station offline',
        evidence: {},
      });
      opened.push({ day, level: 'none', kind: 'data-quality' });
    }
    await alerts.publish(events);
    clock.advance(DAY);
  }
  await waitFor('alert points', async () => {
    const s = await influx.query('SELECT count("opened") FROM "alert"');
    return Number(s[0]?.values[0]?.[1] ?? 0) === opened.length;
  });
}, 240_000);

afterAll(async () => {
  await points?.close();
  await alerts?.close({ force: true });
  redis?.disconnect();
  await influx?.close();
  await svc?.close();
});

const base: Omit<Substitution, 'variables'> = { fromMs, toMs, interval: '1h' };
const run = (query: string, variables: Record<string, string>): Promise<InfluxSeries[]> =>
  influx.query(substitute(query, { ...base, variables }));
const tagValues = (series: InfluxSeries[]): string[] => (series[0]?.values ?? []).map((row) => String(row[1])).sort();
const nonNull = (s: InfluxSeries): unknown[][] => s.values.filter((row) => row.slice(1).some((v) => v !== null));

describe('the simulated week', () => {
  it('holds a week of readings of three stations at their 5-minute interval', () => {
    // 3 stations × 7 days × 288 readings a day (within a few for the start offsets of the streams).
    expect(readingsWritten).toBeGreaterThan(3 * 7 * 288 - 10);
  });
});

describe('every query of every dashboard runs and returns data', () => {
  // Values a user would pick: the Taipu, everything ("All" = .*), one section, one station.
  const picks: Record<string, Record<string, string>> = {
    'section-classes.json': { river: 'taipu', section: '.*' },
    'station-parameters.json': { section: 'tp-fenhu', station: 'TP-FH-JS' },
    'alert-counts.json': { river: 'taipu', section: '.*' },
  };
  for (const { file, dashboard } of dashboardFiles()) {
    for (const { where, query } of queriesOf(dashboard)) {
      it(`${file}: ${where}`, async () => {
        const series = await run(query, picks[file]!);
        expect(series.length, substitute(query, { ...base, variables: picks[file]! })).toBeGreaterThan(0);
        expect(series.every((s) => nonNull(s).length > 0)).toBe(true);
      });
    }
  }
});

describe('the series are the expected ones', () => {
  const dash = (file: string) => dashboardFiles().find((f) => f.file === file)!.dashboard;
  const query = (file: string, where: RegExp) => queriesOf(dash(file)).find((q) => where.test(q.where))!.query;

  it('variables list the sections and stations written', async () => {
    expect(tagValues(await run(query('section-classes.json', /variable section/), { river: 'taipu' }))).toEqual(SECTIONS);
    expect(tagValues(await run(query('station-parameters.json', /variable station/), { section: 'tp-fenhu' }))).toEqual(['TP-FH-JS', 'TP-FH-ZJ']);
    expect(tagValues(await run(query('alert-counts.json', /variable section/), { river: 'taipu' }))).toEqual(SECTIONS);
  });

  it('section classes: one current class per section, an hourly class for every hour, 7 local days', async () => {
    const current = await run(query('section-classes.json', /Current class/), { river: 'taipu', section: '.*' });
    expect(current.map((s) => s.tags?.section).sort()).toEqual(SECTIONS);
    for (const s of current) expect(s.values[0]?.[1]).toEqual(expect.any(Number));
    const hourly = await run(query('section-classes.json', /Class by hour/), { river: 'taipu', section: 'tp-fenhu' });
    expect(hourly).toHaveLength(1);
    expect(nonNull(hourly[0]!).length).toBe(7 * 24);
    const daily = await run(query('section-classes.json', /by day/), { river: 'taipu', section: 'tp-fenhu' });
    // Local days (Asia/Shanghai): every bucket starts at 16:00 UTC.
    const days = nonNull(daily[0]!).map((row) => Number(row[0]));
    expect(days).toHaveLength(7);
    for (const t of days) expect((t + 8 * HOUR) % DAY).toBe(0);
  });

  it('station parameters: hourly means of each parameter of the station, and nothing of its neighbour', async () => {
    const panels = queriesOf(dash('station-parameters.json')).filter((q) => q.where.startsWith('panel'));
    for (const { where, query: q } of panels) {
      const series = await run(q, { section: 'tp-fenhu', station: 'TP-FH-JS' });
      expect(series, where).toHaveLength(1);
      // Basic parameters every 5 min (an hourly mean every hour); the nutrient analysers run every 4 h.
      const key = /mean\("(\w+)"\)/.exec(q)![1]!;
      const perDay = NUTRIENT_PARAMETERS.includes(key) ? 6 : 24;
      expect(nonNull(series[0]!).length, where).toBeGreaterThanOrEqual(7 * perDay - 1);
    }
    const mean = async (station: string) =>
      (await run(panels.find((p) => /Ammonia/.test(p.where))!.query, { section: 'tp-fenhu', station }))[0]!.values.map((r) => r[1]);
    expect(await mean('TP-FH-JS')).not.toEqual(await mean('TP-FH-ZJ'));
  });

  it('alert counts: per local day and level, by section, by kind, as opened', async () => {
    const perDay = await run(query('alert-counts.json', /per day/), { river: 'taipu', section: '.*' });
    const counted = perDay.flatMap((s) =>
      s.values.filter((row) => Number(row[1]) > 0).map((row) => ({ day: Math.round((Number(row[0]) - fromMs) / DAY), level: s.tags?.level, n: Number(row[1]) })),
    );
    const expected = new Map<string, number>();
    for (const o of opened) expected.set(`${o.day}|${o.level}`, (expected.get(`${o.day}|${o.level}`) ?? 0) + 1);
    expect(new Map(counted.map((c) => [`${c.day}|${c.level}`, c.n]))).toEqual(expected);
    const bySection = await run(query('alert-counts.json', /By section/), { river: 'taipu', section: '.*' });
    expect(Object.fromEntries(bySection.map((s) => [s.tags?.section, s.values[0]?.[1]]))).toEqual({
      'tp-fenhu': opened.filter((o) => o.kind === 'exceedance').length,
      'tp-jiashan': 1,
    });
    const byKind = await run(query('alert-counts.json', /By kind/), { river: 'taipu', section: 'tp-fenhu' });
    expect(Object.fromEntries(byKind.map((s) => [s.tags?.kind, s.values[0]?.[1]]))).toEqual({ exceedance: opened.length - 1 });
  });
});
