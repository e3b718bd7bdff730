import { describe, expect, it } from 'vitest';
import {
  DEFAULT_OPTIONS,
  FlagTracker,
  FlatLineDetector,
  OfflineMonitor,
  SpikeDetector,
  resolveSectionOptions,
} from '../../../analytics/index.js';
import { HOUR, MIN, T0, noise } from './fixtures.js';

describe('offline (5-min station: 3 intervals + 10 min grace = 25 min)', () => {
  it.each([
    ['silent 25 min: not yet', 25 * MIN, undefined],
    ['silent 25 min + 1 ms: offline', 25 * MIN + 1, 'raise'],
  ] as const)('%s', (_name, silentMs, change) => {
    const m = new OfflineMonitor(5 * MIN, DEFAULT_OPTIONS.offline, T0);
    m.seen(T0);
    expect(m.check(T0 + silentMs).change).toBe(change);
  });

  it('raises once, not on every tick, and clears when a reading arrives', () => {
    const m = new OfflineMonitor(5 * MIN, DEFAULT_OPTIONS.offline, T0);
    m.seen(T0);
    expect(m.check(T0 + HOUR).change).toBe('raise');
    expect(m.check(T0 + 2 * HOUR).change).toBeUndefined();
    expect(m.seen(T0 + 2 * HOUR)).toBe('clear');
    expect(m.seen(T0 + 2 * HOUR + 5 * MIN)).toBeUndefined();
  });

  it('a station never heard from is judged from the time the monitor started', () => {
    const m = new OfflineMonitor(5 * MIN, DEFAULT_OPTIONS.offline, T0);
    expect(m.check(T0 + 20 * MIN).change).toBeUndefined();
    expect(m.check(T0 + 30 * MIN).change).toBe('raise');
  });

  it('no storm after a restart: the analytics process was down 2 h, every station gets the full threshold again', () => {
    const before = new OfflineMonitor(5 * MIN, DEFAULT_OPTIONS.offline, T0);
    before.seen(T0);
    const restartedAt = T0 + 2 * HOUR;
    const after = new OfflineMonitor(5 * MIN, DEFAULT_OPTIONS.offline, restartedAt, before.snapshot());
    expect(after.check(restartedAt + MIN).change).toBeUndefined();
    expect(after.check(restartedAt + 20 * MIN).change).toBeUndefined();
    // The backlog brings readings up to date; nothing was ever raised.
    after.seen(restartedAt + 22 * MIN);
    expect(after.check(restartedAt + 40 * MIN).change).toBeUndefined();
    // A station really silent since the restart is reported once its threshold has passed.
    expect(after.check(restartedAt + 22 * MIN + 26 * MIN).change).toBe('raise');
  });
});

describe('flat line (defaults: ≥ 6 samples and ≥ 12 h within half a precision)', () => {
  function firstRaise(
    values: number[],
    intervalMs: number,
    precision: number,
    options = DEFAULT_OPTIONS.flatLine,
  ): number | undefined {
    const d = new FlatLineDetector(precision, options);
    for (let i = 0; i < values.length; i++) if (d.update(T0 + i * intervalMs, values[i] as number) === 'raise') return i;
    return undefined;
  }

  const tp = resolveSectionOptions(undefined, 's').parameter('tp').flatLine; // 48 h for 4-h analyzer parameters

  it.each([
    // name, values, interval, precision, index of the raise (undefined: never), options
    [
      '5-min series stuck for 12 h: raised at the sample 12 h after the run began',
      Array(200).fill(7.31),
      5 * MIN,
      0.01,
      144,
      undefined,
    ],
    ['4-h TP repeating 12 times (44 h): not yet', Array(12).fill(0.052), 4 * HOUR, 0.001, undefined, tp],
    ['4-h TP repeating 13 times (48 h): raised', Array(13).fill(0.052), 4 * HOUR, 0.001, 12, tp],
    ['detector defaults alone: 6 samples and 12 h', Array(6).fill(0.052), 4 * HOUR, 0.001, 5, undefined],
    [
      'low resolution moving by one step is not stuck',
      Array.from({ length: 300 }, (_, i) => (i % 2 ? 18.2 : 18.3)),
      5 * MIN,
      0.1,
      undefined,
      undefined,
    ],
    [
      'jitter below the precision is stuck',
      Array.from({ length: 200 }, (_, i) => 3.1 + [0, 0.003, -0.002][i % 3]!),
      5 * MIN,
      0.01,
      144,
      undefined,
    ],
    [
      'a real, slowly moving series is not stuck',
      Array.from({ length: 300 }, (_, i) => 7 + 0.01 * i),
      5 * MIN,
      0.01,
      undefined,
      undefined,
    ],
  ])('%s', (_name, values, intervalMs, precision, expected, options) => {
    expect(firstRaise(values, intervalMs, precision, options ?? DEFAULT_OPTIONS.flatLine)).toBe(expected);
  });

  it('ignores values pinned at a detection limit when asked', () => {
    expect(
      firstRaise(Array(300).fill(0), 5 * MIN, 0.001, { ...DEFAULT_OPTIONS.flatLine, ignoreAtOrBelow: 0.005 }),
    ).toBeUndefined();
  });

  it('clears when the value moves again', () => {
    const d = new FlatLineDetector(0.01, { ...DEFAULT_OPTIONS.flatLine, minDurationMs: HOUR });
    const changes = Array.from({ length: 20 }, (_, i) => d.update(T0 + i * 5 * MIN, 7.31)).filter(Boolean);
    expect(changes).toEqual(['raise']);
    expect(d.update(T0 + 21 * 5 * MIN, 7.4)).toBe('clear');
  });
});

