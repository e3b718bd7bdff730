/**
 * Issue 13 §3: rain gives at most a blue runoff notice, not a pollution
 * alert. While a section is in a rain-runoff period (a runoff notice at one
 * of its stations), a value in the early-warning band is covered by that
 * notice; NH3-N (the effluent marker) and values past the target are judged
 * as always. The threshold detector with the flag, then the section analyzer.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, SectionAnalyzer, ThresholdDetector } from '../../../analytics/index.js';
import { ManualClock, type AlertEvent, type Reading } from '../../../domain/index.js';
import { HOUR, MIN, T0, calmReading, noise, standInFactory, testRegistry } from './fixtures.js';

describe('threshold: the runoff flag', () => {
  // TP, class III river limit 0.2: the band starts at 0.16; usual 0.08.
  const levels = (values: number[], runoff: boolean, key = 'tp', usual = 0.08) => {
    const det = new ThresholdDetector({ key, targetClass: 3, waterBody: 'river' }, DEFAULT_OPTIONS.threshold);
    return values.map((value, i) => {
      det.update({ ts: T0 + i * 5 * MIN, value, flag: 'N', intervalMs: 5 * MIN, usual, ...(runoff ? { runoff } : {}) });
      return det.level;
    });
  };

  it.each([
    ['band values without runoff: blue', [0.18, 0.18, 0.18], false, [0, 1, 1]],
    ['band values in a runoff period: covered by the runoff notice', [0.18, 0.18, 0.18], true, [0, 0, 0]],
    ['past the target in a runoff period: raised as always', [0.25, 0.25], true, [0, 2]],
  ] as const)('%s', (_name, values, runoff, expected) => {
    expect(levels([...values], runoff)).toEqual(expected);
  });

  it('an open blue is released once a runoff period begins (after the clear count)', () => {
    const det = new ThresholdDetector({ key: 'tp', targetClass: 3, waterBody: 'river' }, DEFAULT_OPTIONS.threshold);
    const out: number[] = [];
    [false, false, true, true, true].forEach((runoff, i) => {
      det.update({ ts: T0 + i * 5 * MIN, value: 0.18, flag: 'N', intervalMs: 5 * MIN, usual: 0.08, runoff });
      out.push(det.level);
    });
    expect(out).toEqual([0, 1, 1, 1, 0]);
  });
});

describe('section analyzer: band values during rain runoff (issue 13 §3)', () => {
  const STATIONS: [string, string][] = [
    ['UP-1', 'up'],
    ['BND-1', 'bnd'],
    ['BND-2', 'bnd'],
    ['DOWN-1', 'down'],
  ];
  const RAIN = T0 + 24 * HOUR;

  /**
   * 30 h of 5-minute readings; from RAIN for 6 h BND-1 reads `during`, and from 30 min after RAIN also `later`
   * (a nutrient analyser's result comes after the five parameters have moved).
   */
  function run(during: Partial<Record<string, number>>, later: Partial<Record<string, number>> = {}): AlertEvent[] {
    const clock = new ManualClock(T0);
    const registry = testRegistry();
    const map = new Map<string, SectionAnalyzer>();
    for (const id of ['up', 'bnd', 'down'])
      map.set(
        id,
        new SectionAnalyzer({
          registry,
          sectionId: id,
          clock,
          suddenChange: standInFactory,
          upstreamView: (s: string) => map.get(s)?.view(),
        }),
      );
    const rnd = noise(7);
    const events: AlertEvent[] = [];
    for (let ts = T0; ts < T0 + 30 * HOUR; ts += 5 * MIN) {
      clock.set(ts);
      for (const a of map.values()) events.push(...a.tick(ts));
      for (const [stationId, sectionId] of STATIONS) {
        const raining = stationId === 'BND-1' && ts >= RAIN && ts < RAIN + 6 * HOUR;
        const over = raining ? { ...during, ...(ts >= RAIN + 30 * MIN ? later : {}) } : {};
        const r: Reading = calmReading(stationId, sectionId, ts, rnd, over);
        events.push(...(map.get(sectionId)?.process(r) ?? []));
      }
    }
    return events;
  }
  const raised = (events: AlertEvent[], kind: string, parameter?: string) =>
    events.filter((e) => e.type === 'raise' && e.kind === kind && (parameter === undefined || e.parameters.includes(parameter)));

  it('turbidity washed in, conductivity diluted, TP in the band: a runoff notice and no TP early warning', () => {
    const events = run({ turb: 60, cond: 380 }, { tp: 0.18 });
    expect(raised(events, 'runoff').length).toBeGreaterThan(0);
    expect(raised(events, 'early-warning', 'tp')).toEqual([]);
    expect(raised(events, 'sudden-change')).toEqual([]);
  });

  it('the same TP without the runoff pattern: a blue early warning', () => {
    const events = run({}, { tp: 0.18 });
    expect(raised(events, 'runoff')).toEqual([]);
    expect(raised(events, 'early-warning', 'tp')).toHaveLength(1);
  });

  it('NH3-N in the band during runoff still warns (it is the effluent marker, not carried by rain)', () => {
    // NH3-N, class III limit 1.0: band from 0.8.
    const events = run({ turb: 60, cond: 380 }, { nh3n: 0.85 });
    expect(raised(events, 'runoff').length).toBeGreaterThan(0);
    expect(raised(events, 'early-warning', 'nh3n')).toHaveLength(1);
  });
});
