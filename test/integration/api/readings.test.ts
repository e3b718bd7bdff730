/**
 * Reading routes against a real influxd: latest reading and class per
 * station and section (flagged values never decide a class), history raw and
 * downsampled (hourly means equal the means of what was written; daily
 * buckets start at local midnight), section class history with attainment,
 * the limits on range and points as 400s, and scoping.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reading, startApiFixture, type ApiFixture } from './api-fixture.js';

const HOUR = 3_600_000;
const MIN = 60_000;
const MAX_POINTS = 500;

let fx: ApiFixture;
const now = Date.now();
/** A whole hour well in the past, start of the minute series of TP-JS-01. */
const seriesStart = Math.floor((now - 30 * HOUR) / HOUR) * HOUR;
const SERIES_MINUTES = 150;
/** What was written for TP-JS-01, to compute expected means independently. */
const written: { ts: number; nh3n: number; tp: number; flagged: boolean }[] = [];

beforeAll(async () => {
  fx = await startApiFixture({ limits: { maxPoints: MAX_POINTS } });
  // Fenhu (boundary, target III): one station over the ammonia limit (class IV), the other clean but with a fault-flagged DO.
  await fx.writeReadings([
    reading('TP-FH-JS', 'tp-fenhu', now - 10 * MIN, { ph: 7.4, do: 6.8, codmn: 3.0, nh3n: 0.6, tp: 0.12 }),
    reading('TP-FH-JS', 'tp-fenhu', now - 5 * MIN, { ph: 7.4, do: 6.7, codmn: 3.1, nh3n: 0.9, tp: 0.13, temp: 18.2 }),
    reading(
      'TP-FH-JS',
      'tp-fenhu',
      now - MIN,
      { ph: 7.5, do: 6.5, codmn: 3.2, nh3n: 1.2, tp: 0.15, temp: 18.3, turb: 30 },
      { turb: 'M' },
    ),
    reading('TP-FH-ZJ', 'tp-fenhu', now - 2 * MIN, { ph: 7.6, do: 1.0, codmn: 2.5, nh3n: 0.3, tp: 0.08 }, { do: 'D' }),
  ]);
  // TP-JS-01: a minute series with a rising ammonia and a maintenance period.
  const readings = [];
  for (let i = 0; i < SERIES_MINUTES; i++) {
    const ts = seriesStart + i * MIN;
    const nh3n = Math.round((0.4 + i * 0.01) * 1000) / 1000;
    const tp = Math.round((0.1 + (i % 7) * 0.01) * 1000) / 1000;
    const flagged = i >= 20 && i < 23;
    written.push({ ts, nh3n, tp, flagged });
    readings.push(reading('TP-JS-01', 'tp-jiashan', ts, { nh3n, tp, ph: 7.2 }, flagged ? { nh3n: 'M' } : {}));
  }
  await fx.writeReadings(readings);
});

afterAll(async () => {
  await fx?.close();
});

const get = (agency: 'wujiang' | 'jiashan' | 'lancang' | 'taihu-bureau', url: string) =>
  fx.app.inject({ url, headers: fx.headers(agency) });

