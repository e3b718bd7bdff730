import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, UpstreamArrivalTracker, arrivalWindow, attribute, predictArrivals } from '../../../analytics/index.js';
import type { AlertEvent } from '../../../domain/index.js';
import { HOUR, T0, testRegistry } from './fixtures.js';

const o = DEFAULT_OPTIONS.upstream;
const h = (s: number) => s / 3600;

describe('travel-time window (domain-facts §6 worked example: L = 30 km, U = 0.5 m/s, D_L = 50 m²/s)', () => {
  const w = arrivalWindow(30, 30_000 / 0.5, o);
  it.each([
    ['peak travel time t_p ≈ 16.7 h', w.peakS, 16.7],
    ['leading edge ≈ 0.89 × t_p ≈ 14.8 h', w.leadingEdgeS, 14.8],
    ['spread σ_t ≈ 1.36 h', w.sigmaS, 1.36],
    ['window opens ≈ 13.9 h (t_p − 2σ_t, earlier than the leading edge)', w.fromS, 13.9],
    ['window closes ≈ 19.4 h (t_p + 2σ_t)', w.toS, 19.4],
  ])('%s', (_name, seconds, hours) => {
    expect(h(seconds)).toBeCloseTo(hours, 1);
  });

  it('a fractional spread instead of dispersion: σ_t = 10 % of t_p', () => {
    const f = arrivalWindow(30, 60_000, { ...o, spreadMode: 'fraction', spreadFraction: 0.1 });
    expect(h(f.sigmaS)).toBeCloseTo(1.667, 3);
    expect(h(f.fromS)).toBeCloseTo(60_000 / 3600 - (2 * 6000) / 3600, 9); // t_p − 2σ_t = 13.33 h, before the leading edge 14.8 h
    expect(h(f.toS)).toBeCloseTo(20, 3);
  });

  it('sums travel over consecutive reaches and stops at maxTravelMs', () => {
    const arrivals = predictArrivals(testRegistry(), 'up', o);
    expect(arrivals.map((a) => a.section.id)).toEqual(['bnd', 'down']);
    expect(arrivals[1]?.distanceKm).toBe(50);
    expect(h(arrivals[1]?.peakS as number)).toBeCloseTo(50_000 / 0.5 / 3600, 9);
    expect(predictArrivals(testRegistry(), 'up', { ...o, maxTravelMs: 20 * HOUR }).map((a) => a.section.id)).toEqual(['bnd']);
  });
});

describe('attribution to a reach', () => {
  const registry = testRegistry();
  const bnd = registry.section('bnd')!;
  const limit = { kind: 'upper', value: 1.0 } as const;
  it.each([
    ['markedly worse than upstream → the reach, upstream-side jurisdiction', 1.5, 0.9, 'reach'],
    ['about as bad as upstream → it came from upstream', 1.5, 1.3, 'upstream'],
    ['30 % worse but by less than 10 % of the limit → not marked', 0.13, 0.09, 'upstream'],
    ['no upstream data → unknown', 1.5, undefined, 'unknown'],
  ] as const)('%s', (_name, down, up, verdict) => {
    const a = attribute(registry, bnd, down, [{ sectionId: 'up', value: up }], limit, o);
    expect(a?.verdict).toBe(verdict);
    if (verdict === 'reach') expect(a?.reach).toEqual({ fromSectionIds: ['up'], toSectionId: 'bnd', agencyId: 'county-a' });
  });

  it('DO: markedly lower than upstream counts as worse', () => {
    expect(attribute(registry, bnd, 3.0, [{ sectionId: 'up', value: 6.5 }], { kind: 'lower', value: 5 }, o)?.verdict).toBe(
      'reach',
    );
  });
});

