/**
 * `npm run eval -- --feedback`: reading the API's feedback export (JSON and
 * CSV) and scoring it per kind, detector, parameter, section and month
 * (eval/feedback-export.ts, eval/feedback-score.ts).
 */
import { describe, expect, it } from 'vitest';
import { csvRows, parseFeedbackExport, type FeedbackRecord } from '../../../eval/feedback-export.js';
import {
  detectorOf,
  figuresOf,
  formatFeedbackScore,
  monthOf,
  scoreFeedback,
  wilsonInterval,
} from '../../../eval/feedback-score.js';

const NOV = Date.parse('2026-11-10T02:00:00Z');
const DEC = Date.parse('2026-12-03T02:00:00Z');

function rec(over: Partial<FeedbackRecord>): FeedbackRecord {
  return {
    alertId: 'al-1',
    key: 'exceedance:tp-jinze:nh3n',
    kind: 'exceedance',
    sectionId: 'tp-jinze',
    stationId: 'TP-JZ-ZJ',
    parameters: ['nh3n'],
    openedAt: NOV,
    label: 'real-event',
    cause: undefined,
    ...over,
  };
}

describe('wilsonInterval', () => {
  it.each([
    // k, n, low, high (Wilson 1927; e.g. Newcombe 1998 table I)
    [8, 10, 0.4902, 0.9433],
    [0, 10, 0, 0.2775],
    [10, 10, 0.7225, 1],
    [1, 1, 0.2065, 1],
    [50, 100, 0.4038, 0.5962],
    [81, 263, 0.2553, 0.3662],
  ])('%i of %i: %f – %f', (k, n, low, high) => {
    const ci = wilsonInterval(k, n)!;
    expect(ci.low).toBeCloseTo(low, 4);
    expect(ci.high).toBeCloseTo(high, 4);
  });

  it('has none for no trials or an impossible count', () => {
    expect(wilsonInterval(0, 0)).toBeUndefined();
    expect(wilsonInterval(3, 2)).toBeUndefined();
    expect(wilsonInterval(-1, 2)).toBeUndefined();
  });

  it('always holds the observed share and stays in [0, 1]', () => {
    for (let n = 1; n <= 40; n++)
      for (let k = 0; k <= n; k++) {
        const ci = wilsonInterval(k, n)!;
        expect(ci.low).toBeGreaterThanOrEqual(0);
        expect(ci.high).toBeLessThanOrEqual(1);
        expect(ci.low).toBeLessThanOrEqual(k / n + 1e-12);
        expect(ci.high).toBeGreaterThanOrEqual(k / n - 1e-12);
      }
  });
});

describe('detectorOf', () => {
  it.each([
    ['exceedance', 'exceedance:tp-jinze:nh3n', 'threshold'],
    ['early-warning', 'exceedance:tp-jinze:tp', 'threshold'],
    ['trend', 'trend:tp-jinze:codmn', 'trend'],
    ['sudden-change', 'sudden-change:tp-fenhu:TP-FH-JS', 'sudden-change'],
    ['runoff', 'sudden-change:tp-fenhu:TP-FH-JS', 'runoff'],
    ['upstream-arrival', 'upstream-arrival:tp-jinze:tp-fenhu', 'upstream'],
    ['data-quality', 'dq-offline:TP-FH-JS', 'data-quality/offline'],
    ['data-quality', 'dq-flag:TP-FH-JS', 'data-quality/flag'],
    ['data-quality', 'dq-flat:TP-FH-JS:do', 'data-quality/flat'],
    ['data-quality', 'dq-spike:TP-FH-JS:turb', 'data-quality/spike'],
    ['data-quality', 'dq-drift:TP-FH-JS:ph', 'data-quality/drift'],
  ])('%s %s → %s', (kind, key, detector) => {
    expect(detectorOf({ kind, key })).toBe(detector);
  });

  it.each([
    ['exceedance', 'threshold'],
    ['early-warning', 'threshold'],
    ['upstream-arrival', 'upstream'],
    ['data-quality', 'data-quality'],
    ['trend', 'trend'],
    ['runoff', 'runoff'],
  ])('without a key, from the kind: %s → %s', (kind, detector) => {
    expect(detectorOf({ kind, key: undefined })).toBe(detector);
  });
});

