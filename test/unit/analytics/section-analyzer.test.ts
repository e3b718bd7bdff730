import { describe, expect, it } from 'vitest';
import { ReorderBuffer, SectionAnalyzer, type AnalyticsOptionsInput } from '../../../analytics/index.js';
import { ManualClock, isPollutionKind, type AlertEvent, type Reading } from '../../../domain/index.js';
import { HOUR, MIN, T0, calmReading, noise, reading, standInFactory, testRegistry } from './fixtures.js';

const SECTIONS = ['up', 'bnd', 'down'] as const;
const STATIONS: [string, string][] = [
  ['UP-1', 'up'],
  ['BND-1', 'bnd'],
  ['BND-2', 'bnd'],
  ['DOWN-1', 'down'],
];

type Analyzers = Map<string, SectionAnalyzer>;

/** Events grouped by condition key, each group in order. */
function byKey(events: readonly AlertEvent[]): Record<string, AlertEvent[]> {
  const out: Record<string, AlertEvent[]> = {};
  for (const e of events) (out[e.key] ??= []).push(e);
  return out;
}

function build(clock: ManualClock, options?: AnalyticsOptionsInput, snapshots?: Map<string, unknown>): Analyzers {
  const registry = testRegistry();
  const map: Analyzers = new Map();
  for (const id of SECTIONS) {
    const deps = {
      registry,
      sectionId: id,
      clock,
      options,
      suddenChange: standInFactory,
      upstreamView: (sid: string) => map.get(sid)?.view(),
    };
    const snap = snapshots?.get(id);
    map.set(id, snap === undefined ? new SectionAnalyzer(deps) : SectionAnalyzer.restore(snap, deps));
  }
  return map;
}

type Shape = (stationId: string, ts: number, rnd: () => number) => Partial<Record<string, number>> | undefined;

/** Readings of every station every 5 min; `shape` overrides values per station and time. */
function readings(hours: number, shape: Shape, seed = 1): Reading[] {
  const rnd = noise(seed);
  const out: Reading[] = [];
  for (let ts = T0; ts < T0 + hours * HOUR; ts += 5 * MIN) {
    for (const [stationId, sectionId] of STATIONS)
      out.push(calmReading(stationId, sectionId, ts, rnd, shape(stationId, ts, rnd) ?? {}));
  }
  return out;
}

/** Feeds readings in order to their section's analyzer, ticking the clock at each new timestamp. */
function feed(analyzers: Analyzers, clock: ManualClock, input: readonly Reading[]): AlertEvent[] {
  const events: AlertEvent[] = [];
  let lastTs = -Infinity;
  for (const r of input) {
    if (r.ts > lastTs) {
      lastTs = r.ts;
      clock.set(r.ts);
      for (const a of analyzers.values()) events.push(...a.tick(r.ts));
    }
    events.push(...(analyzers.get(r.sectionId)?.process(r) ?? []));
  }
  return events;
}

// A spill reaches UP-1 at 06:00 for an hour (NH3-N ≈ 2.6 mg/L = 劣V, conductivity up); the plume reaches the
// boundary section 30 km below 14.75 h later (inside the predicted window, just before the mean leading edge)
// for 1.5 h, attenuated to class IV.
const SPILL_START = T0 + 6 * HOUR;
const PLUME_START = SPILL_START + 14.75 * HOUR;
const spill: Shape = (stationId, ts, rnd) => {
  if (stationId === 'UP-1' && ts >= SPILL_START && ts < SPILL_START + HOUR)
    return { nh3n: 2.6 + 0.1 * rnd(), cond: 720 + 10 * rnd() };
  if (stationId.startsWith('BND') && ts >= PLUME_START && ts < PLUME_START + 1.5 * HOUR)
    return { nh3n: 1.4 + 0.05 * rnd(), cond: 560 + 8 * rnd() };
  return undefined;
};

