import { describe, expect, it } from 'vitest';
import {
  DEFAULT_OPTIONS,
  ThresholdDetector,
  assessValue,
  buildRule,
  effectiveCount,
  thresholdApplies,
} from '../../../analytics/index.js';
import type { ThresholdOptions } from '../../../analytics/options.js';
import type { DataFlag, TargetClass, WaterBody } from '../../../domain/index.js';
import { HOUR, MIN, T0 } from './fixtures.js';

const defaults = DEFAULT_OPTIONS.threshold;

function assess(key: string, value: number, flag: DataFlag = 'N', targetClass: TargetClass = 3, waterBody: WaterBody = 'river') {
  const target = { key, targetClass, waterBody };
  const rule = buildRule(target, defaults);
  if (!rule) throw new Error('no rule');
  return assessValue(target, rule, value, flag);
}

describe('threshold: per-reading assessment against a class III target (defaults: band 80 %, severe ×3)', () => {
  // Limits from GB 3838-2002 Table 1 (domain-facts §1.1).
  it.each([
    // key, value, flag, severity, class, worse than target
    ['nh3n', 0.8, 'N', 0, 3, false], // exactly on the band threshold (0.8 × 1.0): safe side
    ['nh3n', 0.81, 'N', 1, 3, false], // in the early-warning band
    ['nh3n', 1.0, 'N', 1, 3, false], // limit exactly reached: within class III
    ['nh3n', 1.01, 'N', 2, 4, true], // just above: target exceeded
    ['nh3n', 2.0, 'N', 2, 5, true], // on the class V limit: not yet worse than V
    ['nh3n', 2.01, 'N', 3, 6, true], // 劣V
    ['nh3n', 4.0, 'N', 3, 6, true], // exceedance multiple exactly 3: not more than 3
    ['nh3n', 4.01, 'N', 4, 6, true], // severe
    ['do', 6.0, 'N', 0, 2, false], // DO lower bound: band starts below 5 × 1.2 = 6.0
    ['do', 5.99, 'N', 1, 3, false],
    ['do', 5.0, 'N', 1, 3, false], // on the limit = within
    ['do', 4.99, 'N', 2, 4, true],
    ['do', 2.0, 'N', 2, 5, true],
    ['do', 1.99, 'N', 3, 6, true],
    ['do', 1.0, 'N', 3, 6, true], // severe below 0.5 × class V limit (1.0), strictly
    ['do', 0.99, 'N', 4, 6, true],
    ['ph', 7.5, 'N', 0, 1, false],
    ['ph', 8.5, 'N', 0, 1, false], // band: within 0.5 of 9, strictly
    ['ph', 8.51, 'N', 1, 1, false],
    ['ph', 9.0, 'N', 1, 1, false], // on the limit = within
    ['ph', 9.01, 'N', 3, 6, true], // pH outside 6–9 can only be 劣V
    ['ph', 6.0, 'N', 1, 1, false],
    ['ph', 5.99, 'N', 3, 6, true],
    ['ph', 10.01, 'N', 4, 6, true],
    ['ph', 4.99, 'N', 4, 6, true],
    // T = "above the measuring range, at least this high": evidence for the high side only.
    ['nh3n', 1.5, 'T', 2, 4, true],
    ['do', 3.0, 'T', 0, 4, true], // cannot show DO below the bound
    ['ph', 9.5, 'T', 3, 6, true],
    ['ph', 5.5, 'T', 0, 6, true],
  ] as const)('%s = %s (%s) → severity %s, class %s', (key, value, flag, severity, cls, worse) => {
    const a = assess(key, value, flag);
    expect(a.severity).toBe(severity);
    expect(a.cls).toBe(cls);
    expect(a.worseThanTarget).toBe(worse);
  });

  it('gives the exceedance multiple against the target for upper bounds only', () => {
    expect(assess('nh3n', 2.6).multiple).toBeCloseTo(1.6, 10); // domain-facts §1.2 worked example
    expect(assess('nh3n', 0.9).multiple).toBe(0);
    expect(assess('do', 1.5).multiple).toBeUndefined();
    expect(assess('ph', 9.5).multiple).toBeUndefined();
  });

  it('uses the lake TP limits for a lake section', () => {
    expect(assess('tp', 0.1, 'N', 3, 'river').severity).toBe(0); // river III 0.2, band 0.16
    expect(assess('tp', 0.1, 'N', 3, 'lake').severity).toBe(2); // lake III 0.05
    expect(assess('tp', 0.1, 'N', 3, 'lake').cls).toBe(4);
  });

  it.each([
    ['tn', 'river', false, false], // TN takes no part in a river's class (domain-facts §1.2)
    ['tn', 'river', true, true],
    ['tn', 'lake', false, true],
    ['cond', 'river', true, false], // no GB 3838 limit at all
    ['nh3n', 'river', false, true],
  ] as const)('applies to %s in a %s (outsideClass %s): %s', (key, waterBody, outsideClass, applies) => {
    expect(thresholdApplies({ key, targetClass: 3, waterBody }, { ...defaults, outsideClass })).toBe(applies);
  });
});