describe('figuresOf', () => {
  it('counts labels, causes, tests and the unlabelled; precision leaves tests out', () => {
    const f = figuresOf([
      rec({ label: 'real-event' }),
      rec({ label: 'real-event' }),
      rec({ label: 'real-event' }),
      rec({ label: 'false-alarm', cause: 'rain' }),
      rec({ label: 'false-alarm', cause: 'sensor' }),
      rec({ label: 'false-alarm', cause: 'unknown' }),
      rec({ label: 'false-alarm', cause: 'rain' }),
      rec({ label: 'test' }),
      rec({ label: undefined }),
      rec({ label: undefined }),
    ]);
    expect(f).toMatchObject({
      alerts: 10,
      labelled: 8,
      realEvents: 3,
      falseAlarms: 4,
      falseByCause: { rain: 2, sensor: 1, operations: 0, unknown: 1 },
      tests: 1,
      unlabelled: 2,
      unlabelledShare: 0.2,
    });
    expect(f.precision).toBeCloseTo(3 / 7, 12);
    const ci = wilsonInterval(3, 7)!;
    expect([f.precisionLow, f.precisionHigh]).toEqual([ci.low, ci.high]);
  });

  it('has no precision when nothing was judged real or false (only tests, or nothing labelled)', () => {
    expect(figuresOf([rec({ label: 'test' }), rec({ label: undefined })])).toMatchObject({
      precision: null,
      precisionLow: null,
      precisionHigh: null,
      unlabelledShare: 0.5,
    });
    expect(figuresOf([])).toMatchObject({ alerts: 0, precision: null, unlabelledShare: null });
  });
});

describe('monthOf', () => {
  it('takes the month in the sections’ local time (+08:00)', () => {
    expect(monthOf(Date.parse('2026-11-30T15:59:59Z'))).toBe('2026-11');
    expect(monthOf(Date.parse('2026-11-30T16:00:00Z'))).toBe('2026-12');
    expect(monthOf(Date.parse('2026-11-30T16:00:00Z'), 0)).toBe('2026-11');
  });
});

describe('scoreFeedback', () => {
  const records = [
    rec({ alertId: 'a1', label: 'real-event' }),
    rec({ alertId: 'a2', label: 'false-alarm', cause: 'rain', openedAt: DEC }),
    rec({
      alertId: 'a3',
      kind: 'sudden-change',
      key: 'sudden-change:tp-fenhu:TP-FH-JS',
      sectionId: 'tp-fenhu',
      parameters: ['cond', 'turb'],
      label: 'false-alarm',
      cause: 'operations',
    }),
    rec({
      alertId: 'a4',
      kind: 'data-quality',
      key: 'dq-flat:TP-FH-JS:do',
      sectionId: 'tp-fenhu',
      parameters: ['do'],
      label: 'test',
      openedAt: DEC,
    }),
    rec({
      alertId: 'a5',
      kind: 'early-warning',
      key: 'exceedance:tp-jinze:tp',
      parameters: ['tp'],
      label: undefined,
      openedAt: DEC,
    }),
    rec({ alertId: 'a6', kind: 'exceedance', key: undefined, sectionId: 'tp-fenhu', parameters: [], label: 'real-event' }),
  ];
  const score = scoreFeedback(records);
  const names = (gs: readonly { name: string }[]) => gs.map((g) => g.name);
  const of = (
    gs: readonly { name: string; realEvents: number; falseAlarms: number; tests: number; unlabelled: number }[],
    name: string,
  ) => {
    const g = gs.find((x) => x.name === name)!;
    return [g.realEvents, g.falseAlarms, g.tests, g.unlabelled];
  };

  it('breaks the figures down by kind, detector, parameter, section and month', () => {
    expect(score.all).toMatchObject({ alerts: 6, labelled: 5, realEvents: 2, falseAlarms: 2, tests: 1, unlabelled: 1 });
    expect(names(score.byKind)).toEqual(['data-quality', 'early-warning', 'exceedance', 'sudden-change']);
    expect(of(score.byKind, 'exceedance')).toEqual([2, 1, 0, 0]);
    expect(names(score.byDetector)).toEqual(['data-quality/flat', 'sudden-change', 'threshold']);
    expect(of(score.byDetector, 'threshold')).toEqual([2, 1, 0, 1]);
    // a3 counts under both of its parameters; an alert without parameters under "(none)".
    expect(names(score.byParameter)).toEqual(['(none)', 'cond', 'do', 'nh3n', 'tp', 'turb']);
    expect(of(score.byParameter, 'cond')).toEqual([0, 1, 0, 0]);
    expect(of(score.byParameter, 'nh3n')).toEqual([1, 1, 0, 0]);
    expect(of(score.bySection, 'tp-fenhu')).toEqual([1, 1, 1, 0]);
    expect(names(score.byMonth)).toEqual(['2026-11', '2026-12']);
    expect(of(score.byMonth, '2026-11')).toEqual([2, 1, 0, 0]);
    expect(of(score.byMonth, '2026-12')).toEqual([0, 1, 1, 1]);
    expect([score.fromMs, score.toMs]).toEqual([NOV, DEC]);
    expect(score.withoutKey).toBe(1);
  });

  it('scores a large export (200,000 alerts) in one go', () => {
    const many = Array.from({ length: 200_000 }, (_, i) =>
      rec({
        alertId: `a${i}`,
        openedAt: NOV + i,
        label: i % 4 === 0 ? 'false-alarm' : 'real-event',
        cause: i % 4 === 0 ? 'rain' : undefined,
      }),
    );
    const big = scoreFeedback(many);
    expect(big.all).toMatchObject({ alerts: 200_000, realEvents: 150_000, falseAlarms: 50_000 });
    expect([big.fromMs, big.toMs]).toEqual([NOV, NOV + 199_999]);
  });

  it('says that recall cannot be had from feedback, and what else the file cannot say', () => {
    expect(score.caveats[0]).toMatch(/^Recall .* cannot be computed from feedback/);
    expect(score.caveats.some((c) => c.includes('over the labelled alerts only'))).toBe(true);
    expect(score.caveats.some((c) => c.startsWith('1 alert(s) without a condition key'))).toBe(true);
    const allLabelled = scoreFeedback([rec({})]);
    expect(allLabelled.caveats.some((c) => c.includes('unlabelled=true'))).toBe(true);
    expect(scoreFeedback([]).caveats).toHaveLength(1);
  });

  it('prints a table per breakdown with the precision and its interval', () => {
    const lines = formatFeedbackScore(score, 'export.json (json)');
    const text = lines.join('\n');
    expect(lines[0]).toBe('Feedback labels: export.json (json)');
    expect(lines[1]).toBe('  6 alerts opened 2026-11-10 → 2026-12-03 (+08:00); 5 labelled, 1 not');
    for (const t of ['by kind', 'by detector', 'by parameter', 'by section', 'by month']) expect(text).toContain(t);
    const all = lines.find((l) => l.trimStart().startsWith('all '))!;
    const ci = wilsonInterval(2, 4)!;
    expect(all).toContain('50%');
    expect(all).toContain(`${(100 * ci.low).toFixed(0)}%–${(100 * ci.high).toFixed(0)}%`);
    expect(all).toContain('17%'); // 1 of 6 unlabelled
    expect(text).toContain('What these labels cannot say:');
    // Columns line up: every table line is as long as its header.
    const table = lines.slice(3, lines.indexOf('What these labels cannot say:')).filter((l) => l !== '');
    const header = table[0]!;
    expect(header.trim().split(/\s+/)).toEqual([
      'alerts',
      'labelled',
      'real',
      'false',
      'rain',
      'sensor',
      'operations',
      'unknown',
      'tests',
      'precision',
      '95%',
      'CI',
      'unlabelled',
    ]);
    expect(table).toHaveLength(6 + 4 + 3 + 6 + 2 + 2 + 1);
    for (const l of table) expect(l.length, l).toBe(header.length);
  });
});

