/**
 * Issue 13 §1: the out-of-sample protocol. The option set is chosen on the
 * fit stretch's labels alone: whatever the score stretch's labels say, the
 * choice is the same; and the figures are those of the score stretch.
 */
import { describe, expect, it } from 'vitest';
import type { SignalSpec } from '../../../analytics/detectors/sudden-change.js';
import type { StreamRow } from '../../../eval/gecco.js';
import { crossFolds, fitsBetter, pooled, rowAt, runFolds, type FitFigures } from '../../../eval/out-of-sample.js';

const MIN = 60_000;
const DAY = 86_400_000;
const T0 = Date.parse('2026-03-01T00:00:00Z');
const SIGNALS: SignalSpec[] = ['a', 'b'].map((key) => ({ key, precision: 0.01, role: 'quality' as const }));

/** Four days of minute rows, a square event of 20 minutes every 6 hours after the first 12 h. */
function stream(): { rows: StreamRow[]; labels: boolean[] } {
  const rows: StreamRow[] = [];
  const labels: boolean[] = [];
  for (let i = 0; i < (4 * DAY) / MIN; i++) {
    const inEvent = i > 720 && i % 360 < 20;
    const wiggle = ((i * 7) % 5) * 0.01 - 0.02;
    rows.push({ ts: T0 + i * MIN, values: { a: 5 + wiggle + (inEvent ? 0.3 : 0), b: 8 - wiggle + (inEvent ? 0.3 : 0) } });
    labels.push(inEvent);
  }
  return { rows, labels };
}

describe('out-of-sample folds', () => {
  const { rows, labels } = stream();
  const split = T0 + 2 * DAY;
  const folds = crossFolds(rows, split, ['first', 'second']);
  const grid = [{}, { outlierThreshold: 50 }];

  it('splits at the first row at or after the time', () => {
    expect(rowAt(rows, split)).toBe((2 * DAY) / MIN);
    expect(rowAt(rows, T0 - 1)).toBe(0);
    expect(rowAt(rows, T0 + 10 * DAY)).toBe(rows.length);
    expect(folds.map((f) => [f.fit, f.score])).toEqual([
      [
        { from: 0, to: 2880 },
        { from: 2880, to: rows.length },
      ],
      [
        { from: 2880, to: rows.length },
        { from: 0, to: 2880 },
      ],
    ]);
  });

  it('chooses on the fit stretch and scores on the other', () => {
    const [first] = runFolds(rows, labels, SIGNALS, folds, {}, grid);
    expect(first?.chosen).toEqual({});
    expect(first?.score.events).toBe(8);
    expect(first?.score.eventsDetected).toBe(8);
  });

  it("the score stretch's labels cannot change the choice, only the figures", () => {
    // Wipe the second half's labels: a choice that peeked would now prefer the blind option set.
    const blinded = labels.map((l, i) => (i >= 2880 ? false : l));
    const [honest] = runFolds(rows, labels, SIGNALS, folds.slice(0, 1), {}, grid);
    const [peekTest] = runFolds(rows, blinded, SIGNALS, folds.slice(0, 1), {}, grid);
    expect(peekTest?.chosen).toEqual(honest?.chosen);
    expect(peekTest?.fit).toEqual(honest?.fit);
    expect(peekTest?.score.events).toBe(0);
  });

  it('pools the score stretches by summing counts', () => {
    const results = runFolds(rows, labels, SIGNALS, folds, {}, grid);
    const p = pooled(results);
    expect(p.events).toBe(results.reduce((n, r) => n + r.score.events, 0));
    expect(p.eventsDetected).toBe(results.reduce((n, r) => n + r.score.eventsDetected, 0));
    expect(p.days).toBeCloseTo(4, 1);
  });
});

describe('fit criterion (fitsBetter): an early-warning system does not trade sensitivity for precision', () => {
  const m = (o: Partial<FitFigures>): FitFigures => ({
    falseAlarmEpisodesPerDay: 0.1,
    eventsDetected: 9,
    medianDelayMin: 1,
    f1: 0.7,
    falseAlarmEpisodes: 2,
    ...o,
  });

  it.each([
    {
      name: 'within the false-alarm budget beats a better F1 outside it',
      a: m({}),
      b: m({ falseAlarmEpisodesPerDay: 0.8, f1: 0.9 }),
    },
    { name: 'more events beat a better F1', a: m({ eventsDetected: 9 }), b: m({ eventsDetected: 8, f1: 0.95 }) },
    {
      name: 'earlier detection beats a better F1 on the same events',
      a: m({ medianDelayMin: 1 }),
      b: m({ medianDelayMin: 2, f1: 0.91 }),
    },
    { name: 'a detection beats none (NaN delay)', a: m({ medianDelayMin: 30 }), b: m({ medianDelayMin: Number.NaN }) },
    { name: 'then the better F1', a: m({ f1: 0.8 }), b: m({ f1: 0.7, falseAlarmEpisodes: 0 }) },
    { name: 'then fewer false-alarm episodes', a: m({ falseAlarmEpisodes: 1 }), b: m({ falseAlarmEpisodes: 2 }) },
  ])('$name', ({ a, b }) => {
    expect(fitsBetter(a, b)).toBe(true);
    expect(fitsBetter(b, a)).toBe(false);
  });

  it('equal figures: neither is better (the grid order keeps the defaults)', () => {
    expect(fitsBetter(m({}), m({}))).toBe(false);
    const empty = m({ falseAlarmEpisodesPerDay: 0, eventsDetected: 0, medianDelayMin: Number.NaN, f1: 0, falseAlarmEpisodes: 0 });
    expect(fitsBetter(empty, { ...empty })).toBe(false);
  });

  it('runFolds applies it: a blind option set listed first loses to one that catches the events', () => {
    const { rows, labels } = stream();
    const folds = crossFolds(rows, T0 + 2 * DAY, ['first', 'second']);
    const [first] = runFolds(rows, labels, SIGNALS, folds.slice(0, 1), {}, [
      { outlierThreshold: 50, strongOutlierThreshold: 500 },
      {},
    ]);
    expect(first?.chosen).toEqual({});
    expect(first?.fit.eventsDetected).toBeGreaterThan(0);
  });
});