describe('section analyzer: spill upstream of a boundary section', () => {
  const clock = new ManualClock(T0);
  const events = feed(build(clock), clock, readings(30, spill));
  const first = (key: string, type: 'raise' | 'clear' = 'raise') => events.findIndex((e) => e.key === key && e.type === type);

  it('raises, in order: the upstream alert, the downstream pre-warning with its window, the downstream exceedance', () => {
    const iUp = first('exceedance:up:nh3n');
    const iPre = first('upstream-arrival:bnd:up');
    const iDown = first('exceedance:bnd:nh3n');
    expect(iUp).toBeGreaterThanOrEqual(0);
    expect(iPre).toBeGreaterThan(iUp - 1);
    expect(iDown).toBeGreaterThan(iPre);

    const up = events[iUp]!;
    expect(up).toMatchObject({ kind: 'exceedance', level: 'orange', sectionId: 'up', stationId: 'UP-1', parameters: ['nh3n'] });
    expect(up.ts).toBe(SPILL_START + 5 * MIN); // confirmed on the second sample (2 of 3)

    const pre = events[iPre]!;
    expect(pre).toMatchObject({ kind: 'upstream-arrival', level: 'blue', sectionId: 'bnd', stationId: undefined });
    // t_p = 30 km / 0.5 m/s = 16.7 h after the onset at UP-1; window t_p ± 2σ_t (D_L 50 m²/s: σ_t 1.36 h).
    expect((pre.arrival!.peakTs - SPILL_START) / HOUR).toBeCloseTo(16.67, 2);
    expect((pre.arrival!.fromTs - SPILL_START) / HOUR).toBeCloseTo(13.94, 1);
    expect((pre.arrival!.toTs - SPILL_START) / HOUR).toBeCloseTo(19.39, 1);

    const down = events[iDown]!;
    expect(down).toMatchObject({ kind: 'exceedance', level: 'yellow', sectionId: 'bnd', parameters: ['nh3n'] });
    expect(down.ts).toBeGreaterThanOrEqual(pre.arrival!.fromTs);
    expect(down.ts).toBeLessThanOrEqual(pre.arrival!.toTs);
    // Detected within one sampling interval of the first sample that shows the plume.
    expect(down.ts - PLUME_START).toBeLessThanOrEqual(5 * MIN);
    // It came from upstream: UP-1 was worse when this water passed it.
    expect(down.evidence.attribution).toMatchObject({ verdict: 'upstream' });
  });

  it('the section below the boundary is pre-warned too (from both upstream alerts), and its pre-warnings clear once the plume has passed', () => {
    expect(first('upstream-arrival:down:up')).toBeGreaterThan(-1);
    expect(first('upstream-arrival:down:bnd')).toBeGreaterThan(first('exceedance:bnd:nh3n') - 1);
    expect(first('upstream-arrival:bnd:up', 'clear')).toBeGreaterThan(first('exceedance:bnd:nh3n'));
  });

  it('clears each condition once, after the water is clean again, and never raises a level twice', () => {
    for (const key of ['exceedance:up:nh3n', 'exceedance:bnd:nh3n']) {
      const own = events.filter((e) => e.key === key);
      expect(own.filter((e) => e.type === 'clear')).toHaveLength(1);
      expect(own.at(-1)?.type).toBe('clear');
      const levels = own.filter((e) => e.type === 'raise').map((e) => e.level);
      expect(new Set(levels).size).toBe(levels.length);
    }
    expect(events.filter((e) => e.sectionId === 'down' && isPollutionKind(e.kind) && e.kind !== 'upstream-arrival')).toEqual([]);
    expect(events.filter((e) => e.kind === 'data-quality')).toEqual([]);
  });

  it('attributes an increase that upstream did not have to the reach and its jurisdiction', () => {
    const c = new ManualClock(T0);
    const local: Shape = (stationId, ts, rnd) =>
      stationId.startsWith('BND') && ts >= T0 + 20 * HOUR ? { nh3n: 1.5 + 0.05 * rnd() } : undefined;
    const evs = feed(build(c), c, readings(22, local));
    const raise = evs.find((e) => e.key === 'exceedance:bnd:nh3n' && e.type === 'raise');
    expect(raise?.evidence.attribution).toMatchObject({
      verdict: 'reach',
      reach: { fromSectionIds: ['up'], toSectionId: 'bnd', agencyId: 'county-a' },
    });
  });
});