type Step = number | { v: number; flag?: DataFlag; gapMs?: number };

/** Feeds values and returns the confirmed level after each one. */
function run(
  key: string,
  steps: Step[],
  intervalMs = 5 * MIN,
  options: Partial<ThresholdOptions> = {},
): { levels: number[]; changes: [number, number, number][] } {
  const det = new ThresholdDetector({ key, targetClass: 3, waterBody: 'river' }, { ...defaults, ...options });
  let ts = T0;
  const levels: number[] = [];
  const changes: [number, number, number][] = [];
  steps.forEach((step, i) => {
    const s = typeof step === 'number' ? { v: step } : step;
    ts += s.gapMs ?? intervalMs;
    const change = det.update({ ts, value: s.v, flag: s.flag ?? 'N', intervalMs });
    if (change) changes.push([i, change.from, change.to]);
    levels.push(det.level);
  });
  return { levels, changes };
}

describe('threshold: persistence before raising (2 of 3 by default)', () => {
  it.each([
    ['one odd sample does not raise', [0.4, 1.2, 0.4, 0.4], [0, 0, 0, 0]],
    ['two consecutive samples raise yellow', [0.4, 1.2, 1.2], [0, 0, 2]],
    ['two of three raise', [1.2, 0.4, 1.2], [0, 0, 2]],
    ['two of four do not', [1.2, 0.4, 0.4, 1.2], [0, 0, 0, 0]],
    ['band samples raise blue', [0.85, 0.9], [0, 1]],
    ['worse than V confirmed raises orange directly', [2.5, 2.6], [0, 3]],
    ['mixed: 2 of 3 at ≥ yellow, then orange confirmed', [1.2, 2.5, 2.6], [0, 2, 3]],
  ] as const)('%s', (_name, values, expected) => {
    expect(run('nh3n', [...values]).levels).toEqual(expected);
  });

  it('caps the wait by time: a 4-h nutrient series confirms on one sample, hourly on two', () => {
    expect(effectiveCount(2, HOUR, 4 * HOUR)).toBe(1);
    expect(effectiveCount(2, HOUR, HOUR)).toBe(2);
    expect(effectiveCount(2, HOUR, MIN)).toBe(2);
    expect(run('nh3n', [0.4, 1.2], 4 * HOUR).levels).toEqual([0, 2]);
  });

  it('a provisional blue comes on the first sample past the limit when asked for', () => {
    expect(run('nh3n', [0.4, 1.2, 1.2], 5 * MIN, { provisional: true }).changes).toEqual([
      [1, 0, 1],
      [2, 1, 2],
    ]);
  });

  it('restarts counting after a gap: samples either side of an outage do not confirm each other', () => {
    expect(run('nh3n', [0.4, 1.2, { v: 1.2, gapMs: HOUR }, 1.2]).levels).toEqual([0, 0, 0, 2]);
  });

  it('a retracted sample (isolated spike) cannot help confirm', () => {
    const det = new ThresholdDetector({ key: 'nh3n', targetClass: 3, waterBody: 'river' }, defaults);
    det.update({ ts: T0, value: 1.5, flag: 'N', intervalMs: 5 * MIN });
    det.retract(T0);
    det.update({ ts: T0 + 5 * MIN, value: 1.5, flag: 'N', intervalMs: 5 * MIN });
    expect(det.level).toBe(0);
  });
});

