/**
 * Exports: the readings CSV (streamed day by day, every point once, local
 * times, flags), and the section report for the joint meeting with class
 * attainment, exceedances from hourly means, and the section's alerts and
 * joint-monitoring task as the alerts stage recorded them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertEvent, reading, startApiFixture, waitFor, type ApiFixture } from './api-fixture.js';

const HOUR = 3_600_000;
const MIN = 60_000;
let fx: ApiFixture;
const now = Date.now();
/** 2.5 days of 5-minute data for TP-JZ-SH: crosses two day chunks of the export. */
const csvFrom = Math.floor((now - 3 * 86_400_000) / HOUR) * HOUR;
const csvPoints = (60 * 24 * 2.5) / 5;
/** Report period: 24 whole hours ending 6 h ago. */
const reportFrom = Math.floor((now - 30 * HOUR) / HOUR) * HOUR;
const reportTo = reportFrom + 24 * HOUR;

beforeAll(async () => {
  fx = await startApiFixture();
  const readings = [];
  for (let i = 0; i < csvPoints; i++) {
    const ts = csvFrom + i * 5 * MIN;
    readings.push(
      reading(
        'TP-JZ-SH',
        'tp-jinze',
        ts,
        i % 10 === 0 ? { ph: 7.1, nh3n: 0.3 } : { ph: 7.1, nh3n: 0.3, tp: 0.05 },
        i === 1 ? { tp: 'M' } : {},
      ),
    );
  }
  await fx.writeReadings(readings);

  // Jinze (target II, ammonia ≤ 0.5): TP-JZ-ZJ above it for hours 5, 6, 7 of the period; one more hour high but under maintenance.
  const jz = [];
  for (let hour = 0; hour < 24; hour++) {
    for (let m = 0; m < 60; m += 10) {
      const high = hour >= 5 && hour <= 7;
      const maintenance = hour === 12;
      jz.push(
        reading(
          'TP-JZ-ZJ',
          'tp-jinze',
          reportFrom + hour * HOUR + m * MIN,
          { nh3n: high ? 0.8 + hour * 0.1 : maintenance ? 3 : 0.3, do: 7.5, ph: 7.4 },
          maintenance && m === 0 ? { nh3n: 'C' as 'M' } : {},
        ),
      );
    }
  }
  await fx.writeReadings(jz);
  // Analytics' hourly class: 20 hours at II (target met), 3 at IV, 1 at III.
  await fx.writeSectionClass(
    Array.from({ length: 24 }, (_, hour) => ({
      sectionId: 'tp-jinze',
      ts: reportFrom + hour * HOUR,
      cls: hour >= 5 && hour <= 7 ? 4 : hour === 8 ? 3 : 2,
      deciding: ['nh3n'],
    })),
  );
  // An alert through the alerts stage's own entry point; at a boundary section at yellow it opens a joint task.
  await fx.publish([
    alertEvent({
      sectionId: 'tp-jinze',
      stationId: 'TP-JZ-ZJ',
      ts: reportFrom + 5 * HOUR,
      level: 'yellow',
      message: 'ammonia above the class II limit at Jinze <intake>',
    }),
  ]);
  await waitFor(
    'the joint task',
    async () => (await fx.alerts.listTasks({ sectionId: 'tp-jinze', limit: 10, offset: 0 })).items[0],
  );
});

afterAll(async () => {
  await fx?.close();
});