describe('section analyzer: a restart in the middle changes nothing', () => {
  const input = readings(30, spill);
  const baseline = (() => {
    const clock = new ManualClock(T0);
    return feed(build(clock), clock, input);
  })();

  it.each([
    ['during the upstream alert', SPILL_START + 30 * MIN],
    ['while the pre-warning is open, before the plume', SPILL_START + 10 * HOUR],
    ['during the downstream exceedance', PLUME_START + HOUR],
  ])('snapshot/restore (JSON round trip) %s', (_name, cut) => {
    const clock = new ManualClock(T0);
    const before = build(clock);
    const head = input.filter((r) => r.ts < cut);
    const tail = input.filter((r) => r.ts >= cut);
    const events = feed(before, clock, head);
    const snapshots = new Map([...before].map(([id, a]) => [id, JSON.parse(JSON.stringify(a.snapshot())) as unknown]));
    const after = build(clock, undefined, snapshots);
    // Redelivery after the restart: the last hour before the cut comes again and changes nothing.
    events.push(...feed(after, clock, [...input.filter((r) => r.ts >= cut - HOUR && r.ts < cut), ...tail]));
    expect(events).toEqual(baseline);
  });

  it('warm start from history instead of a snapshot: no re-raise, same alerts afterwards, reconciliation with the alerts side', () => {
    const cut = PLUME_START + HOUR;
    const openAtCut = new Map<string, AlertEvent>();
    for (const e of baseline.filter((x) => x.ts < cut)) {
      if (e.type === 'raise') openAtCut.set(e.key, e);
      else openAtCut.delete(e.key);
    }
    const clock = new ManualClock(cut);
    const fresh = build(clock);
    const head = input.filter((r) => r.ts < cut);
    const reconcile: AlertEvent[] = [];
    for (const id of SECTIONS) {
      const own = [...openAtCut.keys()].filter((k) => k.includes(`:${id}:`) || k.endsWith(`:${id}`));
      reconcile.push(
        ...fresh.get(id)!.warmStart(
          head.filter((r) => r.sectionId === id),
          new Set(own),
        ),
      );
    }
    expect(reconcile).toEqual([]);
    const tail = input.filter((r) => r.ts >= cut);
    expect(feed(fresh, clock, tail)).toEqual(baseline.filter((e) => e.ts >= cut));
  });

  it('reconciles an alerts side that missed a raise (crash between detection and hand-over)', () => {
    const cut = SPILL_START + 30 * MIN;
    const clock = new ManualClock(cut);
    const up = build(clock).get('up')!;
    const out = up.warmStart(
      input.filter((r) => r.ts < cut && r.sectionId === 'up'),
      new Set(),
    );
    expect(out.map((e) => e.key)).toContain('exceedance:up:nh3n');
    expect(out.every((e) => e.type === 'raise')).toBe(true);
  });
});

describe('section analyzer: out-of-order, duplicate and late readings', () => {
  const input = readings(30, spill);
  const clock0 = new ManualClock(T0);
  const inOrder = feed(build(clock0), clock0, input);

  it('jittered arrival, redeliveries and a reorder buffer give exactly the in-order alerts', () => {
    const rnd = noise(42);
    // Each reading arrives 0–3 min after its timestamp; one in ten is delivered twice.
    const arrivals = input.flatMap((r) => {
      const at = r.ts + Math.floor((rnd() + 1) * 90_000);
      return rnd() > 0.8
        ? [
            { r, at },
            { r, at: at + 20_000 },
          ]
        : [{ r, at }];
    });
    arrivals.sort((a, b) => a.at - b.at);
    const clock = new ManualClock(T0);
    const analyzers = build(clock);
    const byStation = (a: Reading, b: Reading) => a.stationId.localeCompare(b.stationId);
    const buffers = new Map(
      SECTIONS.map((id) => [id as string, new ReorderBuffer<Reading>({ watermarkDelayMs: 5 * MIN, maxHeld: 10_000 }, byStation)]),
    );
    const released: Reading[] = [];
    for (const { r, at } of arrivals) {
      buffers.get(r.sectionId)!.push(r, at);
      for (const b of buffers.values()) {
        const out = b.drain(at);
        released.push(...out.inOrder);
        expect(out.late).toEqual([]);
      }
    }
    for (const b of buffers.values()) released.push(...b.flush().inOrder);
    // The buffers put every section back in order (ties by station id); analysing the release stream gives the
    // same alerts. Sections are independent, so the comparison is per condition key.
    released.sort((a, b) => a.ts - b.ts);
    expect(byKey(feed(analyzers, clock, released))).toEqual(byKey(inOrder));
    const stale = [...analyzers.values()].reduce((n, a) => n + a.stats.stale, 0);
    expect(stale).toBe(arrivals.length - input.length); // every redelivery ignored
  });

  it('a reading later than the watermark is ignored by the detectors (no false or double alert)', () => {
    const clock = new ManualClock(T0);
    const analyzers = build(clock);
    const events = feed(analyzers, clock, input);
    // A stray reading from 20:00 with a high value turns up at the end.
    const late = reading('BND-1', 'bnd', T0 + 20 * HOUR + 2 * MIN, { nh3n: 3.5 });
    expect(analyzers.get('bnd')!.process([late, late])).toEqual([]);
    expect(analyzers.get('bnd')!.stats.stale).toBe(2);
    expect(events).toEqual(inOrder);
  });

  it('a station whose link was down sends its backlog late: analysed in its own order, offline raised and cleared once', () => {
    const clock = new ManualClock(T0);
    const analyzers = build(clock);
    const outage = (r: Reading) => r.stationId === 'BND-2' && r.ts >= T0 + 2 * HOUR && r.ts < T0 + 4 * HOUR;
    const live = input.filter((r) => r.ts < T0 + 5 * HOUR && !outage(r));
    const events = feed(analyzers, clock, live);
    events.push(...analyzers.get('bnd')!.process(input.filter(outage)));
    const dq = events.filter((e) => e.key === 'dq-offline:BND-2').map((e) => e.type);
    expect(dq).toEqual(['raise', 'clear']);
    expect(events.filter((e) => isPollutionKind(e.kind))).toEqual([]);
  });
});

