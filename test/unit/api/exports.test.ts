import { describe, expect, it } from 'vitest';
import { loadRegistryFile } from '../../../config/index.js';
import { ParameterTable, type Section } from '../../../domain/index.js';
import { csvField, csvHeader, csvRows, isoWithOffset } from '../../../api/reports/csv.js';
import { exceedancesOf, type SectionReport } from '../../../api/reports/section-report.js';
import { escapeHtml, renderSectionReport } from '../../../api/reports/section-report-html.js';
import { anyOf, downsampledQuery, latestReadingsQuery } from '../../../api/queries/influxql.js';
import type { Alert } from '../../../platform/redis/alerts/index.js';

const H = 3_600_000;

describe('CSV', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', '"line\nbreak"'],
    ['=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
    ['+1', "'+1"],
    ['-2', "'-2"],
    ['@cmd', "'@cmd"],
    [null, ''],
    [0.081, '0.081'],
    [Number.NaN, ''],
  ])('field %j → %s', (value, out) => {
    expect(csvField(value as string | number | null)).toBe(out);
  });

  it.each([
    [Date.UTC(2026, 10, 22, 0, 0, 0), 480, '2026-11-22T08:00:00+08:00'],
    [Date.UTC(2026, 10, 21, 20, 0, 0), 480, '2026-11-22T04:00:00+08:00'],
    [Date.UTC(2026, 10, 22, 0, 0, 0), -330, '2026-11-21T18:30:00-05:30'],
    [Date.UTC(2026, 10, 22, 0, 0, 0), 0, '2026-11-22T00:00:00+00:00'],
  ])('time %d at offset %d min → %s', (ms, offset, text) => {
    expect(isoWithOffset(ms, offset)).toBe(text);
    expect(Date.parse(text)).toBe(ms);
  });

  it('rows: value and flag per parameter, N when unflagged, empty when missing', () => {
    const series = {
      times: [0, 60_000],
      values: { ph: [7.1, null], tp: [0.05, 0.06] },
      flags: { tp: [null, 'M' as const] },
      flagged: {},
    };
    expect(csvHeader(['ph', 'tp'])).toBe('time,station,section,ph,ph_flag,tp,tp_flag\r\n');
    expect(csvRows(series, ['ph', 'tp'], 'S1', 'sec', 480)).toBe(
      '1970-01-01T08:00:00+08:00,S1,sec,7.1,N,0.05,N\r\n1970-01-01T08:01:00+08:00,S1,sec,,,0.06,M\r\n',
    );
  });
});

describe('InfluxQL', () => {
  it('quotes ids so a hostile id stays a string', () => {
    expect(anyOf('station', ["a' OR 1=1 --"])).toBe(`("station" = 'a\\' OR 1=1 --')`);
    expect(latestReadingsQuery(['A', 'B'])).toBe(
      `SELECT * FROM "water_quality" WHERE ("station" = 'A' OR "station" = 'B') GROUP BY "station" ORDER BY time DESC LIMIT 1`,
    );
  });
  it('downsamples with one aggregate and a flag count per parameter, offset buckets, empty buckets as null', () => {
    const q = downsampledQuery(['S'], ['nh3n'], { fromMs: 1000, toMs: 2000 }, { ms: 86_400_000, offsetMs: 57_600_000 }, 'max');
    expect(q).toBe(
      `SELECT MAX("nh3n") AS "nh3n", COUNT("nh3n_flag") AS "nh3n_flagged" FROM "water_quality" WHERE ("station" = 'S') AND time >= 1000ms AND time < 2000ms GROUP BY time(86400000ms, 57600000ms) fill(null)`,
    );
  });
});

describe('exceedances from hourly means', () => {
  const section: Section = {
    id: 's',
    name: { zh: '断面', en: 'Section' },
    riverId: 'r',
    positionKm: 0,
    lat: 0,
    lon: 0,
    targetClass: 3,
    waterBody: 'river',
    upstreamAgencyId: 'a',
    downstreamAgencyId: 'b',
    boundary: true,
    drinkingWater: false,
    downstream: undefined,
  };
  it('counts hours beyond the target in each limit’s direction, leaves flagged hours out, finds the worst', () => {
    const series = {
      times: [0, H, 2 * H, 3 * H, 4 * H],
      values: {
        nh3n: [0.5, 1.5, 2.5, null, 9],
        do: [6, 4.5, 3.9, 5, 5.1],
        temp: [20, 21, 22, 23, 24],
      },
      flags: {},
      flagged: { nh3n: [0, 0, 0, 0, 2] },
    };
    const byParam = Object.fromEntries(exceedancesOf('X', series, section).map((e) => [e.parameter, e]));
    expect(byParam.nh3n).toMatchObject({
      hours: 2,
      evaluatedHours: 3,
      flaggedHours: 1,
      firstTs: H,
      lastTs: 2 * H,
      worst: { value: 2.5, ts: 2 * H },
    });
    expect(byParam.nh3n?.maxMultiple).toBeCloseTo(1.5, 12);
    expect(byParam.do).toMatchObject({ hours: 2, worst: { value: 3.9, ts: 2 * H }, maxMultiple: undefined });
    expect(byParam.temp).toBeUndefined();
  });
});

describe('report HTML', () => {
  const registry = loadRegistryFile('config/registry.yaml');
  const section = registry.section('tp-fenhu')!;
  const alert = {
    id: 'al-1',
    key: 'k',
    episode: 1,
    kind: 'exceedance',
    sectionId: 'tp-fenhu',
    riverId: 'taipu',
    stationId: 'TP-FH-JS',
    parameters: ['nh3n'],
    level: 'red',
    maxLevel: 'red',
    status: 'resolved',
    clearedAt: undefined,
    firstSeen: H,
    lastSeen: 2 * H,
    occurrences: 3,
    message: '<img src=x onerror=alert(1)> & "spill"',
    evidence: {},
    arrival: undefined,
    openedAt: H,
    updatedAt: 3 * H,
    acknowledged: { at: 2 * H, actor: { kind: 'agency', agencyId: 'jiashan' } },
    resolved: { at: 3 * H, actor: { kind: 'agency', agencyId: 'wujiang' }, reason: 'source <closed>' },
    reminders: 0,
    history: [],
  } as unknown as Alert;
  const report: SectionReport = {
    generatedAt: 4 * H,
    range: { fromMs: 0, toMs: 4 * H },
    section,
    attainment: {
      evaluated: 0,
      periodHours: 4,
      coverage: 0,
      byClass: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0 },
      meetingTarget: 0,
      attainmentRate: undefined,
      worst: undefined,
    },
    exceedances: [],
    alerts: [alert],
    tasks: undefined,
    truncated: false,
  };

  it('escapes everything that comes from outside and says what is missing', () => {
    const html = renderSectionReport(report, {
      lang: 'en',
      registry,
      parameters: new ParameterTable(),
      origin: 'http://h:1',
      tzOffsetMin: 480,
    });
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;spill&quot;');
    expect(html).toContain('source &lt;closed&gt;');
    expect(html).toContain('No hourly section class from analytics in this period.');
    expect(html).toContain('not wired into this process');
    expect(html).toContain('Jiashan Branch, Jiaxing Ecology and Environment Bureau');
    expect(html).toContain('<link rel="stylesheet" href="http://h:1/report.css">');
    expect(html).toContain('1970-01-01 09:00');
  });

  it('escapeHtml', () => {
    expect(escapeHtml(`<a href='x'>&"`)).toBe('&lt;a href=&#39;x&#39;&gt;&amp;&quot;');
  });
});