describe('upstream-arrival pre-warnings', () => {
  const registry = testRegistry();
  const raise = (ts: number, level: AlertEvent['level'], kind: AlertEvent['kind'] = 'exceedance'): AlertEvent => ({
    type: 'raise',
    key: 'exceedance:up:nh3n',
    kind,
    level,
    sectionId: 'up',
    stationId: 'UP-1',
    parameters: ['nh3n'],
    ts,
    message: '',
    evidence: { values: { nh3n: 2.6 } },
  });

  it('a yellow upstream alert pre-warns each downstream section with its window; clears once the tail has passed', () => {
    const t = new UpstreamArrivalTracker(registry, registry.section('up')!, o);
    const onset = T0;
    const raised = t.onOriginEvent(raise(T0 + 10 * 60_000, 'orange'), onset);
    expect(raised.map((e) => e.key)).toEqual(['upstream-arrival:bnd:up', 'upstream-arrival:down:up']);
    const bnd = raised[0]!;
    const w = arrivalWindow(30, 60_000, o);
    expect(bnd).toMatchObject({ type: 'raise', kind: 'upstream-arrival', level: 'blue', sectionId: 'bnd', parameters: ['nh3n'] });
    // The origin alert's level travels with the pre-warning: it decides whether a joint task opens (issue 13 §8).
    expect(bnd.evidence.originLevel).toBe('orange');
    expect(bnd.arrival).toEqual({
      fromTs: onset + w.fromS * 1000,
      peakTs: onset + w.peakS * 1000,
      toTs: onset + w.toS * 1000,
      originSectionId: 'up',
    });

    // The same alert again (or re-raised at another level) changes no window: nothing new.
    expect(t.onOriginEvent(raise(T0 + 20 * 60_000, 'red'), onset)).toEqual([]);
    // Nothing clears while the source is active (up to sourceActiveMaxMs, 24 h).
    expect(t.advance(T0 + 20 * HOUR)).toEqual([]);

    // The source ends 2 h after onset: the tail passes t_p + 2σ_t later.
    const end = T0 + 2 * HOUR;
    const updated = t.onOriginEvent({ ...raise(end, undefined), type: 'clear' }, undefined);
    expect(updated.find((e) => e.sectionId === 'bnd')?.arrival?.toTs).toBe(end + w.toS * 1000);
    expect(t.advance(end + w.toS * 1000)).toEqual([]);
    const cleared = t.advance(end + w.toS * 1000 + 1);
    expect(cleared.map((e) => [e.type, e.key])).toEqual([['clear', 'upstream-arrival:bnd:up']]);
  });

  it('a source active longer than sourceActiveMaxMs is a standing condition: its pre-warnings end as if it had cleared (issue 13 §5)', () => {
    const t = new UpstreamArrivalTracker(registry, registry.section('up')!, o);
    expect(t.onOriginEvent(raise(T0, 'orange'), T0).length).toBeGreaterThan(0);
    const w = arrivalWindow(30, 60_000, o);
    expect(t.advance(T0 + o.sourceActiveMaxMs)).toEqual([]);
    const ended = t.advance(T0 + o.sourceActiveMaxMs + 1);
    expect(ended.find((e) => e.sectionId === 'bnd')).toMatchObject({ type: 'raise', evidence: { sourceActive: false } });
    const endTs = T0 + o.sourceActiveMaxMs + 1;
    expect(t.advance(endTs + w.toS * 1000 + 1).map((e) => [e.type, e.sectionId])).toContainEqual(['clear', 'bnd']);
    // Raised again while it stands, it does not start a new plume.
    expect(t.onOriginEvent(raise(endTs + w.toS * 1000 + 2, 'orange'), T0)).toEqual([]);
  });

  it.each([
    ['a rise from its usual level (0.35 → 1.2, limit 1.0)', { usual: 0.35, onsetValue: 1.2 }, 'yellow', true],
    ['a standing exceedance (usual 1.1, now 1.2)', { usual: 1.1, onsetValue: 1.2 }, 'yellow', false],
    ['no usual level known, yellow', {}, 'yellow', false],
    ['no usual level known, orange', {}, 'orange', true],
  ] as const)('pre-warns for %s: %s', (_name, extra, level, expected) => {
    const t = new UpstreamArrivalTracker(registry, registry.section('up')!, o);
    const e = raise(T0, level);
    const onset = (extra as { onsetValue?: number }).onsetValue ?? 1.2;
    const event = { ...e, evidence: { ...e.evidence, values: { nh3n: onset }, limit: { nh3n: 1 }, ...extra } };
    expect(t.onOriginEvent(event, T0).length > 0).toBe(expected);
  });

  it('blue upstream alerts and data-quality alerts do not pre-warn', () => {
    const t = new UpstreamArrivalTracker(registry, registry.section('up')!, o);
    expect(t.onOriginEvent(raise(T0, 'blue', 'early-warning'), T0)).toEqual([]);
    expect(t.onOriginEvent(raise(T0, 'blue'), T0)).toEqual([]);
    expect(t.onOriginEvent({ ...raise(T0, undefined, 'data-quality'), key: 'dq-offline:UP-1' }, T0)).toEqual([]);
  });
});