describe('section analyzer: data quality never becomes pollution', () => {
  it('a flat-lined sensor raises a data-quality alert and no pollution alert', () => {
    const clock = new ManualClock(T0);
    const stuck: Shape = (stationId, ts) => (stationId === 'DOWN-1' && ts >= T0 + 6 * HOUR ? { do: 7.31, cond: 433 } : undefined);
    const events = feed(build(clock), clock, readings(24, stuck)).filter((e) => e.sectionId === 'down');
    expect(
      events
        .filter((e) => e.type === 'raise')
        .map((e) => e.key)
        .sort(),
    ).toEqual(['dq-flat:DOWN-1:cond', 'dq-flat:DOWN-1:do']);
    const raise = events.find((e) => e.key === 'dq-flat:DOWN-1:do')!;
    expect(raise).toMatchObject({ kind: 'data-quality', level: undefined, stationId: 'DOWN-1' });
    expect(raise.ts).toBe(T0 + 12 * HOUR); // 6 h after the value froze (DO's built-in minimum duration)
    expect(events.filter((e) => isPollutionKind(e.kind))).toEqual([]);
  });

  it('fault-flagged values far above the limit raise a flag alert only; N values resume the checks', () => {
    const clock = new ManualClock(T0);
    const analyzers = build(clock);
    const rnd = noise(3);
    const input: Reading[] = [];
    for (let ts = T0; ts < T0 + 4 * HOUR; ts += 5 * MIN) {
      const faulty = ts >= T0 + HOUR && ts < T0 + 2 * HOUR;
      input.push(calmReading('BND-1', 'bnd', ts, rnd, faulty ? { nh3n: 5.0 } : {}, faulty ? { nh3n: 'D' } : {}));
    }
    const events = feed(analyzers, clock, input).filter((e) => !e.key.startsWith('dq-offline'));
    expect(events.map((e) => [e.type, e.key, e.kind])).toEqual([
      ['raise', 'dq-flag:BND-1', 'data-quality'],
      ['clear', 'dq-flag:BND-1', 'data-quality'],
    ]);
    expect(events[0]?.evidence.flags).toEqual({ nh3n: 'D' });
  });

  it('isolated implausible spikes never become pollution; recurring ones raise a data-quality alert', () => {
    const clock = new ManualClock(T0);
    const times = [5, 7, 9].map((h) => T0 + h * HOUR);
    const spike: Shape = (stationId, ts) => (stationId === 'UP-1' && times.includes(ts) ? { nh3n: 2.6 } : undefined);
    const one: Shape = (stationId, ts) => (stationId === 'UP-1' && ts === times[0] ? { nh3n: 2.6 } : undefined);
    expect(feed(build(clock), clock, readings(12, one)).filter((e) => e.sectionId === 'up')).toEqual([]);
    const clock2 = new ManualClock(T0);
    const events = feed(build(clock2), clock2, readings(12, spike)).filter((e) => e.sectionId === 'up');
    expect(events.map((e) => [e.type, e.key, e.ts])).toEqual([['raise', 'dq-spike:UP-1:nh3n', times[2]! + 5 * MIN]]);
  });

  it('offline from a clock tick, once, and no storm after a restart', () => {
    const clock = new ManualClock(T0);
    const analyzers = build(clock);
    const bnd = analyzers.get('bnd')!;
    const rnd = noise(4);
    bnd.process([calmReading('BND-1', 'bnd', T0, rnd), calmReading('BND-2', 'bnd', T0, rnd)]);
    expect(bnd.tick(T0 + 25 * MIN)).toEqual([]);
    const raised = bnd.tick(T0 + 26 * MIN);
    expect(raised.map((e) => e.key).sort()).toEqual(['dq-offline:BND-1', 'dq-offline:BND-2']);
    expect(bnd.tick(T0 + HOUR)).toEqual([]);
    // The analytics process restarts 3 h later: the open alerts stay open, nothing new is raised.
    clock.set(T0 + 3 * HOUR);
    const restarted = build(clock, undefined, new Map([['bnd', JSON.parse(JSON.stringify(bnd.snapshot())) as unknown]])).get(
      'bnd',
    )!;
    expect(restarted.tick(T0 + 3 * HOUR + MIN)).toEqual([]);
    expect(
      restarted
        .openAlerts()
        .map((e) => e.key)
        .sort(),
    ).toEqual(['dq-offline:BND-1', 'dq-offline:BND-2']);
    expect(restarted.process(calmReading('BND-1', 'bnd', T0 + 3 * HOUR, rnd)).map((e) => [e.type, e.key])).toEqual([
      ['clear', 'dq-offline:BND-1'],
    ]);
    // And a station that was fine before the restart is not reported during the restart's grace.
    const other = build(
      clock,
      undefined,
      new Map([['up', JSON.parse(JSON.stringify(analyzers.get('up')!.snapshot())) as unknown]]),
    ).get('up')!;
    expect(other.tick(T0 + 3 * HOUR + 20 * MIN)).toEqual([]);
  });
});

