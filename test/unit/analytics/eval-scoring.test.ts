/**
 * The scoring of the evaluation's simulated scenarios and of the end-to-end
 * comparison (eval/: alert-episodes.ts, river-scoring.ts,
 * gecco-e2e.ts): episodes from raise/clear events, per-row alarms, label
 * detection, explanation of alert episodes by labels.
 */
import { describe, expect, it } from 'vitest';
import { alarmsFromEpisodes, episodesOf } from '../../../eval/alert-episodes.js';
import { alertsAtRealSpeed, episodesOfAlarms, identicalSpans } from '../../../eval/gecco-e2e.js';
import { detectLabel, explainEpisodes } from '../../../eval/river-scoring.js';
import type { AlertEvent, AlertKind, AlertLevel } from '../../../domain/index.js';
import type { GroundTruthLabel } from '../../../simulators/index.js';

const MIN = 60_000;

function ev(
  type: 'raise' | 'clear',
  key: string,
  ts: number,
  over: { kind?: AlertKind; level?: AlertLevel; parameters?: string[]; stationId?: string; sectionId?: string } = {},
): AlertEvent {
  const kind = over.kind ?? (key.startsWith('dq-') ? 'data-quality' : 'sudden-change');
  return {
    type,
    key,
    kind,
    level: type === 'raise' && kind !== 'data-quality' ? (over.level ?? 'yellow') : undefined,
    sectionId: over.sectionId ?? 'sec-a',
    stationId: over.stationId ?? 'ST-1',
    parameters: over.parameters ?? [],
    ts,
    message: '',
    evidence: {},
  };
}

function label(over: Partial<GroundTruthLabel>): GroundTruthLabel {
  return {
    eventId: 'e1',
    kind: 'spill',
    category: 'pollution',
    stationId: 'ST-1',
    sectionId: 'sec-a',
    parameter: 'nh3n',
    startMs: 100 * MIN,
    endMs: 200 * MIN,
    start: '',
    end: '',
    ...over,
  };
}

describe('episodesOf', () => {
  it('folds raises and clears per key, keeps updates inside one episode, leaves an unclosed one open', () => {
    const eps = episodesOf([
      ev('raise', 'exceedance:sec-a:nh3n', 10, { kind: 'early-warning', level: 'blue', parameters: ['nh3n'] }),
      ev('raise', 'exceedance:sec-a:nh3n', 20, { kind: 'exceedance', level: 'orange', parameters: ['nh3n'] }),
      ev('raise', 'sudden-change:sec-a:ST-1', 25, { parameters: ['cond'] }),
      ev('clear', 'exceedance:sec-a:nh3n', 30),
      ev('clear', 'dq-flat:ST-1:do', 31),
      ev('raise', 'exceedance:sec-a:nh3n', 40, { kind: 'exceedance', level: 'yellow', parameters: ['nh3n'] }),
      ev('raise', 'sudden-change:sec-a:ST-1', 45, { parameters: ['cond', 'do'] }),
    ]);
    expect(
      eps.map((e) => [e.key, e.openTs, e.closeTs, e.kinds.join(), e.maxLevel, e.raises.length, e.parameters.join()]),
    ).toEqual([
      ['exceedance:sec-a:nh3n', 10, 30, 'early-warning,exceedance', 'orange', 2, 'nh3n'],
      ['sudden-change:sec-a:ST-1', 25, undefined, 'sudden-change', 'yellow', 2, 'cond,do'],
      ['exceedance:sec-a:nh3n', 40, undefined, 'exceedance', 'yellow', 1, 'nh3n'],
    ]);
  });
});

describe('per-row alarms from episodes', () => {
  it.each([
    { name: 'open ≤ row < clear', spans: [{ openTs: 2, closeTs: 5 }], want: '0011100' },
    { name: 'still open at the end', spans: [{ openTs: 5, closeTs: undefined }], want: '0000011' },
    {
      name: 'two episodes',
      spans: [
        { openTs: 4, closeTs: 5 },
        { openTs: 0, closeTs: 1 },
      ],
      want: '1000100',
    },
    { name: 'opened between rows', spans: [{ openTs: 2.5, closeTs: 3.5 }], want: '0001000' },
  ])('$name', ({ spans, want }) => {
    const ts = [0, 1, 2, 3, 4, 5, 6];
    expect(
      alarmsFromEpisodes(ts, spans)
        .map((a) => (a ? '1' : '0'))
        .join(''),
    ).toBe(want);
  });

  it('round-trips the alarm runs of a row-wise replay', () => {
    const ts = [0, 1, 2, 3, 4, 5, 6, 7];
    const alarms = [...'01100111'].map((c) => c === '1');
    const spans = episodesOfAlarms(ts, alarms);
    expect(spans).toEqual([
      { openTs: 1, closeTs: 3 },
      { openTs: 5, closeTs: undefined },
    ]);
    expect(alarmsFromEpisodes(ts, spans)).toEqual(alarms);
    expect(identicalSpans(spans, [{ openTs: 1, closeTs: 3 }])).toBe(1);
  });

  it('merges episodes that reopen within the auto-resolve hold', () => {
    const spans = [
      { openTs: 0, closeTs: 10 },
      { openTs: 20, closeTs: 30 },
      { openTs: 100, closeTs: 110 },
    ];
    expect(alertsAtRealSpeed(spans, 15)).toBe(2);
    expect(alertsAtRealSpeed(spans, 5)).toBe(3);
  });
});

