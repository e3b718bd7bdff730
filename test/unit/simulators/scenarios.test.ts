import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileScenario, parseScenarioText, shippedScenariosDir } from '../../../simulators/scenario/index.js';
import { DAY, sampleRegistry, shippedScenario, stationsOf } from './fixtures.js';

describe('shipped scenarios', () => {
  const names = readdirSync(shippedScenariosDir())
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.replace(/\.yaml$/, ''));

  it('include the five the issue asks for', () => {
    expect(names.sort()).toEqual(['ammonia-deterioration', 'calm-week', 'demo', 'fault-mix', 'taipu-spill']);
  });

  it.each(names)('%s parses and compiles against the sample registry', (name) => {
    const registry = sampleRegistry();
    const fromMs = Date.parse('2026-11-01T00:00:00+08:00');
    const result = compileScenario({
      scenario: shippedScenario(name),
      registry,
      stations: stationsOf(registry),
      seed: 1,
      fromMs,
      toMs: fromMs + 7 * DAY,
      nowMs: fromMs + 7 * DAY,
    });
    expect(result.ok ? [] : result.problems).toEqual([]);
  });

  it('the demo spill reaches tp-fenhu within minutes of wall time and tp-jiashan before the run catches up', () => {
    const registry = sampleRegistry();
    const scenario = shippedScenario('demo');
    const nowMs = Date.parse('2026-11-22T12:00:00+08:00');
    const fromMs = nowMs - 14 * 3_600_000;
    const result = compileScenario({
      scenario,
      registry,
      stations: stationsOf(registry),
      seed: 1,
      fromMs,
      toMs: Infinity,
      nowMs,
    });
    if (!result.ok) throw new Error(result.problems.join());
    const spill = result.events.spills[0];
    if (!spill) throw new Error('no spill');
    const speed = scenario.time?.speed as number;
    const wallMinutes = (simMs: number): number => (simMs - fromMs) / speed / 60_000;
    expect(wallMinutes(spill.startMs)).toBeGreaterThan(1);
    expect(wallMinutes(spill.startMs)).toBeLessThan(2);
    const peak = (sectionId: string): number => {
      const reach = spill.reaches.find((r) => r.sectionId === sectionId);
      if (!reach) throw new Error(sectionId);
      return spill.startMs + reach.travelS * 1000 + spill.durationMs / 2;
    };
    expect(wallMinutes(peak('tp-fenhu'))).toBeLessThan(3);
    // tp-jiashan peaks before the run reaches the wall clock: still accelerated, within 5 minutes.
    expect(peak('tp-jiashan')).toBeLessThan(nowMs);
    expect(wallMinutes(peak('tp-jiashan'))).toBeLessThan(5);
  });
});

describe('scenario validation', () => {
  const registry = sampleRegistry();
  const compile = (yaml: string): string[] => {
    const parsed = parseScenarioText(yaml);
    if (!parsed.ok) return parsed.problems;
    const result = compileScenario({
      scenario: parsed.scenario,
      registry,
      stations: stationsOf(registry),
      seed: 1,
      fromMs: 0,
      toMs: DAY,
      nowMs: DAY,
    });
    return result.ok ? [] : result.problems;
  };
  it.each([
    { name: 'unknown top-level key', yaml: 'spils: []', problem: /spils|additional/i },
    {
      name: 'unknown section in a trend',
      yaml: 'trends: [{ id: t, parameter: nh3n, sections: [nowhere], at: 1h, ramp: 1d, delta: 1 }]',
      problem: /section "nowhere"/,
    },
    { name: 'bad duration', yaml: 'rain: [{ at: 1h, duration: soon, intensity: 0.5 }]', problem: /not a duration/ },
    { name: 'bad time', yaml: 'rain: [{ at: yesterday, duration: 1h, intensity: 0.5 }]', problem: /not a time/ },
    {
      name: 'spill below the last section',
      yaml: 'spills: [{ id: s, at: 1h, location: { river: taipu, positionKm: 900 }, massKg: 10, effects: { nh3n: 1 } }]',
      problem: /no section/,
    },
    {
      name: 'spill effect on an unknown parameter',
      yaml: 'spills: [{ id: s, at: 1h, location: { section: tp-fenhu }, massKg: 10, effects: { arsenic: 1 } }]',
      problem: /arsenic/,
    },
    {
      name: 'drift without rate',
      yaml: 'faults: [{ id: f, kind: drift, stations: [TP-PW-01], at: 1h, duration: 1h }]',
      problem: /ratePerDay/,
    },
    {
      name: 'unknown station',
      yaml: 'faults: [{ id: f, kind: offline, stations: [NOPE], at: 1h, duration: 1h }]',
      problem: /NOPE/,
    },
    {
      name: 'trend with neither delta nor factor',
      yaml: 'trends: [{ id: t, parameter: nh3n, sections: [tp-fenhu], at: 1h, ramp: 1d }]',
      problem: /delta/,
    },
    { name: 'not YAML', yaml: 'a: [', problem: /YAML/ },
  ])('$name is refused with a clear reason', ({ yaml, problem }) => {
    const problems = compile(yaml);
    expect(problems.some((p) => problem.test(p))).toBe(true);
  });

  it('an empty scenario is calm water', () => {
    expect(compile('')).toEqual([]);
  });
});