describe('section analyzer: sudden change (through the stand-in)', () => {
  it('a lasting level shift of a parameter without a limit raises once, then re-baselines and clears', () => {
    const clock = new ManualClock(T0);
    const shift: Shape = (stationId, ts, rnd) =>
      stationId === 'UP-1' && ts >= T0 + 4 * HOUR ? { cond: 700 + 6 * rnd() } : undefined;
    const events = feed(build(clock), clock, readings(16, shift)).filter((e) => e.key === 'sudden-change:up:UP-1');
    expect(events.map((e) => [e.type, e.level, e.parameters])).toEqual([
      ['raise', 'yellow', ['cond']],
      ['clear', undefined, []],
    ]);
    expect(events[0]?.ts).toBe(T0 + 4 * HOUR + 5 * MIN);
  });

  it('a sudden 劣V change at a boundary section is red (sudden-pollution pattern)', () => {
    const clock = new ManualClock(T0);
    const hit: Shape = (stationId, ts, rnd) =>
      stationId === 'BND-1' && ts >= T0 + 4 * HOUR && ts < T0 + 5 * HOUR
        ? { nh3n: 2.6 + 0.1 * rnd(), cond: 900 + 10 * rnd() }
        : undefined;
    const events = feed(build(clock), clock, readings(8, hit)).filter((e) => e.sectionId === 'bnd' && e.type === 'raise');
    expect(events.find((e) => e.key === 'sudden-change:bnd:BND-1')).toMatchObject({ level: 'red', parameters: ['cond', 'nh3n'] });
    expect(events.find((e) => e.key === 'exceedance:bnd:nh3n')).toMatchObject({ level: 'red' });
  });

  it('the same change at an ordinary section is orange (several parameters together; 劣V)', () => {
    const clock = new ManualClock(T0);
    const hit: Shape = (stationId, ts, rnd) =>
      stationId === 'UP-1' && ts >= T0 + 4 * HOUR && ts < T0 + 5 * HOUR
        ? { nh3n: 2.6 + 0.1 * rnd(), cond: 900 + 10 * rnd() }
        : undefined;
    const events = feed(build(clock), clock, readings(8, hit)).filter((e) => e.sectionId === 'up' && e.type === 'raise');
    expect(events.find((e) => e.key === 'sudden-change:up:UP-1')).toMatchObject({ level: 'orange' });
    expect(events.find((e) => e.key === 'exceedance:up:nh3n')).toMatchObject({ level: 'orange' });
  });
});

