import { describe, expect, it } from 'vitest';
import { classOfValue } from '../../../domain/index.js';
import { groundTruthLabels } from '../../../simulators/model/index.js';
import { parseScenarioText } from '../../../simulators/scenario/index.js';
import { compile, DAY, HOUR, mean, runEngine, sampleRegistry, shippedScenario, stationsOf, tsOf } from './fixtures.js';

describe('the shipped ammonia deterioration', () => {
  const registry = sampleRegistry();
  const stations = stationsOf(registry, ['NL-BD-LC', 'NL-BD-MH', 'NL-MH-01']);
  const fromMs = Date.parse('2026-10-01T00:00:00+08:00');
  const toMs = fromMs + 7 * DAY;
  const events = compile(shippedScenario('ammonia-deterioration'), registry, stations, 11, fromMs, toMs);
  const out = runEngine({ registry, stations, seed: 11, fromMs, toMs, events });
  const nh3nByDay = (stationId: string): number[] =>
    Array.from({ length: 7 }, (_, day) =>
      mean(
        (out.byStation.get(stationId) ?? [])
          .filter((r) => r.values.nh3n !== undefined && tsOf(r) >= fromMs + day * DAY && tsOf(r) < fromMs + (day + 1) * DAY)
          .map((r) => r.values.nh3n as number),
      ),
    );

  it('rises slowly over days and takes the class II boundary section past its target', () => {
    const daily = nh3nByDay('NL-BD-LC');
    // Day 0 calm, then 0.6 mg/L over four days (0.15 a day) on top of the water's own wandering, then a plateau.
    const ramp = [1, 2, 3, 4, 5].map((d) => daily[d] as number);
    const slopePerDay = ((ramp[4] as number) - (ramp[0] as number)) / 4;
    expect(slopePerDay).toBeGreaterThan(0.1);
    expect(slopePerDay).toBeLessThan(0.2);
    expect(Math.abs((daily[6] as number) - (daily[5] as number))).toBeLessThan(0.1);
    expect((daily[6] as number) - (daily[0] as number)).toBeGreaterThan(0.5);
    expect(classOfValue('nh3n', daily[0] as number, 'river')).toBeLessThanOrEqual(2);
    expect(classOfValue('nh3n', daily[6] as number, 'river')).toBeGreaterThan(2);
  });

  it('is labelled as a pollution trend on every affected station', () => {
    const labels = groundTruthLabels({ registry, stations, events, seed: 11, fromMs, toMs, tzOffsetMinutes: 480 });
    const nh3n = labels.filter((l) => l.kind === 'trend' && l.parameter === 'nh3n');
    expect(nh3n.map((l) => l.stationId).sort()).toEqual(['NL-BD-LC', 'NL-BD-MH', 'NL-MH-01']);
    for (const l of nh3n) expect(l).toMatchObject({ category: 'pollution', startMs: fromMs + DAY, endMs: toMs });
  });
});

describe('rain', () => {
  it('raises turbidity and TP and dilutes conductivity while it lasts, then recedes; labelled as natural', () => {
    const registry = sampleRegistry();
    const stations = stationsOf(registry, ['TP-GATE-01']);
    const fromMs = Date.parse('2026-06-10T00:00:00+08:00');
    const toMs = fromMs + 4 * DAY;
    const parsed = parseScenarioText('rain: [{ id: storm, at: 1d, duration: 6h, intensity: 1, rivers: [taipu] }]');
    if (!parsed.ok) throw new Error(parsed.problems.join());
    const events = compile(parsed.scenario, registry, stations, 1, fromMs, toMs);
    const wet = runEngine({ registry, stations, seed: 1, fromMs, toMs, events }).byStation.get('TP-GATE-01') ?? [];
    const dry =
      runEngine({ registry, stations, seed: 1, fromMs, toMs, events: { ...events, rain: [] } }).byStation.get('TP-GATE-01') ?? [];
    const at = (ms: number, key: string, series: typeof wet): number => series.find((r) => tsOf(r) === ms)?.values[key] as number;
    const stormEnd = fromMs + DAY + 6 * HOUR;
    expect(at(stormEnd, 'turb', wet) / at(stormEnd, 'turb', dry)).toBeGreaterThan(4);
    expect(at(stormEnd, 'cond', wet) / at(stormEnd, 'cond', dry)).toBeLessThan(0.85);
    expect(at(fromMs + DAY + 8 * HOUR, 'tp', wet)).toBeGreaterThan(at(fromMs + DAY + 8 * HOUR, 'tp', dry));
    expect(at(fromMs + DAY - 300_000, 'turb', wet)).toBe(at(fromMs + DAY - 300_000, 'turb', dry));
    expect(at(toMs - 300_000, 'turb', wet) / at(toMs - 300_000, 'turb', dry)).toBeLessThan(1.1);
    const labels = groundTruthLabels({ registry, stations, events, seed: 1, fromMs, toMs, tzOffsetMinutes: 480 });
    expect(labels.map((l) => `${l.kind}/${l.category}/${l.parameter}`).sort()).toEqual([
      'rain/natural/codmn',
      'rain/natural/cond',
      'rain/natural/tp',
      'rain/natural/turb',
    ]);
  });
});