describe('threshold: hysteresis before clearing', () => {
  // A value hovering at the limit: 0.97 … 1.03, five-minute samples for four hours.
  const hovering = Array.from({ length: 48 }, (_, i) => 1 + 0.03 * Math.sin(i * 1.7));

  it('a value hovering at the limit raises once (blue, then yellow) and never flaps', () => {
    const { changes, levels } = run('nh3n', hovering);
    expect(changes.every(([, from, to]) => to > from)).toBe(true); // never lowered, never cleared
    expect(changes.length).toBeLessThanOrEqual(2);
    expect(changes.every(([i]) => i < 6)).toBe(true); // settled within the first half hour
    expect(levels.at(-1)).toBe(2);
  });

  it('the same series flaps without hysteresis (so the test above can fail)', () => {
    const { changes } = run('nh3n', hovering, 5 * MIN, { clearFraction: 1, clearCount: 1, earlyWarningFraction: 1 });
    expect(changes.length).toBeGreaterThan(4);
  });

  it('steps down one band at a time and clears only well below the limit', () => {
    const values = [1.2, 1.2, 0.95, 0.95, 0.95, 0.85, 0.85, 0.85, 0.7, 0.7, 0.7];
    // 0.95 is above 0.9 × 1.0: holds yellow; 0.85 releases yellow but holds the band (above 0.72); 0.7 clears.
    expect(run('nh3n', values).changes).toEqual([
      [1, 0, 2],
      [7, 2, 1],
      [10, 1, 0],
    ]);
  });

  it('DO: falling towards the bound raises, recovery must pass the bound by 10 % to release', () => {
    const values = [6.5, 6.2, 5.8, 5.5, 4.8, 4.6, 5.4, 5.4, 5.4, 5.6, 5.6, 5.6, 6.7, 6.7, 6.7];
    expect(run('do', values).changes).toEqual([
      [3, 0, 1], // 5.8, 5.5 below 6.0
      [5, 1, 2], // 4.8, 4.6 below 5
      // 5.4 < 5.5 holds yellow; 5.6 releases yellow (hold band, below 6.6)
      [11, 2, 1],
      [14, 1, 0],
    ]);
  });

  it('pH on both sides', () => {
    expect(run('ph', [9.2, 9.3, 8.7, 8.7, 8.7, 7.5, 7.5, 7.5]).changes).toEqual([
      [1, 0, 3],
      [4, 3, 1], // 8.7 is inside 6.2–8.8 but outside the band release 6.7–8.3
      [7, 1, 0],
    ]);
    expect(run('ph', [5.8, 5.7]).changes).toEqual([[1, 0, 3]]);
  });

  it('T values never show an upper-bounded value came back down', () => {
    const { levels } = run('nh3n', [
      1.2,
      1.2,
      { v: 0.5, flag: 'T' },
      { v: 0.5, flag: 'T' },
      { v: 0.5, flag: 'T' },
      { v: 0.5, flag: 'T' },
    ]);
    expect(levels.at(-1)).toBe(2);
  });

  it('clears faster on a 4-h series (count capped by clearMaxWaitMs = 6 h → 2 samples)', () => {
    expect(run('nh3n', [1.2, 0.5, 0.5], 4 * HOUR).changes).toEqual([
      [0, 0, 2],
      [2, 2, 0],
    ]);
  });
});