describe('section analyzer: 4-h analyzer results repeated by the logger', () => {
  // The logger repeats the last CODMn/NH3-N/TP/TN result in every 5-min record; a new result every 4 h moves by up to ±8 %.
  const repeated: Shape = (stationId, ts) => {
    if (stationId !== 'UP-1') return undefined;
    const r = noise(1000 + Math.floor((ts - T0) / (4 * HOUR)));
    return {
      codmn: 3.2 * (1 + 0.08 * r()),
      nh3n: 0.35 * (1 + 0.08 * r()),
      tp: 0.08 * (1 + 0.08 * r()),
      tn: 1.2 * (1 + 0.08 * r()),
    };
  };
  const sudden = (options?: AnalyticsOptionsInput) => {
    const clock = new ManualClock(T0);
    return feed(build(clock, options), clock, readings(72, repeated)).filter(
      (e) => e.key === 'sudden-change:up:UP-1' && e.type === 'raise',
    );
  };

  it('are not new measurements for the sudden-change detector: no event at every 4-h step', () => {
    expect(sudden()).toEqual([]);
  });

  it('(without that rule the steps look like several parameters jumping together)', () => {
    expect(sudden({ suddenChange: { repeatedValuesAreStale: [] } }).length).toBeGreaterThan(0);
  });
});

describe('section analyzer: options per section and parameter', () => {
  it('a section override changes the target behaviour there only', () => {
    const clock = new ManualClock(T0);
    const options: AnalyticsOptionsInput = {
      sections: { up: { parameters: { nh3n: { threshold: { raiseCount: 4, raiseWindow: 4 } } } } },
    };
    const events = feed(build(clock, options), clock, readings(30, spill));
    const up = events.find((e) => e.key === 'exceedance:up:nh3n');
    expect(up?.ts).toBe(SPILL_START + 15 * MIN); // four samples needed there
    const bnd = events.find((e) => e.key === 'exceedance:bnd:nh3n');
    expect(bnd?.ts).toBeLessThanOrEqual(PLUME_START + 5 * MIN);
  });

  it('reports the section class from the latest evidence (single factor, worst station)', () => {
    const clock = new ManualClock(T0);
    const analyzers = build(clock);
    feed(
      analyzers,
      clock,
      readings(30, spill).filter((r) => r.ts <= PLUME_START + 30 * MIN),
    );
    const cls = analyzers.get('bnd')!.currentClass();
    expect(cls.cls).toBe(4);
    expect(cls.deciding).toEqual(['nh3n']);
  });
});