describe('latest reading and current class', () => {
  it('a station: its newest point, the class of each value against the section target, the class of the whole', async () => {
    const res = await get('wujiang', '/api/v1/stations/TP-FH-JS/latest');
    expect(res.statusCode).toBe(200);
    const latest = res.json();
    expect(latest.ts).toBe(now - MIN);
    // Ammonia 1.2 mg/L is class IV (1.0 < x ≤ 1.5) and decides; the target of Fenhu is III.
    expect(latest.class).toBe(4);
    expect(latest.deciding).toEqual(['nh3n']);
    expect(latest.parameters.nh3n).toEqual({
      value: 1.2,
      flag: 'N',
      class: 4,
      limit: { kind: 'upper', value: 1 },
      exceedsTarget: true,
    });
    expect(latest.parameters.tp).toMatchObject({ value: 0.15, class: 3, exceedsTarget: false });
    expect(latest.parameters.turb).toMatchObject({ value: 30, flag: 'M', exceedsTarget: false });
    expect(latest.parameters.turb.class).toBeUndefined();
  });

  it('a fault-flagged value is shown but does not decide the class', async () => {
    const latest = (await get('jiashan', '/api/v1/stations/TP-FH-ZJ/latest')).json();
    expect(latest.parameters.do).toMatchObject({ value: 1, flag: 'D', exceedsTarget: false });
    // Without DO (flagged D), the worst is pH/tp/codmn/nh3n: tp 0.08 and codmn 2.5 are class II, nh3n 0.3 class II.
    expect(latest.class).toBe(2);
  });

  it('a section: from its stations’ latest readings until analytics writes a class, then analytics’ class', async () => {
    const before = (await get('wujiang', '/api/v1/sections/tp-fenhu/latest')).json();
    expect(before.targetClass).toBe(3);
    expect(before.current).toMatchObject({ class: 4, source: 'latest-readings', meetsTarget: false, deciding: ['nh3n'] });
    expect(before.current.label.zh).toBe('Ⅳ类');
    expect(before.stations.map((s: { stationId: string }) => s.stationId)).toEqual(['TP-FH-JS', 'TP-FH-ZJ']);

    await fx.writeSectionClass([{ sectionId: 'tp-fenhu', ts: now - 20 * MIN, cls: 5, deciding: ['nh3n', 'tp'] }]);
    const after = (await get('wujiang', '/api/v1/sections/tp-fenhu/latest')).json();
    expect(after.current).toMatchObject({
      class: 5,
      source: 'analytics',
      at: now - 20 * MIN,
      deciding: ['nh3n', 'tp'],
      meetsTarget: false,
    });
  });

  it('all visible sections at once, upstream to downstream; a station without data has no latest', async () => {
    const body = (await get('wujiang', '/api/v1/latest')).json();
    expect(body.sections.map((s: { sectionId: string }) => s.sectionId)).toEqual([
      'th-east',
      'tp-gate',
      'tp-pingwang',
      'tp-fenhu',
    ]);
    const gate = body.sections.find((s: { sectionId: string }) => s.sectionId === 'tp-gate');
    expect(gate.current).toBeUndefined();
    expect(gate.stations[0].latest).toBeUndefined();
    const none = await get('wujiang', '/api/v1/stations/TP-GATE-01/latest');
    expect(none.statusCode).toBe(404);
    expect(none.json().error.code).toBe('RW_NOT_FOUND');
  });

  it('is scoped', async () => {
    expect((await get('lancang', '/api/v1/stations/TP-FH-JS/latest')).statusCode).toBe(403);
    expect((await get('lancang', '/api/v1/sections/tp-fenhu/latest')).statusCode).toBe(403);
    const theirs = (await get('lancang', '/api/v1/latest')).json();
    expect(theirs.sections.every((s: { sectionId: string }) => s.sectionId.startsWith('nl-'))).toBe(true);
  });
});

