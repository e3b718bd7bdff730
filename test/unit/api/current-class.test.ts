import { describe, expect, it } from 'vitest';
import type { Section } from '../../../domain/index.js';
import { sectionCurrentClass, stationClass } from '../../../api/queries/current-class.js';
import { classAttainment } from '../../../api/queries/class-attainment.js';
import type { StationLatest } from '../../../api/queries/readings-queries.js';

const section = (targetClass: 1 | 2 | 3 | 4 | 5, waterBody: 'river' | 'lake' = 'river'): Section => ({
  id: 's',
  name: { zh: '断面', en: 'Section' },
  riverId: 'r',
  positionKm: 0,
  lat: 0,
  lon: 0,
  targetClass,
  waterBody,
  upstreamAgencyId: 'a',
  downstreamAgencyId: 'a',
  boundary: false,
  drinkingWater: false,
  downstream: undefined,
});

const latest = (ts: number, values: Record<string, number>, flags: StationLatest['flags'] = {}): StationLatest => ({
  stationId: 'X',
  ts,
  values,
  flags,
});

describe('stationClass', () => {
  it.each([
    // [values, flags, target, class, deciding]
    [{ nh3n: 1.2, tp: 0.15, do: 6.5 }, {}, 3, 4, ['nh3n']],
    [{ nh3n: 0.3, do: 1.0 }, { do: 'D' }, 3, 2, ['nh3n']],
    // T (above range) still counts as evidence: "at least this high".
    [{ nh3n: 0.3, codmn: 16 }, { codmn: 'T' }, 3, 6, ['codmn']],
    [{ ph: 9.4, nh3n: 0.1 }, {}, 2, 6, ['ph']],
    [{ temp: 18, cond: 300 }, {}, 3, undefined, []],
  ] as const)('%j flags %j, target %s → class %s', (values, flags, target, cls, deciding) => {
    const result = stationClass(latest(0, values, flags), section(target));
    expect(result.cls).toBe(cls);
    expect(result.deciding).toEqual(deciding);
  });

  it('marks values that miss the target limit, in the limit’s direction; flagged values never exceed', () => {
    const r = stationClass(latest(0, { do: 4.5, codmn: 5.9, ph: 5.5, nh3n: 3, tn: 9 }, { nh3n: 'M' }), section(3));
    expect(r.parameters.do).toMatchObject({ exceedsTarget: true, limit: { kind: 'lower', value: 5 } });
    expect(r.parameters.codmn).toMatchObject({ exceedsTarget: false, limit: { kind: 'upper', value: 6 } });
    expect(r.parameters.ph).toMatchObject({ exceedsTarget: true, limit: { kind: 'range', min: 6, max: 9 } });
    expect(r.parameters.nh3n).toMatchObject({ flag: 'M', exceedsTarget: false });
    // TN is not part of a river's class (GB 3838 Table 1 item 9): shown, never an exceedance there.
    expect(r.parameters.tn).toMatchObject({ exceedsTarget: false, cls: undefined });
    expect(stationClass(latest(0, { tn: 9 }), section(3, 'lake')).parameters.tn?.exceedsTarget).toBe(true);
  });
});

describe('sectionCurrentClass', () => {
  const now = 10 * 3_600_000;
  const fresh = 2 * 3_600_000;
  const s = section(3);
  const analytics = (ts: number, cls: 1 | 2 | 3 | 4 | 5 | 6) => ({ ts, cls, deciding: ['tp'] });

  it('takes analytics’ class when it is fresh, even if readings say otherwise', () => {
    const c = sectionCurrentClass(s, analytics(now - 30 * 60_000, 3), [latest(now - 60_000, { nh3n: 1.9 })], now, fresh);
    expect(c).toMatchObject({ cls: 3, source: 'analytics', meetsTarget: true });
  });

  it('falls back to the worst of the stations’ fresh readings when analytics is stale or absent', () => {
    const readings = [
      latest(now - 60_000, { nh3n: 0.4 }),
      latest(now - 120_000, { nh3n: 1.9 }),
      latest(now - 5 * 3_600_000, { nh3n: 5 }),
    ];
    const c = sectionCurrentClass(s, analytics(now - 5 * 3_600_000, 2), readings, now, fresh);
    // Ammonia 1.9 is class V; the 5-hour-old 劣V reading of a silent station does not decide the present.
    expect(c).toMatchObject({ cls: 5, source: 'latest-readings', meetsTarget: false, deciding: ['nh3n'], at: now - 120_000 });
    expect(sectionCurrentClass(s, undefined, readings.slice(2), now, fresh)).toMatchObject({ cls: 6, at: now - 5 * 3_600_000 });
  });

  it('merges the deciding parameters of stations at the same class', () => {
    const c = sectionCurrentClass(
      s,
      undefined,
      [latest(now - 60_000, { nh3n: 1.2 }), latest(now - 30_000, { codmn: 8 })],
      now,
      fresh,
    );
    expect(c?.cls).toBe(4);
    expect([...(c?.deciding ?? [])].sort()).toEqual(['codmn', 'nh3n']);
    expect(c?.at).toBe(now - 30_000);
  });

  it('when both are stale, the newer one; when nothing, undefined', () => {
    expect(
      sectionCurrentClass(s, analytics(now - 4 * 3_600_000, 2), [latest(now - 6 * 3_600_000, { nh3n: 1.2 })], now, fresh),
    ).toMatchObject({ source: 'analytics', cls: 2 });
    expect(
      sectionCurrentClass(s, analytics(now - 6 * 3_600_000, 2), [latest(now - 4 * 3_600_000, { nh3n: 1.2 })], now, fresh),
    ).toMatchObject({ source: 'latest-readings', cls: 4 });
    expect(sectionCurrentClass(s, undefined, [], now, fresh)).toBeUndefined();
    expect(sectionCurrentClass(s, undefined, [latest(now, { temp: 20 })], now, fresh)).toBeUndefined();
  });
});

describe('classAttainment', () => {
  const H = 3_600_000;
  it('counts hours by class against the target over the period', () => {
    const points = [3, 3, 4, 2, 6, 3].map((cls, i) => ({ ts: i * H, cls: cls as 2 | 3 | 4 | 6, deciding: [] }));
    const a = classAttainment(points, 3, { fromMs: 0, toMs: 12 * H });
    expect(a).toMatchObject({
      evaluated: 6,
      periodHours: 12,
      coverage: 0.5,
      meetingTarget: 4,
      byClass: { 1: 0, 2: 1, 3: 3, 4: 1, 5: 0, 6: 1 },
    });
    expect(a.attainmentRate).toBeCloseTo(4 / 6, 12);
    expect(a.worst).toEqual({ cls: 6, ts: 4 * H });
  });
  it('has no rate when nothing was evaluated', () => {
    expect(classAttainment([], 3, { fromMs: 0, toMs: H }).attainmentRate).toBeUndefined();
  });
});
