import { describe, expect, it } from 'vitest';
import { prng } from './fixtures.js';
import {
  checkSuddenChangeOptions,
  SuddenChangeDetector,
  type SignalSpec,
  type SuddenChangeOptions,
  type SuddenChangeResult,
} from '../../../analytics/detectors/sudden-change.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.parse('2026-05-01T00:00:00+08:00');

const SIGNALS: SignalSpec[] = [
  { key: 'a', precision: 0.01, role: 'quality' },
  { key: 'b', precision: 0.01, role: 'quality' },
  { key: 'c', precision: 0.01, role: 'quality' },
  { key: 'flow', precision: 1, role: 'context' },
];
const LEVEL: Record<string, number> = { a: 1, b: 5, c: 10, flow: 100 };
/** A fixed wiggle of ±2 precisions: |residual| ≤ 0.02, so each quality scale is ≈ 0.024 (2.38 precisions, the log-grid bin edge). */
const WIGGLE = [0, 0.01, -0.01, 0.02, -0.02, 0.01, 0, -0.01];


type Shift = Partial<Record<string, number>>;

/** Normal row i of a stream (same wiggle, shifted per signal so the signals do not move in lockstep). */
function normal(i: number, shift: Shift = {}): Record<string, number> {
  const out: Record<string, number> = {};
  SIGNALS.forEach((s, k) => {
    const w = (WIGGLE[(i + 3 * k) % WIGGLE.length] as number) * (s.role === 'context' ? 100 : 1);
    out[s.key] = (LEVEL[s.key] as number) + w + (shift[s.key] ?? 0);
  });
  return out;
}

class Stream {
  i = 0;
  readonly results: SuddenChangeResult[] = [];
  constructor(
    readonly det: SuddenChangeDetector,
    readonly intervalMs = MIN,
  ) {}
  get ts(): number {
    return T0 + this.i * this.intervalMs;
  }
  /** Feeds n rows; `shift` adds to the normal values, `values` replaces them. */
  feed(n: number, shift: Shift = {}, values?: (i: number) => Record<string, number | undefined>): SuddenChangeResult[] {
    const out: SuddenChangeResult[] = [];
    for (let k = 0; k < n; k++, this.i++) {
      const r = this.det.update(this.ts, values ? values(this.i) : normal(this.i, shift));
      out.push(r);
      this.results.push(r);
    }
    return out;
  }
  /** Past the 6 h scale warm-up with normal data. */
  warm(ms = 7 * HOUR): this {
    this.feed(Math.ceil(ms / this.intervalMs));
    return this;
  }
}

const stream = (options: Partial<SuddenChangeOptions> = {}, intervalMs = MIN): Stream =>
  new Stream(new SuddenChangeDetector(SIGNALS, options), intervalMs);
const firstStart = (rs: SuddenChangeResult[]): number => rs.findIndex((r) => r.started);

describe('SuddenChangeDetector: when an event starts', () => {
  it.each([
    { name: 'one odd row, every quality signal far out', rows: 1, shift: { a: 1, b: 1, c: 1 }, startsAt: -1 },
    { name: 'two rows with two signals out together', rows: 2, shift: { a: 0.5, b: 0.5 }, startsAt: 1 },
    { name: 'three signals out together, sustained', rows: 10, shift: { a: 0.5, b: 0.5, c: 0.5 }, startsAt: 1 },
    { name: 'one signal moderately out, sustained (needs a second signal)', rows: 20, shift: { a: 0.06 }, startsAt: -1 },
    { name: 'one signal strongly out, two rows (strong evidence needs three)', rows: 2, shift: { a: 0.5 }, startsAt: -1 },
    { name: 'one signal strongly out, sustained', rows: 10, shift: { a: 0.5 }, startsAt: 2 },
    { name: 'a context signal jumps by 20 %, sustained', rows: 20, shift: { flow: 20 }, startsAt: -1 },
    { name: 'two signals out in alternate rows only', rows: 1, shift: { a: 0.5, b: 0.5 }, startsAt: -1 },
  ])('$name', ({ rows, shift, startsAt }) => {
    const s = stream().warm();
    expect(s.results.some((r) => r.inEvent)).toBe(false);
    const rs = s.feed(rows, shift);
    rs.push(...s.feed(5));
    expect(firstStart(rs)).toBe(startsAt);
    expect(rs.filter((r) => r.started)).toHaveLength(startsAt < 0 ? 0 : 1);
  });

  it('a moderate single-signal move really is an outlier but below the strong threshold', () => {
    const s = stream().warm();
    const [r] = s.feed(1, { a: 0.06 });
    expect(r?.outliers).toEqual(['a']);
    expect(r?.score).toBeGreaterThanOrEqual(1.5);
    expect(r?.score).toBeLessThan(5);
  });

  it('names the moving quality signals, never a context signal', () => {
    const s = stream().warm();
    const rs = s.feed(3, { a: 0.5, c: -0.5, flow: 50 });
    expect(rs[1]?.started).toBe(true);
    expect(rs[1]?.outliers).toEqual(['a', 'c']);
    expect(rs[1]?.score).toBeGreaterThan(5);
  });

  it('scatters false alarms rarely: three days of independent noise raise no event', () => {
    const rand = prng(7);
    const s = stream();
    const rs = s.feed(3 * 24 * 60, {}, () => ({
      a: 1 + (rand() - 0.5) * 0.06,
      b: 5 + (rand() - 0.5) * 0.06,
      c: 10 + (rand() - 0.5) * 0.06,
      flow: 100 + (rand() - 0.5) * 40,
    }));
    expect(rs.filter((r) => r.started)).toHaveLength(0);
  });
});