describe('history', () => {
  const from = seriesStart;
  const to = seriesStart + SERIES_MINUTES * MIN;

  it('raw: every point in the range, oldest first, with non-N flags per point', async () => {
    const res = await get('jiashan', `/api/v1/stations/TP-JS-01/readings?from=${from}&to=${to}&parameters=nh3n,tp`);
    expect(res.statusCode).toBe(200);
    const h = res.json();
    expect(h.parameters).toEqual(['nh3n', 'tp']);
    expect(h.times).toEqual(written.map((w) => w.ts));
    expect(h.values.nh3n).toEqual(written.map((w) => w.nh3n));
    expect(h.values.tp).toEqual(written.map((w) => w.tp));
    expect(h.flags.nh3n).toEqual(written.map((w) => (w.flagged ? 'M' : null)));
    expect(h.flags.tp).toBeUndefined();
    expect(h.targetLimits).toEqual({ nh3n: { kind: 'upper', value: 1 }, tp: { kind: 'upper', value: 0.2 } });
  });

  it('ISO 8601 times with an offset work like epoch ms', async () => {
    const iso = (ms: number) => new Date(ms + 8 * HOUR).toISOString().replace('Z', '+08:00');
    const h = (
      await get(
        'jiashan',
        `/api/v1/stations/TP-JS-01/readings?from=${encodeURIComponent(iso(from))}&to=${encodeURIComponent(iso(from + 10 * MIN))}&parameters=nh3n`,
      )
    ).json();
    expect(h.times).toEqual(written.slice(0, 10).map((w) => w.ts));
  });

  it('interval=1h: hourly means equal the means of what was written, with flagged counts', async () => {
    const res = await get('jiashan', `/api/v1/stations/TP-JS-01/readings?from=${from}&to=${to}&interval=1h&parameters=nh3n,tp`);
    expect(res.statusCode).toBe(200);
    const h = res.json();
    expect(h.interval).toBe('1h');
    expect(h.aggregate).toBe('mean');
    const hours = [0, 1, 2].map((i) => seriesStart + i * HOUR);
    expect(h.times).toEqual(hours);
    hours.forEach((start, i) => {
      const inHour = written.filter((w) => w.ts >= start && w.ts < start + HOUR);
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      expect(h.values.nh3n[i]).toBeCloseTo(mean(inHour.map((w) => w.nh3n)), 9);
      expect(h.values.tp[i]).toBeCloseTo(mean(inHour.map((w) => w.tp)), 9);
    });
    expect(h.flagged.nh3n).toEqual([3, 0, 0]);
    expect(h.flagged.tp).toBeUndefined();
  });

  it('aggregate=max and empty buckets as null', async () => {
    const h = (
      await get(
        'jiashan',
        `/api/v1/stations/TP-JS-01/readings?from=${from}&to=${from + 5 * HOUR}&interval=1h&aggregate=max&parameters=nh3n`,
      )
    ).json();
    expect(h.values.nh3n.slice(0, 3)).toEqual(
      [0, 1, 2].map((i) =>
        Math.max(...written.filter((w) => w.ts >= from + i * HOUR && w.ts < from + (i + 1) * HOUR).map((w) => w.nh3n)),
      ),
    );
    expect(h.times).toEqual([0, 1, 2, 3, 4].map((i) => from + i * HOUR));
    expect(h.values.nh3n.slice(3)).toEqual([null, null]);
  });

  it('interval=1d: buckets start at local midnight (UTC+8)', async () => {
    const h = (
      await get(
        'jiashan',
        `/api/v1/stations/TP-JS-01/readings?from=${from - 2 * 86_400_000}&to=${to}&interval=1d&parameters=nh3n`,
      )
    ).json();
    expect(h.times.length).toBeGreaterThan(0);
    for (const t of h.times) expect((t + 8 * HOUR) % 86_400_000).toBe(0);
  });

  it.each([
    ['from after to', `from=${to}&to=${from}`, 'RW_INVALID_PAYLOAD'],
    ['a time without offset', `from=2026-11-01T08:00:00&to=${to}`, 'RW_INVALID_PAYLOAD'],
    ['a time that is no time', `from=yesterday`, 'RW_INVALID_PAYLOAD'],
    ['an unknown interval unit', `interval=5x`, 'RW_INVALID_PAYLOAD'],
    ['a zero interval', `interval=0h`, 'RW_INVALID_PAYLOAD'],
    ['an unknown aggregate', `interval=1h&aggregate=sum`, 'RW_INVALID_PAYLOAD'],
    ['an aggregate without interval', `aggregate=max`, 'RW_INVALID_PAYLOAD'],
    ['a parameter the station does not measure', `parameters=nh3n,benzene`, 'RW_INVALID_PAYLOAD'],
    ['raw readings over more than 31 days', `from=${to - 40 * 86_400_000}&to=${to}`, 'RW_RANGE_TOO_LARGE'],
    ['downsampled over more than 400 days', `from=${to - 500 * 86_400_000}&to=${to}&interval=1d`, 'RW_RANGE_TOO_LARGE'],
    ['more buckets than the point limit', `from=${to - 30 * 86_400_000}&to=${to}&interval=1h`, 'RW_TOO_MANY_POINTS'],
  ])('%s → 400 %s', async (_name, query, code) => {
    const res = await get('jiashan', `/api/v1/stations/TP-JS-01/readings?${query}`);
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error.code).toBe(code);
    expect(body.error.message.length).toBeGreaterThan(10);
  });

  it('more raw points than the limit → 400 RW_TOO_MANY_POINTS naming the way out', async () => {
    const many = [];
    for (let i = 0; i < MAX_POINTS + 10; i++)
      many.push(reading('TP-JS-01', 'tp-jiashan', seriesStart - 20 * HOUR + i * MIN, { nh3n: 0.5 }));
    await fx.writeReadings(many);
    const res = await get(
      'jiashan',
      `/api/v1/stations/TP-JS-01/readings?from=${seriesStart - 20 * HOUR}&to=${seriesStart}&parameters=nh3n`,
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'RW_TOO_MANY_POINTS' });
    expect(res.json().error.message).toMatch(/interval/);
    // The same range as hourly means is fine.
    expect(
      (await get('jiashan', `/api/v1/stations/TP-JS-01/readings?from=${seriesStart - 20 * HOUR}&to=${seriesStart}&interval=1h`))
        .statusCode,
    ).toBe(200);
  });

  it('is scoped', async () => {
    const res = await get('wujiang', `/api/v1/stations/TP-JS-01/readings?from=${from}&to=${to}`);
    expect(res.statusCode).toBe(403);
  });
});

describe('section class history', () => {
  it('lists the hourly classes and the attainment of the target over the range', async () => {
    const start = Math.floor((now - 100 * HOUR) / HOUR) * HOUR;
    // 48 hours: 40 at class III (target met), 5 at IV, 3 at worse than V.
    const classes = [...Array(40).fill(3), ...Array(5).fill(4), ...Array(3).fill(6)] as number[];
    await fx.writeSectionClass(
      classes.map((cls, i) => ({
        sectionId: 'tp-jiashan',
        ts: start + i * HOUR,
        cls,
        deciding: cls === 3 ? ['codmn'] : ['nh3n'],
      })),
    );
    const res = await get('jiashan', `/api/v1/sections/tp-jiashan/class-history?from=${start}&to=${start + 96 * HOUR}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.classes).toEqual(classes);
    expect(body.times[0]).toBe(start);
    expect(body.deciding[47]).toEqual(['nh3n']);
    expect(body.attainment).toMatchObject({ evaluated: 48, periodHours: 96, coverage: 0.5, meetingTarget: 40 });
    expect(body.attainment.attainmentRate).toBeCloseTo(40 / 48, 9);
    expect(body.attainment.byClass).toEqual({ 1: 0, 2: 0, 3: 40, 4: 5, 5: 0, 6: 3 });
    expect((await get('wujiang', '/api/v1/sections/tp-jiashan/class-history')).statusCode).toBe(403);
  });
});
