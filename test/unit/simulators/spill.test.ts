import { describe, expect, it } from 'vitest';
import { classOfValue } from '../../../domain/index.js';
import {
  groundTruthLabels,
  plumePeakMgL,
  plumeWindow,
  routeSpill,
  DEFAULT_HYDRAULICS,
  type SpillEvent,
} from '../../../simulators/model/index.js';
import { compile, HOUR, runEngine, sampleRegistry, shippedScenario, stationsOf, tsOf } from './fixtures.js';

const DOWNSTREAM = ['tp-fenhu', 'tp-jiashan', 'tp-jinze', 'tp-liantang'];

describe('spill routing (domain-facts §6)', () => {
  it('travel times add up reach by reach like the registry chain, and peaks fall as t^-1/2', () => {
    const registry = sampleRegistry();
    const fenhu = registry.section('tp-fenhu');
    const route = routeSpill(registry, 'taipu', (fenhu?.positionKm ?? 0) - 5, () => DEFAULT_HYDRAULICS);
    if (!route.ok) throw new Error(route.problem);
    expect(route.reaches.map((r) => r.sectionId)).toEqual(DOWNSTREAM);
    const first = route.reaches[0];
    if (!first) throw new Error('no reach');
    expect(first.travelS).toBeCloseTo(5000 / 0.4, 6);
    const chain = registry.downstreamChain('tp-fenhu');
    for (const [i, link] of chain.entries()) expect(route.reaches[i + 1]?.travelS).toBeCloseTo(first.travelS + link.travelS, 6);
    // Worked example of domain-facts §6: σ_t = √(2·D·L/U³).
    expect(first.sigmaS).toBeCloseTo(Math.sqrt((2 * 50 * 5000) / 0.4 ** 3), 6);
    // Instantaneous slug, constant U and A: C_max·√t_p is the same at every section.
    const slug = { startMs: 0, durationMs: 0, massKg: 1000, decayPerDay: 0 };
    const invariants = route.reaches.map((r) => plumePeakMgL(slug, r) * Math.sqrt(r.travelS));
    for (const v of invariants) expect(v / (invariants[0] as number)).toBeCloseTo(1, 3);
  });

  it('a spill below the last section of a river goes nowhere and is refused', () => {
    const registry = sampleRegistry();
    expect(routeSpill(registry, 'taipu', 500, () => DEFAULT_HYDRAULICS).ok).toBe(false);
    expect(routeSpill(registry, 'no-such-river', 1, () => DEFAULT_HYDRAULICS).ok).toBe(false);
  });
});

describe('the shipped Taipu spill', () => {
  const registry = sampleRegistry();
  const stations = stationsOf(registry, ['TP-PW-01', 'TP-FH-JS', 'TP-FH-ZJ', 'TP-JS-01', 'TP-JZ-IN', 'TP-LT-01']);
  const fromMs = Date.parse('2026-11-01T00:00:00+08:00');
  const toMs = fromMs + 48 * HOUR;
  const seed = 7;
  const events = compile(shippedScenario('taipu-spill'), registry, stations, seed, fromMs, toMs);
  const spill = events.spills[0] as SpillEvent;
  const out = runEngine({ registry, stations, seed, fromMs, toMs, events });
  const calm = runEngine({ registry, stations, seed, fromMs, toMs, events: { ...events, spills: [] } });

  /** Excess of conductivity (a fast, every-interval channel) over the same run without the spill. */
  function excess(stationId: string): { ms: number; delta: number }[] {
    const withSpill = out.byStation.get(stationId) ?? [];
    const without = calm.byStation.get(stationId) ?? [];
    return withSpill.map((r, i) => ({ ms: tsOf(r), delta: (r.values.cond as number) - (without[i]?.values.cond as number) }));
  }

  it('arrives at each downstream station within its computed window, peaking near t_p', () => {
    for (const reach of spill.reaches) {
      const window = plumeWindow(spill, reach);
      for (const station of stations.filter((s) => s.sectionId === reach.sectionId)) {
        const series = excess(station.id);
        const peak = series.reduce((a, b) => (b.delta > a.delta ? b : a));
        expect(peak.ms).toBeGreaterThanOrEqual(window.startMs);
        expect(peak.ms).toBeLessThanOrEqual(window.endMs);
        expect(Math.abs(peak.ms - window.peakMs)).toBeLessThan(reach.sigmaS * 1000);
        // Nothing before the leading edge: the first clear rise (> 10 µS/cm, 5 σ of noise) is inside the window.
        const first = series.find((p) => p.delta > 10);
        expect(first?.ms).toBeGreaterThanOrEqual(window.startMs);
      }
    }
  });

  it('attenuates downstream: each station sees a lower peak than the one above it', () => {
    const peaks = ['TP-FH-JS', 'TP-JS-01', 'TP-JZ-IN', 'TP-LT-01'].map((id) => Math.max(...excess(id).map((p) => p.delta)));
    for (let i = 1; i < peaks.length; i++) expect(peaks[i]).toBeLessThan(peaks[i - 1] as number);
    expect(peaks[0]).toBeGreaterThan(60);
  });

  it('leaves the station upstream of the release untouched', () => {
    expect(Math.max(...excess('TP-PW-01').map((p) => Math.abs(p.delta)))).toBe(0);
  });

  it('takes tp-fenhu and tp-jiashan past their class III target on NH3-N', () => {
    for (const stationId of ['TP-FH-JS', 'TP-JS-01']) {
      const worst = Math.max(
        ...(out.byStation.get(stationId) ?? []).flatMap((r) => (r.values.nh3n === undefined ? [] : [r.values.nh3n])),
      );
      expect({ stationId, cls: (classOfValue('nh3n', worst, 'river') ?? 0) > 3 }).toEqual({ stationId, cls: true });
    }
  });

  it('labels every downstream station with a window, its peak and whether it exceeds the target', () => {
    const labels = groundTruthLabels({ registry, stations, events, seed, fromMs, toMs, tzOffsetMinutes: 480 });
    const nh3n = labels.filter((l) => l.kind === 'spill' && l.parameter === 'nh3n');
    expect(nh3n.map((l) => l.stationId).sort()).toEqual(['TP-FH-JS', 'TP-FH-ZJ', 'TP-JS-01', 'TP-JZ-IN', 'TP-LT-01']);
    for (const l of nh3n) {
      expect(l.category).toBe('pollution');
      expect(l.exceedsTarget).toBe(true);
      expect(l.peakMs).toBeGreaterThan(l.startMs);
      expect(l.peakMs).toBeLessThan(l.endMs as number);
    }
    const fenhu = nh3n.find((l) => l.stationId === 'TP-FH-JS');
    const jiashan = nh3n.find((l) => l.stationId === 'TP-JS-01');
    expect(fenhu?.peakDelta).toBeGreaterThan(jiashan?.peakDelta ?? Infinity);
    expect(labels.some((l) => l.stationId === 'TP-PW-01')).toBe(false);
  });
});