describe('SuddenChangeDetector: while and after an event', () => {
  it('ends after two clean rows and reports start and end once each', () => {
    const s = stream().warm();
    const during = s.feed(10, { a: 0.5, b: 0.5 });
    const after = s.feed(5);
    expect(during.filter((r) => r.started)).toHaveLength(1);
    expect(during.slice(1).every((r) => r.inEvent)).toBe(true);
    expect(after.map((r) => r.inEvent)).toEqual([true, false, false, false, false]);
    expect(after.filter((r) => r.ended)).toHaveLength(1);
    expect(after[1]?.ended).toBe(true);
  });

  it('keeps in-event values out of the baseline', () => {
    const s = stream().warm();
    const before = s.feed(1)[0]?.baseline.a as number;
    const during = s.feed(20, { a: 0.5, b: 0.5 });
    for (const r of during) expect(r.baseline.a).toBeCloseTo(before, 2);
  });

  it('re-baselines after the event timeout when the new level is within the operating range (short history: no envelope yet)', () => {
    const s = stream().warm();
    const during = s.feed(45, { a: 0.5, b: 0.5 });
    const endedAt = during.findIndex((r) => r.ended);
    // The timeout is 30 min: the shift becomes the baseline, the event ends a couple of rows later.
    expect(endedAt).toBeGreaterThanOrEqual(30);
    expect(endedAt).toBeLessThanOrEqual(34);
    expect(during.at(-1)?.baseline.a).toBeCloseTo(1.5, 1);
    expect(during.at(-1)?.inEvent).toBe(false);
  });

  it("holds a level far outside the last days' range past the timeout (no silent re-baselining)", () => {
    const s = stream({}, 5 * MIN).warm(30 * HOUR);
    const during = s.feed(24, { a: 0.5, b: 0.5 }); // 2 h at 5-min data
    expect(during[1]?.started).toBe(true);
    expect(during.slice(1).every((r) => r.inEvent)).toBe(true);
    const back = s.feed(3);
    expect(back[1]?.ended).toBe(true);
  });

  it('holds a far level for at most holdMaxMs (a stuck analyser does not keep an event open for ever)', () => {
    const s = stream({ holdMaxMs: 3 * HOUR }, 5 * MIN).warm(30 * HOUR);
    const during = s.feed(48, { a: 0.5, b: 0.5 }); // 4 h
    const endedAt = during.findIndex((r) => r.ended);
    expect(endedAt).toBeGreaterThanOrEqual(36); // not before 3 h
    expect(endedAt).toBeLessThanOrEqual(38);
    expect(during.at(-1)?.baseline.a).toBeCloseTo(1.5, 1);
  });

  it('accepts a shift inside the operating range after the timeout', () => {
    // A daily cycle of ±0.3 makes the envelope 0.6 wide; a 0.3 step stays inside its margin.
    const cycle = (i: number, step = 0): Record<string, number> => {
      const d = 0.3 * Math.sin((2 * Math.PI * i * 5) / 1440);
      const w = WIGGLE[i % WIGGLE.length] as number;
      return { a: 1 + d + w + step, b: 5 + d - w + step, c: 10 + w, flow: 100 };
    };
    const s = stream({}, 5 * MIN);
    s.feed(36 * 12, {}, (i) => cycle(i));
    const during = s.feed(24, {}, (i) => cycle(i, 0.3));
    expect(during.some((r) => r.started)).toBe(true);
    expect(during.some((r) => r.ended)).toBe(true);
    expect(during.at(-1)?.inEvent).toBe(false);
  });

  it('one more signal is needed while a context change explains (contextExplains)', () => {
    const explained = stream({ contextExplains: true }).warm();
    const plain = stream().warm();
    const shift = { a: 0.5, b: 0.5, flow: 50 };
    expect(explained.feed(5, shift).some((r) => r.started)).toBe(false);
    expect(plain.feed(5, shift).some((r) => r.started)).toBe(true);
  });
});