describe('parseFeedbackExport', () => {
  it('reads the JSON export, labelled and unlabelled items', () => {
    const json = JSON.stringify({
      items: [
        {
          alertId: 'al-1',
          key: 'exceedance:tp-jinze:nh3n',
          kind: 'exceedance',
          sectionId: 'tp-jinze',
          stationId: 'TP-JZ-ZJ',
          parameters: ['nh3n'],
          status: 'resolved',
          openedAt: NOV,
          message: 'm',
          evidence: {},
          flapping: false,
          feedback: { label: 'false-alarm', cause: 'rain', at: NOV + 1, actor: { kind: 'agency', agencyId: 'jiashan' } },
        },
        {
          alertId: 'al-2',
          key: 'dq-offline:S',
          kind: 'data-quality',
          sectionId: 'tp-fenhu',
          parameters: [],
          openedAt: DEC,
          status: 'open',
        },
      ],
    });
    const parsed = parseFeedbackExport(json);
    expect(parsed.format).toBe('json');
    expect(parsed.problems).toEqual([]);
    expect(parsed.records).toEqual([
      rec({ alertId: 'al-1', label: 'false-alarm', cause: 'rain' }),
      {
        alertId: 'al-2',
        key: 'dq-offline:S',
        kind: 'data-quality',
        sectionId: 'tp-fenhu',
        stationId: undefined,
        parameters: [],
        openedAt: DEC,
        label: undefined,
        cause: undefined,
      },
    ]);
  });

  it('gives a false alarm without a cause the cause `unknown`, and drops a cause on another label', () => {
    const items = [
      { alertId: 'a', kind: 'trend', sectionId: 's', openedAt: NOV, feedback: { label: 'false-alarm' } },
      { alertId: 'b', kind: 'trend', sectionId: 's', openedAt: NOV, feedback: { label: 'real-event', cause: 'rain' } },
    ];
    const { records } = parseFeedbackExport(JSON.stringify(items));
    expect(records.map((r) => [r.label, r.cause])).toEqual([
      ['false-alarm', 'unknown'],
      ['real-event', undefined],
    ]);
  });

  it('reports the items it cannot read and scores the rest', () => {
    const items = [
      { alertId: 'a', kind: 'trend', sectionId: 's', openedAt: NOV },
      { alertId: 'b', kind: 'trend', openedAt: NOV },
      { alertId: 'c', kind: 'trend', sectionId: 's', openedAt: 'yesterday' },
      { alertId: 'd', kind: 'trend', sectionId: 's', openedAt: NOV, feedback: { label: 'maybe' } },
      { alertId: 'e', kind: 'trend', sectionId: 's', openedAt: NOV, feedback: { label: 'false-alarm', cause: 'birds' } },
    ];
    const parsed = parseFeedbackExport(JSON.stringify({ items }));
    expect(parsed.records.map((r) => r.alertId)).toEqual(['a']);
    expect(parsed.problems).toEqual([
      'item 1: no section',
      'item 2: no opening time',
      'item 3: label maybe is not one of real-event, false-alarm, test',
      'item 4: cause birds is not one of rain, sensor, operations, unknown',
    ]);
  });

  it('refuses what is not an export', () => {
    expect(parseFeedbackExport('{"items": 3}').problems[0]).toContain('no `items` array');
    expect(parseFeedbackExport('{ nope').problems[0]).toMatch(/^not JSON/);
    expect(parseFeedbackExport('time,station\r\n1,2\r\n').problems[0]).toBe(
      'no column alert_id, section, kind, opened_at, label: is this the CSV of GET /api/v1/feedback?',
    );
    expect(parseFeedbackExport('').problems).toEqual(['empty file']);
  });

  const HEADER =
    'alert_id,section,section_name,station,kind,max_level,parameters,opened_at,resolved_at,resolve_reason,label,cause,note,labelled_by,labelled_at,key';

  it('reads the CSV export: quoted fields, local times, the formula guard, a BOM, the key column', () => {
    const csv =
      `\uFEFF${HEADER}\r\n` +
      `al-1,tp-jinze,"金泽（浙沪交界，水源地）",TP-JZ-ZJ,exceedance,yellow,nh3n,2026-11-10T10:00:00+08:00,2026-11-10T12:00:00+08:00,"暴雨冲刷，非排污",false-alarm,rain,"he said ""rain""\r\nand left",青浦区生态环境局,2026-11-10T12:05:00+08:00,exceedance:tp-jinze:nh3n\r\n` +
      `al-2,tp-fenhu,汾湖,TP-FH-JS,sudden-change,orange,cond turb,2026-12-03T10:00:00+08:00,,,,,'-3 readings,,,sudden-change:tp-fenhu:TP-FH-JS\r\n`;
    const parsed = parseFeedbackExport(csv);
    expect(parsed.format).toBe('csv');
    expect(parsed.problems).toEqual([]);
    expect(parsed.records).toEqual([
      rec({ alertId: 'al-1', label: 'false-alarm', cause: 'rain' }),
      rec({
        alertId: 'al-2',
        key: 'sudden-change:tp-fenhu:TP-FH-JS',
        kind: 'sudden-change',
        sectionId: 'tp-fenhu',
        stationId: 'TP-FH-JS',
        parameters: ['cond', 'turb'],
        openedAt: DEC,
        label: undefined,
      }),
    ]);
  });

  it('reads a CSV written before the key column (the detector then comes from the kind)', () => {
    const old = HEADER.replace(/,key$/, '');
    const parsed = parseFeedbackExport(
      `${old}\r\nal-1,tp-jinze,x,TP-JZ-ZJ,early-warning,blue,tp,2026-11-10T10:00:00+08:00,,,test,,,,\r\n`,
    );
    expect(parsed.records).toEqual([
      rec({ alertId: 'al-1', key: undefined, kind: 'early-warning', parameters: ['tp'], label: 'test' }),
    ]);
    expect(detectorOf(parsed.records[0]!)).toBe('threshold');
  });

  it('csvRows: RFC 4180 quoting, LF or CRLF, a last line without a break', () => {
    expect(csvRows('a,"b,c","d""e"\n"f\r\ng",,h')).toEqual([
      ['a', 'b,c', 'd"e'],
      ['f\r\ng', '', 'h'],
    ]);
    expect(csvRows('x\r\n\r\ny\r\n')).toEqual([['x'], ['y']]);
  });
});
