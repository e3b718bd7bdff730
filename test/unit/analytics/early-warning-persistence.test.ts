/**
 * The early-warning band needs two readings (`threshold.earlyWarningMinCount`,
 * issue 13 "calm water"): a 4-hourly analyser's one CODMn result in the band
 * raises nothing unless the next result is in the band too; exceedances keep
 * confirming on one reading of a slow series; series that already needed two
 * readings (5-minute, hourly; DO with its daily cycle) are judged as before.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, ThresholdDetector } from '../../../analytics/index.js';
import type { ThresholdOptions } from '../../../analytics/options.js';
import { HOUR, MIN, T0 } from './fixtures.js';

const FOUR_H = 4 * HOUR;

interface Fed {
  levels: number[];
  /** Reading index of each change and the level it went to. */
  changes: [number, number][];
  detector: ThresholdDetector;
}

/** Feeds one series (every `intervalMs`, with its usual level) and returns the level after each reading. */
function feed(
  key: string,
  values: readonly number[],
  intervalMs: number,
  usual: (i: number) => number | undefined,
  options: Partial<ThresholdOptions> = {},
): Fed {
  const detector = new ThresholdDetector({ key, targetClass: 3, waterBody: 'river' }, { ...DEFAULT_OPTIONS.threshold, ...options });
  const levels: number[] = [];
  const changes: [number, number][] = [];
  values.forEach((value, i) => {
    const change = detector.update({ ts: T0 + i * intervalMs, value, flag: 'N', intervalMs, usual: usual(i) });
    if (change) changes.push([i, change.to]);
    levels.push(detector.level);
  });
  return { levels, changes, detector };
}

describe('early-warning band on a 4-hourly CODMn analyser (class III limit 6, band from 4.8; usual 4.3)', () => {
  const usual = () => 4.3;
  it.each([
    // The calm-water episodes of the simulated river: one result at 4.9–5.2, the next back under the band.
    ['one result at 4.9, the next at 4.7: nothing', [4.3, 4.5, 4.9, 4.7, 4.1], [0, 0, 0, 0, 0]],
    ['one result at 5.2 between ordinary ones: nothing', [4.2, 4.8, 5.2, 4.4, 4.3], [0, 0, 0, 0, 0]],
    ['two band results with an ordinary one between: nothing', [4.3, 5.0, 4.5, 5.0, 4.4], [0, 0, 0, 0, 0]],
    ['a sustained approach: blue at the second result in the band', [4.3, 4.6, 4.9, 5.1, 5.4], [0, 0, 0, 1, 1]],
  ] as const)('%s', (_name, values, expected) => {
    expect(feed('codmn', values, FOUR_H, usual).levels).toEqual(expected);
  });

  it('the blue alert dates its episode from the first result in the band', () => {
    const { detector } = feed('codmn', [4.3, 4.6, 4.9, 5.1], FOUR_H, usual);
    expect(detector.onsetTs).toBe(T0 + 2 * FOUR_H);
  });

  it('a spill still raises on the first result past the target (one sampling interval), from calm or from the band', () => {
    // 7.5 is past the target (6) but not a 3× jump, so not held as suspect: yellow at once.
    expect(feed('codmn', [4.3, 4.4, 7.5], FOUR_H, usual).changes).toEqual([[2, 2]]);
    expect(feed('codmn', [4.3, 4.9, 7.5], FOUR_H, usual).changes).toEqual([[2, 2]]);
    // Worse than class V (15) confirms orange on one result too.
    expect(feed('codmn', [4.3, 4.4, 12, 16], FOUR_H, usual).levels).toEqual([0, 0, 2, 3]);
  });

  it('raiseCount 1 (confirm everything on one reading) keeps the band on one reading too', () => {
    expect(feed('codmn', [4.3, 4.9, 4.7], FOUR_H, usual, { raiseCount: 1, raiseWindow: 1 }).levels).toEqual([0, 1, 1]);
  });

  it('earlyWarningMinCount 1 gives back the old behaviour', () => {
    expect(feed('codmn', [4.3, 4.5, 4.9, 4.7], FOUR_H, usual, { earlyWarningMinCount: 1 }).levels).toEqual([0, 0, 1, 1]);
  });
});

describe('series that already needed two readings are judged as before', () => {
  // Dawn DO dips into the band (class III: below 5.5 with the DO default 0.9) every day; the usual level is the
  // same time of day on the previous days, so only a dawn clearly worse than the usual dawns is approaching.
  const doAt = (i: number, intervalMs: number, deeper: number) => {
    const hour = ((i * intervalMs) / HOUR) % 24;
    const dawn = Math.cos(((hour - 5) / 24) * 2 * Math.PI); // 1 at 05:00
    return 7.5 - 2.2 * dawn - (i * intervalMs > 2 * 24 * HOUR ? deeper * dawn : 0);
  };
  const usualDo = (i: number, intervalMs: number) => doAt(i, intervalMs, 0);

  it.each([
    ['5-minute DO with its daily cycle', 'do', 5 * MIN, 0.6],
    ['hourly DO with its daily cycle', 'do', HOUR, 0.6],
    ['5-minute DO, ordinary days', 'do', 5 * MIN, 0],
  ] as const)('%s: same changes with earlyWarningMinCount 2 and 1', (_name, key, intervalMs, deeper) => {
    const n = Math.round((4 * 24 * HOUR) / intervalMs);
    const values = Array.from({ length: n }, (_, i) => doAt(i, intervalMs, deeper));
    const usual = (i: number) => usualDo(i, intervalMs);
    const now = feed(key, values, intervalMs, usual);
    const before = feed(key, values, intervalMs, usual, { earlyWarningMinCount: 1 });
    expect(now.changes).toEqual(before.changes);
    // The deeper dawns are approaching the bound: the test is not vacuous.
    if (deeper > 0) expect(now.changes.some(([, to]) => to === 1)).toBe(true);
  });

  it('5-minute CODMn: one band reading still does not raise, two of three still do', () => {
    const usual = () => 4.3;
    expect(feed('codmn', [4.3, 5.0, 4.4, 4.4], 5 * MIN, usual).levels).toEqual([0, 0, 0, 0]);
    expect(feed('codmn', [4.3, 5.0, 4.4, 5.0], 5 * MIN, usual).levels).toEqual([0, 0, 0, 1]);
  });
});