// Issue 13 §4: an isolated NH3-N reading on a 4-hourly analyser (the readings before and after normal, nothing else
// moving) is suspect, not proof: blue and unconfirmed, no pre-warning, until a re-measurement settles it.
describe('section analyzer: confirm before escalating', () => {
  const SPIKE_AT = T0 + 24 * HOUR;
  /** UP-1 alone: core parameters every 5 min, NH3-N every 4 h (and once at `remeasureAt` with `remeasured`). */
  function upstreamOnly(remeasureAt: number | undefined, remeasured: number, hours = 30): Reading[] {
    const rnd = noise(7);
    const out: Reading[] = [];
    for (let ts = T0; ts < T0 + hours * HOUR; ts += 5 * MIN) {
      const r = calmReading('UP-1', 'up', ts, rnd);
      const values: Record<string, number> = { ...r.values };
      const analyser = (ts - T0) % (4 * HOUR) === 0;
      for (const k of ['codmn', 'nh3n', 'tp', 'tn']) if (!analyser) delete values[k];
      if (ts === SPIKE_AT) values.nh3n = 4.8;
      if (remeasureAt !== undefined && ts === remeasureAt) values.nh3n = remeasured;
      out.push(reading('UP-1', 'up', ts, values));
    }
    return out;
  }
  const run = (remeasureAt: number | undefined, remeasured: number, hours?: number) => {
    const clock = new ManualClock(T0);
    return byKey(feed(build(clock), clock, upstreamOnly(remeasureAt, remeasured, hours)));
  };

  it('a lone 4.8 mg/L is raised blue, marked unconfirmed and asks for a re-measurement; nothing downstream', () => {
    const events = run(undefined, 0, 25);
    const raised = events['exceedance:up:nh3n'] ?? [];
    expect(raised.map((e) => [e.type, e.level])).toEqual([['raise', 'blue']]);
    expect(raised[0]?.evidence).toMatchObject({
      unconfirmed: true,
      suspect: { ts: SPIKE_AT, value: 4.8, level: 'red' },
      verify: { stationId: 'UP-1', parameter: 'nh3n' },
    });
    expect(Object.keys(events).filter((k) => k.startsWith('upstream-arrival'))).toEqual([]);
  });

  it('a normal re-measurement refutes it: the alert clears at once, no pre-warning, never above blue', () => {
    const events = run(SPIKE_AT + HOUR, 0.36);
    expect((events['exceedance:up:nh3n'] ?? []).map((e) => [e.type, e.level])).toEqual([
      ['raise', 'blue'],
      ['clear', undefined],
    ]);
    expect(Object.keys(events).filter((k) => k.startsWith('upstream-arrival'))).toEqual([]);
  });

  it('a re-measurement past the target confirms it: red, and the sections below are pre-warned', () => {
    const events = run(SPIKE_AT + HOUR, 4.5);
    expect((events['exceedance:up:nh3n'] ?? []).map((e) => e.level)).toEqual(['blue', 'red']);
    expect(events['exceedance:up:nh3n']?.[1]?.evidence.unconfirmed).toBeUndefined();
    expect(events['upstream-arrival:bnd:up']?.[0]).toMatchObject({ type: 'raise', evidence: { originLevel: 'red' } });
  });

  it('no re-measurement within the deadline: treated as confirmed on the clock', () => {
    const events = run(undefined, 0, 27);
    expect((events['exceedance:up:nh3n'] ?? []).map((e) => e.level)).toEqual(['blue', 'red']);
    expect(events['exceedance:up:nh3n']?.[1]?.ts).toBeGreaterThanOrEqual(SPIKE_AT + 2 * HOUR);
    expect(events['upstream-arrival:bnd:up']?.[0]?.type).toBe('raise');
  });
});

// Issue 13 §3: one of two stations at a section drifts (+0.4 pH a day) while the other holds: a data-quality
// alert for the sensor; no trend, no early warning and no exceedance on pH; back in line, the alert clears.
describe('section analyzer: a sensor drifting against the section\'s other station', () => {
  const DRIFT_FROM = T0 + 30 * HOUR;
  const DRIFT_TO = DRIFT_FROM + 48 * HOUR;
  const drift: Shape = (stationId, ts) => {
    if (stationId !== 'BND-2' || ts < DRIFT_FROM || ts >= DRIFT_TO) return undefined;
    return { ph: Number((7.6 + ((ts - DRIFT_FROM) / (24 * HOUR)) * 0.4).toFixed(2)) };
  };
  const clock = new ManualClock(T0);
  // The real sudden-change detector (its gap rule matters here: the drifting pH is withheld from it while the
  // drift alert is open, and refilled afterwards), not the stand-in.
  const registry = testRegistry();
  const analyzers: Analyzers = new Map();
  for (const id of SECTIONS) analyzers.set(id, new SectionAnalyzer({ registry, sectionId: id, clock, upstreamView: (sid) => analyzers.get(sid)?.view() }));
  const events = byKey(feed(analyzers, clock, readings(96, drift)));

  it('raises dq-drift for BND-2 pH, clears it once back in line, and no pollution alert on pH at the section', () => {
    expect((events['dq-drift:BND-2:ph'] ?? []).map((e) => e.type)).toEqual(['raise', 'clear']);
    const raised = events['dq-drift:BND-2:ph']?.[0];
    expect(raised?.ts).toBeGreaterThan(DRIFT_FROM);
    expect(raised?.ts).toBeLessThan(DRIFT_TO);
    const phPollution = Object.entries(events).filter(
      ([key, evs]) => !key.startsWith('dq-') && evs.some((e) => e.type === 'raise' && e.parameters.includes('ph')),
    );
    expect(phPollution.map(([k, evs]) => `${k} ${evs.map((e) => new Date(e.ts).toISOString() + ' ' + e.type + ' ' + e.level + ' ' + e.parameters.join('+')).join('; ')}`)).toEqual([]);
  });
});
