import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SuddenChangeDetector } from '../../../analytics/detectors/sudden-change.js';
import { loadEvalStation } from '../../../eval/eval-config.js';
import { evaluateStream } from '../../../eval/evaluate-stream.js';
import { parseGeccoCsv, type StreamRow } from '../../../eval/gecco.js';
import { computeMetrics, runsOf } from '../../../eval/metrics.js';
import { NaiveDetector } from '../../../eval/naive-detector.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const MIN = 60_000;
const ts = (n: number): number[] => Array.from({ length: n }, (_, i) => i * MIN);
const flags = (s: string): boolean[] => [...s].map((c) => c === '1');

describe('metrics', () => {
  it('finds runs', () => {
    expect(runsOf(flags('0110011'))).toEqual([
      { first: 1, last: 2 },
      { first: 5, last: 6 },
    ]);
    expect(runsOf(flags('1111'), 1, 3)).toEqual([{ first: 1, last: 2 }]);
  });

  it.each([
    {
      name: 'perfect',
      labels: '0011100',
      alarms: '0011100',
      want: { precision: 1, recall: 1, f1: 1, eventsDetected: 1, falseAlarmEpisodes: 0, medianDelayMin: 0 },
    },
    {
      name: 'late by 2 rows and 1 row too long',
      labels: '0011110000',
      alarms: '0000111000',
      want: {
        truePositives: 2,
        falsePositives: 1,
        falseNegatives: 2,
        eventsDetected: 1,
        falseAlarmEpisodes: 0,
        medianDelayMin: 2,
      },
    },
    {
      name: 'an alarm touching no event row is a false-alarm episode; an alarm only after the run is lenient',
      labels: '0110000000',
      alarms: '0001001100',
      want: { eventsDetected: 0, eventsDetectedLenient: 1, falseAlarmEpisodes: 2, falseAlarmRows: 3, missedEvents: [0] },
    },
    {
      name: 'two runs, delays 0 and 3 min',
      labels: '1100011110',
      alarms: '1100000011',
      want: { events: 2, eventsDetected: 2, eventRecall: 1, medianDelayMin: 1.5, meanDelayMin: 1.5, falseAlarmEpisodes: 0 },
    },
  ])('$name', ({ labels, alarms, want }) => {
    const m = computeMetrics(ts(labels.length), flags(labels), flags(alarms));
    expect(m).toMatchObject(want);
  });

  it('precision/recall/F1 from the counts', () => {
    const m = computeMetrics(ts(10), flags('0011110000'), flags('0000111000'));
    expect(m.precision).toBeCloseTo(2 / 3, 10);
    expect(m.recall).toBeCloseTo(0.5, 10);
    expect(m.f1).toBeCloseTo((2 * (2 / 3) * 0.5) / (2 / 3 + 0.5), 10);
  });

  it('restricts every figure to a range and counts days from its timestamps', () => {
    const labels = flags('0110000110');
    const alarms = flags('0110100000');
    const second = computeMetrics(ts(10), labels, alarms, { from: 5, to: 10 });
    expect(second).toMatchObject({ rows: 5, events: 1, eventsDetected: 0, falseAlarmEpisodes: 0 });
    expect(second.days).toBeCloseTo((4 * MIN) / 86_400_000, 12);
    const first = computeMetrics(ts(10), labels, alarms, { from: 0, to: 5 });
    expect(first).toMatchObject({ events: 1, eventsDetected: 1, falseAlarmEpisodes: 1 });
  });
});

describe('GECCO CSV parsing', () => {
  const csv = [
    '"","Time","Tp","Cl","EVENT"',
    '"1",2016-08-03 11:49:00,6.5,0.17,FALSE',
    '"2",2016-08-03 11:50:00,NA,0.18,TRUE',
    '"3",2016-08-03 11:51:00,6.6,NA,FALSE',
  ].join('\n');

  it('reads local CEST time, NA as a gap and the label', () => {
    const s = parseGeccoCsv(csv, [
      { key: 'temp', column: 'Tp' },
      { key: 'clo2_1', column: 'Cl' },
    ]);
    expect(s.rows.map((r) => r.ts)).toEqual([
      Date.parse('2016-08-03T09:49:00Z'),
      Date.parse('2016-08-03T09:50:00Z'),
      Date.parse('2016-08-03T09:51:00Z'),
    ]);
    expect(s.rows.map((r) => r.values)).toEqual([
      { temp: 6.5, clo2_1: 0.17 },
      { temp: undefined, clo2_1: 0.18 },
      { temp: 6.6, clo2_1: undefined },
    ]);
    expect(s.labels).toEqual([false, true, false]);
  });

  it('refuses a missing column', () => {
    expect(() => parseGeccoCsv(csv, [{ key: 'ph', column: 'pH' }])).toThrow(/no column pH/);
  });
});