describe('threshold: confirm before escalating (issue 13 §4), a 4-hourly series', () => {
  const FOUR_H = 4 * HOUR;
  it.each([
    ['an isolated jump 0.4 → 4.8 is held blue (unconfirmed)', [0.4, 4.8], [0, 1]],
    // The verification measurement comes an hour after the request, inside the 2-h deadline.
    ['… and refuted by a normal re-measurement: cleared at once', [0.4, 4.8, { v: 0.4, gapMs: HOUR }], [0, 1, 0]],
    ['… and confirmed by a re-measurement past the target: full level (red)', [0.4, 4.8, { v: 4.5, gapMs: HOUR }], [0, 1, 4]],
    ['… confirmed by a re-measurement only just past the target: yellow', [0.4, 4.8, { v: 1.1, gapMs: HOUR }], [0, 1, 2]],
    // 0.9 is in the band, but one band reading of a slow series raises nothing (earlyWarningMinCount).
    ['a rise in steps is not a lone jump: yellow at once', [0.4, 0.9, 1.5], [0, 0, 2]],
    ['a jump short of the factor (2.4×) is not suspect', [0.5, 1.2], [0, 2]],
    ['the first reading has nothing to be out of line with', [4.8], [4]],
  ] as const)('%s', (_name, values, expected) => {
    expect(run('nh3n', [...values], FOUR_H).levels).toEqual(expected);
  });

  it('DO: a fall to a third of the last reading is suspect too; pH never is', () => {
    expect(run('do', [8, 2], FOUR_H).levels).toEqual([0, 1]);
    expect(run('ph', [7.5, 10.5], FOUR_H).levels[1]).toBeGreaterThanOrEqual(3);
  });

  it('switched off, or backed up by something else, a jump raises its level directly', () => {
    expect(run('nh3n', [0.4, 4.8], FOUR_H, { confirmSuspect: false }).levels).toEqual([0, 4]);
    const det = new ThresholdDetector({ key: 'nh3n', targetClass: 3, waterBody: 'river' }, defaults);
    det.update({ ts: T0, value: 0.4, flag: 'N', intervalMs: FOUR_H });
    det.update({ ts: T0 + FOUR_H, value: 4.8, flag: 'N', intervalMs: FOUR_H, corroborated: true });
    expect(det.level).toBe(4);
  });

  it('no re-measurement by the deadline: treated as confirmed', () => {
    const det = new ThresholdDetector({ key: 'nh3n', targetClass: 3, waterBody: 'river' }, defaults);
    det.update({ ts: T0, value: 0.4, flag: 'N', intervalMs: FOUR_H });
    const held = det.update({ ts: T0 + FOUR_H, value: 4.8, flag: 'N', intervalMs: FOUR_H });
    expect(held).toMatchObject({ from: 0, to: 1, suspect: 'held' });
    expect(det.suspect).toMatchObject({ value: 4.8, severity: 4, deadlineTs: T0 + FOUR_H + defaults.confirmWithinMs });
    expect(det.expireSuspect(T0 + FOUR_H + defaults.confirmWithinMs - 1)).toBeUndefined();
    expect(det.expireSuspect(T0 + FOUR_H + defaults.confirmWithinMs)).toMatchObject({ from: 1, to: 4, suspect: 'deadline' });
    expect(det.suspect).toBeUndefined();
    expect(det.level).toBe(4);
  });

  it('the suspect state survives a snapshot round trip', () => {
    const det = new ThresholdDetector({ key: 'nh3n', targetClass: 3, waterBody: 'river' }, defaults);
    det.update({ ts: T0, value: 0.4, flag: 'N', intervalMs: FOUR_H });
    det.update({ ts: T0 + FOUR_H, value: 4.8, flag: 'N', intervalMs: FOUR_H });
    const restored = new ThresholdDetector(
      { key: 'nh3n', targetClass: 3, waterBody: 'river' },
      defaults,
      JSON.parse(JSON.stringify(det.snapshot())),
    );
    expect(restored.level).toBe(1);
    expect(restored.update({ ts: T0 + FOUR_H + HOUR, value: 0.4, flag: 'N', intervalMs: FOUR_H })).toMatchObject({
      to: 0,
      suspect: 'refuted',
    });
  });
});

