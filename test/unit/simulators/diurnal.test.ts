import { describe, expect, it } from 'vitest';
import { NO_EVENTS } from '../../../simulators/model/index.js';
import { DAY, localHour, mean, runEngine, sampleRegistry, stationsOf, tsOf } from './fixtures.js';

/** Issue 7 "Done when": the diurnal DO and temperature cycles are present (photosynthesis peaks mid-afternoon). */
describe('diurnal cycles', () => {
  const cases = [
    { stationId: 'TP-FH-JS', start: '2026-07-01T00:00:00+08:00', seed: 1 },
    { stationId: 'TH-E-01', start: '2026-03-10T00:00:00+08:00', seed: 2 },
    { stationId: 'NL-BD-MH', start: '2026-10-05T00:00:00+08:00', seed: 3 },
  ];
  it.each(cases)('$stationId: afternoon DO, pH and temperature above pre-dawn ($start)', ({ stationId, start, seed }) => {
    const registry = sampleRegistry();
    const fromMs = Date.parse(start);
    const out = runEngine({
      registry,
      stations: stationsOf(registry, [stationId]),
      seed,
      fromMs,
      toMs: fromMs + 7 * DAY,
      events: NO_EVENTS,
    });
    const readings = out.byStation.get(stationId) ?? [];
    const at = (hours: number[], key: string): number[] =>
      readings.filter((r) => hours.includes(localHour(tsOf(r)))).map((r) => r.values[key] as number);
    const afternoon = [13, 14, 15, 16];
    const predawn = [3, 4, 5, 6];
    // Photosynthesis: DO swings by well over a mg/L between pre-dawn and afternoon in a productive river.
    expect(mean(at(afternoon, 'do')) - mean(at(predawn, 'do'))).toBeGreaterThan(0.6);
    expect(mean(at(afternoon, 'ph')) - mean(at(predawn, 'ph'))).toBeGreaterThan(0.1);
    expect(mean(at(afternoon, 'temp')) - mean(at(predawn, 'temp'))).toBeGreaterThan(0.4);
  });

  it('water is warmer in summer than in winter at the same section', () => {
    const registry = sampleRegistry();
    const weekMean = (start: string): number => {
      const fromMs = Date.parse(start);
      const out = runEngine({
        registry,
        stations: stationsOf(registry, ['TP-GATE-01']),
        seed: 9,
        fromMs,
        toMs: fromMs + 2 * DAY,
        events: NO_EVENTS,
      });
      return mean((out.byStation.get('TP-GATE-01') ?? []).map((r) => r.values.temp as number));
    };
    expect(weekMean('2026-07-25T00:00:00+08:00') - weekMean('2026-01-25T00:00:00+08:00')).toBeGreaterThan(15);
  });

  it('nutrients come on the 4-hour analyser cycle (0/4/8/... local), the basic five every interval', () => {
    const registry = sampleRegistry();
    const fromMs = Date.parse('2026-05-01T00:00:00+08:00');
    const out = runEngine({
      registry,
      stations: stationsOf(registry, ['TP-PW-01']),
      seed: 1,
      fromMs,
      toMs: fromMs + DAY,
      events: NO_EVENTS,
    });
    const readings = out.byStation.get('TP-PW-01') ?? [];
    expect(readings).toHaveLength(288);
    for (const r of readings) expect(Object.keys(r.values).slice(0, 5)).toEqual(['temp', 'ph', 'do', 'cond', 'turb']);
    const withNutrients = readings.filter((r) => r.values.nh3n !== undefined);
    expect(withNutrients.map((r) => localHour(tsOf(r)))).toEqual([0, 4, 8, 12, 16, 20]);
    for (const r of withNutrients)
      expect(Object.keys(r.values)).toEqual(['temp', 'ph', 'do', 'cond', 'turb', 'codmn', 'nh3n', 'tp', 'tn']);
  });

  it('a configured nutrient cycle is obeyed', () => {
    const registry = sampleRegistry();
    const fromMs = Date.parse('2026-05-01T00:00:00+08:00');
    const out = runEngine({
      registry,
      stations: stationsOf(registry, ['TP-PW-01']),
      seed: 1,
      fromMs,
      toMs: fromMs + DAY,
      events: NO_EVENTS,
      stream: { nutrientCycleMs: 2 * 3_600_000 },
    });
    expect((out.byStation.get('TP-PW-01') ?? []).filter((r) => r.values.tp !== undefined)).toHaveLength(12);
  });

  it('values are reported at instrument precision', () => {
    const registry = sampleRegistry();
    const fromMs = Date.parse('2026-05-01T00:00:00+08:00');
    const out = runEngine({
      registry,
      stations: stationsOf(registry, ['TP-PW-02']),
      seed: 4,
      fromMs,
      toMs: fromMs + DAY,
      events: NO_EVENTS,
    });
    const decimals = { temp: 1, ph: 2, do: 2, cond: 0, turb: 1, codmn: 1, nh3n: 2, tp: 3, tn: 2 } as Record<string, number>;
    for (const r of out.byStation.get('TP-PW-02') ?? []) {
      for (const [key, value] of Object.entries(r.values)) expect(Number(value.toFixed(decimals[key]))).toBe(value);
    }
  });
});