describe('detectLabel', () => {
  const window = { startMs: 100 * MIN, endMs: 200 * MIN };
  it.each([
    {
      name: 'raised inside the window naming the parameter',
      events: [ev('raise', 'exceedance:sec-a:nh3n', 150 * MIN, { kind: 'exceedance', parameters: ['nh3n'] })],
      want: 150 * MIN,
    },
    {
      name: 'another parameter does not count',
      events: [ev('raise', 'exceedance:sec-a:tp', 150 * MIN, { kind: 'exceedance', parameters: ['tp'] })],
      want: undefined,
    },
    {
      name: 'another section does not count',
      events: [ev('raise', 'exceedance:sec-b:nh3n', 150 * MIN, { kind: 'exceedance', parameters: ['nh3n'], sectionId: 'sec-b' })],
      want: undefined,
    },
    {
      name: 'a pre-warning is not a detection',
      events: [
        ev('raise', 'upstream-arrival:sec-a:up', 150 * MIN, { kind: 'upstream-arrival', level: 'blue', parameters: ['nh3n'] }),
      ],
      want: undefined,
    },
    {
      name: 'open before the window without news inside does not count',
      events: [ev('raise', 'exceedance:sec-a:nh3n', 50 * MIN, { kind: 'early-warning', level: 'blue', parameters: ['nh3n'] })],
      want: undefined,
    },
    {
      name: 'open before, updated inside: detected at the update',
      events: [
        ev('raise', 'exceedance:sec-a:nh3n', 50 * MIN, { kind: 'early-warning', level: 'blue', parameters: ['nh3n'] }),
        ev('raise', 'exceedance:sec-a:nh3n', 120 * MIN, { kind: 'exceedance', level: 'yellow', parameters: ['nh3n'] }),
      ],
      want: 120 * MIN,
    },
    {
      name: 'a sudden change that names the parameter later is detected then',
      events: [
        ev('raise', 'sudden-change:sec-a:ST-2', 110 * MIN, { parameters: ['cond'] }),
        ev('raise', 'sudden-change:sec-a:ST-2', 130 * MIN, { parameters: ['cond', 'nh3n'] }),
      ],
      want: 130 * MIN,
    },
    {
      name: 'after the window, before the next reading past the target',
      events: [ev('raise', 'exceedance:sec-a:nh3n', 230 * MIN, { kind: 'exceedance', parameters: ['nh3n'] })],
      past: { firstPastTs: 180 * MIN, nextTs: 240 * MIN, waterPastTs: 170 * MIN, intervalMs: 60 * MIN },
      want: 230 * MIN,
    },
  ])('$name', ({ events, past, want }) => {
    const d = detectLabel(0, label(window), episodesOf(events), past);
    expect(d.detectedTs).toBe(want);
  });
});

describe('explainEpisodes', () => {
  const labels = [
    label({ eventId: 'rain-1', kind: 'rain', category: 'natural', stationId: 'ST-2', parameter: 'turb' }),
    label({
      eventId: 'drift',
      kind: 'drift',
      category: 'data-quality',
      stationId: 'ST-3',
      parameter: 'ph',
      startMs: 300 * MIN,
      endMs: 400 * MIN,
    }),
  ];
  it.each([
    { name: 'water event on the section, other station', at: 150, station: 'ST-1', want: 'natural' },
    { name: 'within the 2 h slack after the end', at: 310, station: 'ST-1', want: 'natural' },
    { name: 'nothing labelled around it', at: 500, station: 'ST-1', want: 'none' },
    { name: 'fault at the same station only', at: 350, station: 'ST-3', want: 'fault-only' },
    { name: 'a fault at another station explains nothing', at: 350, station: 'ST-1', want: 'none' },
  ])('$name', ({ at, station, want }) => {
    const eps = episodesOf([ev('raise', `sudden-change:sec-a:${station}`, at * MIN, { stationId: station, parameters: ['ph'] })]);
    expect(explainEpisodes(labels, eps)[0]?.explanation).toBe(want);
  });

  it('leaves data-quality episodes out', () => {
    expect(explainEpisodes(labels, episodesOf([ev('raise', 'dq-flat:ST-1:do', 10 * MIN)]))).toEqual([]);
  });
});