describe('threshold: approaching means getting worse (issue 13 §6)', () => {
  const feedWithUsual = (key: string, values: number[], usual: number | null | undefined) => {
    const det = new ThresholdDetector({ key, targetClass: 3, waterBody: 'river' }, defaults);
    return values.map((value, i) => {
      det.update({ ts: T0 + i * 5 * MIN, value, flag: 'N', intervalMs: 5 * MIN, usual });
      return det.level;
    });
  };
  it.each([
    // CODMn class III limit 6: the band starts at 4.8.
    ['CODMn at 5.0 where it usually is 4.95: not approaching', 'codmn', [5, 5, 5], 4.95, [0, 0, 0]],
    ['CODMn at 5.0 where it usually is 4.0 (+0.17 × limit): blue', 'codmn', [5, 5, 5], 4, [0, 1, 1]],
    ['no usual level known yet (too little history): nothing shows it is approaching', 'codmn', [5, 5, 5], null, [0, 0, 0]],
    ['no history kept at all: the band alone decides', 'codmn', [5, 5, 5], undefined, [0, 1, 1]],
    ['past the limit, the usual level does not matter', 'codmn', [6.5, 6.5], 6.4, [0, 2]],
    // DO class III limit 5 (lower bound): the band starts below 6.
    ['DO at 5.8 at dawn where dawn is usually 5.9: not approaching', 'do', [5.8, 5.8], 5.9, [0, 0]],
    ['DO at 5.8 at dawn where dawn is usually 7.0: blue', 'do', [5.8, 5.8], 7, [0, 1]],
  ] as const)('%s', (_name, key, values, usual, expected) => {
    expect(feedWithUsual(key, [...values], usual)).toEqual(expected);
  });
});

describe('threshold: the value before the onset (issue 13 §5)', () => {
  it('is what the water read just before the episode began, and nothing for an episode there from the first reading', () => {
    const det = new ThresholdDetector({ key: 'nh3n', targetClass: 3, waterBody: 'river' }, defaults);
    const feed = (i: number, value: number) => det.update({ ts: T0 + i * 5 * MIN, value, flag: 'N', intervalMs: 5 * MIN });
    feed(0, 0.4);
    feed(1, 1.3);
    feed(2, 1.3);
    expect(det.level).toBe(2);
    expect(det.preOnsetValue).toBe(0.4);
    const standing = new ThresholdDetector({ key: 'nh3n', targetClass: 3, waterBody: 'river' }, defaults);
    standing.update({ ts: T0, value: 1.2, flag: 'N', intervalMs: 5 * MIN });
    standing.update({ ts: T0 + 5 * MIN, value: 1.2, flag: 'N', intervalMs: 5 * MIN });
    expect(standing.level).toBe(2);
    expect(standing.preOnsetValue).toBeUndefined();
  });
});

describe('threshold: a suspect reading and the next regular reading after the deadline', () => {
  it('the deadline confirmed it first (event time): the late normal reading does not refute it', () => {
    const det = new ThresholdDetector({ key: 'nh3n', targetClass: 3, waterBody: 'river' }, defaults);
    const FOUR_H = 4 * HOUR;
    det.update({ ts: T0, value: 0.4, flag: 'N', intervalMs: FOUR_H });
    det.update({ ts: T0 + FOUR_H, value: 2.6, flag: 'N', intervalMs: FOUR_H });
    expect(det.level).toBe(1);
    const late = det.update({ ts: T0 + 2 * FOUR_H, value: 0.4, flag: 'N', intervalMs: FOUR_H });
    expect(late).toMatchObject({ from: 1, to: 3, suspect: 'deadline' });
    expect(det.level).toBe(3);
    expect(det.suspect).toBeUndefined();
  });
});

describe('threshold: a blue raised before the usual level was known', () => {
  it('is released once the value turns out to be usual, after the clear count', () => {
    const det = new ThresholdDetector({ key: 'codmn', targetClass: 3, waterBody: 'river' }, defaults);
    const levels: number[] = [];
    const feed = (i: number, usual: number | undefined) => {
      det.update({ ts: T0 + i * 5 * MIN, value: 4.9, flag: 'N', intervalMs: 5 * MIN, usual });
      levels.push(det.level);
    };
    feed(0, undefined);
    feed(1, undefined);
    for (let i = 2; i < 6; i++) feed(i, 4.9);
    expect(levels).toEqual([0, 1, 1, 1, 0, 0]);
  });
});