describe('SuddenChangeDetector: gaps, order, restarts', () => {
  it('judges the signals present when one is missing (NA)', () => {
    const s = stream().warm();
    const rs = s.feed(3, {}, (i) => ({ ...normal(i, { a: 0.5, b: 0.5 }), c: undefined, flow: Number.NaN }));
    expect(rs[1]?.started).toBe(true);
  });

  it("refills a signal's window after a long gap instead of alarming on the new level", () => {
    const s = stream().warm();
    s.i += 3 * 60; // 3 h without any reading (gapResetMs is 2 h)
    const rs = s.feed(20, { a: 0.5, b: 0.5 });
    expect(rs[0]?.baseline.a).toBeUndefined();
    expect(rs.some((r) => r.inEvent)).toBe(false);
    expect(rs.at(-1)?.baseline.a).toBeCloseTo(1.5, 1);
  });

  it('ends an open event when quality data stop for longer than gapResetMs', () => {
    const s = stream().warm();
    expect(s.feed(5, { a: 0.5, b: 0.5 }).at(-1)?.inEvent).toBe(true);
    s.i += 3 * 60;
    const [r] = s.feed(1);
    expect(r?.ended).toBe(true);
    expect(r?.inEvent).toBe(false);
  });

  it('ignores a row older than or equal to the last one and changes nothing', () => {
    const a = stream().warm();
    const b = stream().warm();
    const stale = a.det.update(a.ts - 2 * MIN, normal(0, { a: 5, b: 5, c: 5 }));
    const dup = a.det.update(a.ts - MIN, normal(0, { a: 5, b: 5, c: 5 }));
    for (const r of [stale, dup]) {
      expect(r.started).toBe(false);
      expect(r.outliers).toEqual([]);
    }
    expect(a.feed(30, { a: 0.5, b: 0.5 })).toEqual(b.feed(30, { a: 0.5, b: 0.5 }));
  });

  it('restores from a JSON snapshot mid-event and continues exactly as without the restart', () => {
    const a = stream({}, 5 * MIN).warm(30 * HOUR);
    a.feed(4, { a: 0.5, b: 0.5 });
    expect(a.det.inEvent).toBe(true);
    const snap = a.det.snapshot();
    const json = JSON.stringify(snap);
    expect(JSON.parse(json)).toEqual(snap); // JSON-safe: nothing lost (no NaN, Infinity or undefined)
    const b = new Stream(SuddenChangeDetector.restore(JSON.parse(json), SIGNALS), 5 * MIN);
    b.i = a.i;
    expect(b.det.inEvent).toBe(true);
    const next = (s: Stream): SuddenChangeResult[] => [...s.feed(20, { a: 0.5, b: 0.5 }), ...s.feed(30)];
    const ra = next(a);
    const rb = next(b);
    expect(rb).toEqual(ra);
    expect(rb.some((r) => r.started)).toBe(false); // the open event is not raised again
    expect(rb.filter((r) => r.ended)).toHaveLength(1);
  });

  it('restores cold from an unreadable snapshot, and starts a new signal cold', () => {
    expect(SuddenChangeDetector.restore({ nope: true }, SIGNALS).update(T0, normal(0)).baseline).toEqual({});
    const a = stream().warm();
    const more: SignalSpec[] = [...SIGNALS, { key: 'd', precision: 0.1, role: 'quality' }];
    const b = SuddenChangeDetector.restore(a.det.snapshot(), more);
    const r = b.update(a.ts, { ...normal(a.i), d: 3 });
    expect(r.baseline.a).toBeDefined();
    expect(r.baseline.d).toBeUndefined();
  });
});

describe('SuddenChangeDetector: the same defaults across sampling intervals', () => {
  it.each([
    { name: 'minute data', intervalMs: MIN, warmMs: 7 * HOUR, startRow: 1 },
    { name: '5-minute data', intervalMs: 5 * MIN, warmMs: 7 * HOUR, startRow: 1 },
    // 4-hour nutrient cycles: the scale needs 30 residuals (about 6 days) before judging.
    { name: '4-hour data', intervalMs: 4 * HOUR, warmMs: 8 * 24 * HOUR, startRow: 1 },
  ])('$name: a two-signal step starts an event on its second row and no event before', ({ intervalMs, warmMs, startRow }) => {
    const s = stream({}, intervalMs).warm(warmMs);
    expect(s.results.some((r) => r.inEvent)).toBe(false);
    expect(firstStart(s.feed(4, { a: 0.5, b: 0.5 }))).toBe(startRow);
  });

  it('4-hour data: a signal is not judged before the scale warm-up has 30 residuals', () => {
    const s = stream({}, 4 * HOUR);
    s.feed(20);
    expect(s.feed(4, { a: 0.5, b: 0.5 }).some((r) => r.started)).toBe(false);
  });
});

describe('checkSuddenChangeOptions', () => {
  it.each([
    { options: {}, problems: 0 },
    { options: { outlierThreshold: 2, eventTimeoutMs: 3_600_000, contextExplains: true }, problems: 0 },
    { options: { outlierTreshold: 2 }, problems: 1 },
    { options: { eventProbability: 1.5 }, problems: 1 },
    { options: { minParameters: 0 }, problems: 1 },
    { options: { baselineMinSamples: 2.5 }, problems: 1 },
    { options: { decisionWindowMs: -1 }, problems: 1 },
    { options: { contextExplains: 'yes' }, problems: 1 },
    { options: { scaleTimeConstantMs: 0 }, problems: 1 },
  ])('$options → $problems problem(s)', ({ options, problems }) => {
    expect(checkSuddenChangeOptions(options)).toHaveLength(problems);
  });
});