describe('evaluateStream', () => {
  it('replays online: the alarm of a row is the detector state right after that row', () => {
    const seen: number[] = [];
    const rows: StreamRow[] = [0, 5, 5, 0, 0].map((x, i) => ({ ts: i * MIN, values: { x } }));
    const ev = evaluateStream(
      rows,
      flags('01100'),
      () => ({
        update(t: number, v: Record<string, number | undefined>) {
          seen.push(t);
          return { inEvent: (v.x ?? 0) > 1 };
        },
      }),
      { ranges: [{ name: 'tail', from: 3, to: 5 }] },
    );
    expect(seen).toEqual(rows.map((r) => r.ts));
    expect(ev.alarms).toEqual([false, true, true, false, false]);
    expect(ev.metrics.f1).toBe(1);
    expect(ev.ranges.tail?.events).toBe(0);
  });

  it('refuses rows and labels of different length', () => {
    expect(() => evaluateStream([{ ts: 0, values: {} }], [], () => ({ update: () => ({ inEvent: false }) }))).toThrow(RangeError);
  });
});

describe('evaluation station configuration (config/eval)', () => {
  it('loads the GECCO station through the registry loader with the extension parameters and roles', () => {
    const cfg = loadEvalStation(
      resolve(ROOT, 'config/eval/gecco-registry.yaml'),
      resolve(ROOT, 'config/eval/gecco-parameters.yaml'),
      'GECCO-01',
    );
    expect(cfg.signals.map((s) => `${s.key}:${s.role}:${s.column}`)).toEqual([
      'temp:context:Tp',
      'clo2_1:quality:Cl',
      'ph:quality:pH',
      'redox:quality:Redox',
      'cond:quality:Leit',
      'turb:quality:Trueb',
      'clo2_2:quality:Cl_2',
      'flow_1:context:Fm',
      'flow_2:context:Fm_2',
    ]);
    expect(cfg.parameters.get('redox')?.unit).toBe('mV');
    expect(cfg.signals.find((s) => s.key === 'turb')?.precision).toBe(0.001);
    expect(cfg.parameters.get('do')?.limitKind).toBe('lower'); // canonical parameters are still there
  });
});

describe('naive baseline detector (issue 5)', () => {
  const signals = [{ key: 'a', precision: 0.01, role: 'quality' as const }];
  it('alarms when 3 of the last 5 rows are outliers, not on 2', () => {
    const run = (pattern: string): boolean[] => {
      const d = new NaiveDetector(signals);
      for (let i = 0; i < 30; i++) d.update(i * MIN, { a: 1 + (i % 3) * 0.01 });
      return [...pattern].map((c, k) => d.update((30 + k) * MIN, { a: c === '1' ? 2 : 1.01 }).inEvent);
    };
    expect(run('11000').some(Boolean)).toBe(false);
    expect(run('10101')).toEqual([false, false, false, false, true]);
  });

  it('is beaten by the sudden-change detector on a two-signal step under noise of a single signal (same harness)', () => {
    const sig = [
      { key: 'a', precision: 0.01, role: 'quality' as const },
      { key: 'b', precision: 0.01, role: 'quality' as const },
    ];
    let seed = 3;
    const rand = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const rows: StreamRow[] = [];
    const labels: boolean[] = [];
    for (let i = 0; i < 2 * 24 * 60; i++) {
      const ev = i % 600 >= 500 && i % 600 < 520 && i > 600;
      // b wanders alone now and then (a single-signal excursion, not an event)
      const wander = i % 400 >= 100 && i % 400 < 110 ? 0.08 : 0;
      rows.push({
        ts: i * MIN,
        values: { a: 1 + (rand() - 0.5) * 0.02 + (ev ? 0.2 : 0), b: 5 + (rand() - 0.5) * 0.02 + (ev ? 0.2 : 0) + wander },
      });
      labels.push(ev);
    }
    const ours = evaluateStream(rows, labels, () => new SuddenChangeDetector(sig)).metrics;
    const naive = evaluateStream(rows, labels, () => new NaiveDetector(sig)).metrics;
    expect(ours.eventRecall).toBe(1);
    expect(ours.falseAlarmEpisodes).toBe(0);
    expect(naive.falseAlarmEpisodes).toBeGreaterThan(0);
  });
});
