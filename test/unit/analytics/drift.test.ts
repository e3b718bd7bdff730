/** Issue 13 §3: a sensor drifting against the section's other stations is data quality, not a trend. */
import { describe, expect, it } from 'vitest';
import { backInLine, findDrift, minDriftShift } from '../../../analytics/drift.js';
import { SeriesHistory } from '../../../analytics/detectors/trend.js';

const H = 3_600_000;
const T0 = Date.parse('2026-07-10T00:00:00Z');

/** 72 h of 45-minute buckets, like the trend detector's history, fed every 5 minutes. */
function history(value: (h: number) => number, hours = 72): SeriesHistory {
  const s = new SeriesHistory(72 * H, 96);
  for (let m = 0; m <= hours * 60; m += 5) s.add(T0 + m * 60_000, value(m / 60));
  return s;
}
const wiggle = (h: number): number => 0.02 * Math.sin(h * 1.3);
const NOW = T0 + 72 * H;

describe('findDrift', () => {
  const minShift = minDriftShift({ kind: 'range', min: 6, max: 9 }, 7.6);
  const steady = history((h) => 7.6 + wiggle(h));

  it('pH: 10 % of 6–9 is 0.3', () => {
    expect(minShift).toBeCloseTo(0.3);
    expect(minDriftShift({ kind: 'upper', value: 1 }, 0.4)).toBeCloseTo(0.1);
    expect(minDriftShift(undefined, 420)).toBeCloseTo(42);
  });

  it.each([
    // +0.4 pH a day from hour 40 on, the neighbour steady: a drift.
    ['a slow one-sided creep', (h: number) => 7.6 + wiggle(h) + (h > 40 ? ((h - 40) / 24) * 0.4 : 0), steady, true],
    // The same water change at both stations: the water, not the sensor.
    ['both stations moving together', (h: number) => 7.6 + (h > 40 ? ((h - 40) / 24) * 0.4 : 0), history((h) => 7.6 + (h > 40 ? ((h - 40) / 24) * 0.4 : 0)), false],
    // A jump at one station 4 h ago (a spill on one bank): not slow.
    ['a one-sided jump', (h: number) => 7.6 + wiggle(h) + (h > 68 ? 0.6 : 0), steady, false],
    ['too small to matter', (h: number) => 7.6 + wiggle(h) + (h > 40 ? ((h - 40) / 24) * 0.1 : 0), steady, false],
  ] as const)('%s → drift %s', (_name, own, other, expected) => {
    expect(findDrift(history(own), [other], NOW, minShift) !== undefined).toBe(expected);
  });

  it('is back in line once the offset returns near what it was', () => {
    const found = findDrift(history((h) => 7.6 + wiggle(h) + (h > 40 ? ((h - 40) / 24) * 0.4 : 0)), [steady], NOW, minShift);
    // The reference is the offset a day before (part of a long drift may already be in it).
    expect(found!.offset - found!.refOffset).toBeGreaterThanOrEqual(minShift);
    expect(backInLine(history((h) => 7.6 + wiggle(h)), [steady], NOW, found!.refOffset, minShift)).toBe(true);
    expect(backInLine(history((h) => 7.9 + wiggle(h)), [steady], NOW, found!.refOffset, minShift)).toBe(false);
  });

  it('says nothing without neighbours or without history', () => {
    expect(findDrift(history((h) => 7.6 + h / 24), [], NOW, minShift)).toBeUndefined();
    expect(findDrift(history((h) => 7.6 + h / 24, 10), [steady], NOW, minShift)).toBeUndefined();
  });
});