describe('isolated implausible spikes', () => {
  function feed(values: number[], intervalMs = 5 * MIN) {
    const d = new SpikeDetector(0.01, DEFAULT_OPTIONS.spike);
    return values.map((v, i) => d.update(T0 + i * intervalMs, v, intervalMs));
  }
  const rnd = noise(5);
  const calm = Array.from({ length: 40 }, () => Number((7 + 0.05 * rnd()).toFixed(2)));

  it('one sample far off that comes straight back is a spike, known one sample later; one spike alone raises no alert', () => {
    const out = feed([...calm, 12, 7.01, ...calm.slice(0, 5)]);
    const spikes = out.filter((u) => u.spikeTs !== undefined);
    expect(spikes.length).toBe(1);
    expect(spikes[0]?.spikeTs).toBe(T0 + 40 * 5 * MIN);
    expect(spikes[0]?.spikeValue).toBe(12);
    expect(out.some((u) => u.change)).toBe(false);
  });

  it('a level shift that stays is not a spike', () => {
    expect(feed([...calm, 12, 12.02, 11.98, 12.01]).some((u) => u.spikeTs !== undefined)).toBe(false);
  });

  it('a 4-h series is never judged (one analyzer result may be a real short plume)', () => {
    expect(feed([...calm, 12, 7.01], 4 * HOUR).some((u) => u.spikeTs !== undefined)).toBe(false);
  });

  it('three spikes within 24 h raise the alert; it clears after 24 h without one', () => {
    const burst = [12, 7.01, ...calm.slice(0, 20)];
    const day = Array.from({ length: 288 }, (_, i) => calm[i % calm.length] as number);
    const out = feed([...calm, ...burst, ...burst, ...burst, ...day]);
    const changes = out.map((u, i) => [i, u.change] as const).filter(([, c]) => c);
    expect(changes.map(([, c]) => c)).toEqual(['raise', 'clear']);
    const third = 40 + 2 * burst.length + 1; // the sample after the third spike
    expect(changes[0]?.[0]).toBe(third);
    expect(out[third]?.count).toBe(3);
    // Cleared at the first sample more than 24 h (288 samples) after the last spike (sample third − 1).
    expect(changes[1]?.[0]).toBe(third - 1 + 288);
  });
});

describe('flags (fault, maintenance, calibration)', () => {
  it('raises when the flagged set changes, clears when all are back to N or T', () => {
    const t = new FlagTracker();
    expect([
      t.update(['nh3n', 'do'], { nh3n: 'M' }),
      t.update(['nh3n'], { nh3n: 'M' }),
      t.update(['nh3n'], { nh3n: 'D' }),
      t.update(['tp'], { tp: 'C' }),
      t.update(['nh3n', 'do'], {}), // nh3n back to N (a missing flag means N)
      t.update(['do'], {}), // tp absent from this reading: still flagged
      t.update(['tp'], { tp: 'T' }),
      t.update(['tp'], {}),
    ]).toEqual(['raise', undefined, 'raise', 'raise', 'raise', undefined, 'clear', undefined]);
    expect(t.flagged).toEqual({});
  });
});