describe('readings CSV', () => {
  it('streams every point once with local times and flags', async () => {
    const res = await fx.app.inject({
      url: `/api/v1/stations/TP-JZ-SH/readings.csv?from=${csvFrom}&to=${csvFrom + 2.5 * 86_400_000}&parameters=ph,tp`,
      headers: fx.headers('qingpu'),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="TP-JZ-SH_\d{8}-\d{8}\.csv"$/);
    expect(res.headers['content-length']).toBeUndefined();
    const lines = res.body.split('\r\n');
    expect(lines.pop()).toBe('');
    expect(lines[0]).toBe('time,station,section,ph,ph_flag,tp,tp_flag');
    const rows = lines.slice(1);
    expect(rows).toHaveLength(csvPoints);
    const times = rows.map((r) => Date.parse(r.split(',')[0] as string));
    expect(times).toEqual(Array.from({ length: csvPoints }, (_, i) => csvFrom + i * 5 * MIN));
    expect(rows[0]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00,TP-JZ-SH,tp-jinze,7\.1,N,,$/);
    expect(rows[1]).toMatch(/,7\.1,N,0\.05,M$/);
    expect(rows[2]).toMatch(/,7\.1,N,0\.05,N$/);
  });

  it('refuses a too long range, an unknown parameter, and a station outside the jurisdiction', async () => {
    const long = await fx.app.inject({
      url: `/api/v1/stations/TP-JZ-SH/readings.csv?from=${now - 400 * 86_400_000}&to=${now}`,
      headers: fx.headers('qingpu'),
    });
    expect(long.statusCode).toBe(400);
    expect(long.json().error.code).toBe('RW_RANGE_TOO_LARGE');
    const param = await fx.app.inject({
      url: '/api/v1/stations/TP-JZ-SH/readings.csv?parameters=zinc',
      headers: fx.headers('qingpu'),
    });
    expect(param.statusCode).toBe(400);
    expect(param.json().error.code).toBe('RW_INVALID_PAYLOAD');
    expect(
      (await fx.app.inject({ url: '/api/v1/stations/TP-JZ-SH/readings.csv', headers: fx.headers('wujiang') })).statusCode,
    ).toBe(403);
    expect((await fx.app.inject({ url: '/api/v1/stations/TP-JZ-SH/readings.csv' })).statusCode).toBe(401);
  });
});

describe('section report', () => {
  const url = `/api/v1/sections/tp-jinze/report?from=${reportFrom}&to=${reportTo}`;

  it('JSON: attainment from the hourly class, exceedances from hourly means (flagged hours left out), the alert and its task', async () => {
    const res = await fx.app.inject({ url: `${url}&format=json`, headers: fx.headers('jiashan') });
    expect(res.statusCode).toBe(200);
    const report = res.json();
    expect(report.attainment).toMatchObject({
      evaluated: 24,
      periodHours: 24,
      meetingTarget: 20,
      byClass: { 2: 20, 3: 1, 4: 3 },
    });
    const nh3n = report.exceedances.find(
      (e: { stationId: string; parameter: string }) => e.stationId === 'TP-JZ-ZJ' && e.parameter === 'nh3n',
    );
    expect(nh3n).toMatchObject({
      hours: 3,
      evaluatedHours: 23,
      flaggedHours: 1,
      limit: { kind: 'upper', value: 0.5 },
      firstTs: reportFrom + 5 * HOUR,
      lastTs: reportFrom + 7 * HOUR,
    });
    expect(nh3n.worst.value).toBeCloseTo(1.5, 9);
    expect(nh3n.maxMultiple).toBeCloseTo((1.5 - 0.5) / 0.5, 9);
    expect(report.exceedances.filter((e: { hours: number }) => e.hours > 0)).toHaveLength(1);
    expect(report.alerts).toHaveLength(1);
    expect(report.alerts[0]).toMatchObject({ sectionId: 'tp-jinze', level: 'yellow', status: 'open' });
    expect(report.tasks).toHaveLength(1);
    expect(report.tasks[0].parties.sort()).toEqual(['jiashan', 'qingpu']);
  });

  it('HTML in Chinese and English: printable, escaped, no script', async () => {
    const zh = await fx.app.inject({ url, headers: fx.headers('qingpu') });
    expect(zh.statusCode).toBe(200);
    expect(zh.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = zh.body;
    expect(html).toContain('断面水质联合会商报告');
    expect(html).toContain('金泽');
    expect(html).toMatch(/达标率: <strong>83\.3 %<\/strong>/);
    expect(html).toContain('level-yellow');
    expect(html).toContain('Jinze &lt;intake&gt;');
    expect(html).not.toContain('<intake>');
    expect(html).not.toMatch(/<script/i);
    expect(html).toMatch(/<link rel="stylesheet" href="http:\/\/[^"]+\/report\.css">/);
    const en = (await fx.app.inject({ url: `${url}&lang=en`, headers: fx.headers('qingpu') })).body;
    expect(en).toContain('Section report for the joint meeting');
    expect(en).toContain('Attainment rate');
  });

  it('is scoped and validated', async () => {
    expect((await fx.app.inject({ url, headers: fx.headers('wujiang') })).statusCode).toBe(403);
    const lang = await fx.app.inject({ url: `${url}&lang=fr`, headers: fx.headers('qingpu') });
    expect(lang.statusCode).toBe(400);
    expect(lang.json().error.code).toBe('RW_INVALID_PAYLOAD');
  });
});
