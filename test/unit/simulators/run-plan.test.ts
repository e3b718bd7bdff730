import { describe, expect, it } from 'vitest';
import { parseSimulateFlags, type SimulateFlags } from '../../../simulators/cli-flags.js';
import { planRun } from '../../../simulators/run-plan.js';
import { DAY, HOUR, sampleRegistry, shippedScenario } from './fixtures.js';

const NOW = Date.parse('2026-11-22T12:00:00+08:00');

function flags(argv: string[]): SimulateFlags {
  const result = parseSimulateFlags(argv);
  if (!result.ok) throw new Error(result.problems.join());
  return result.flags;
}

describe('simulate flags', () => {
  it.each([
    { argv: ['--speed', 'fast'], problem: /--speed/ },
    { argv: ['--transport', 'carrier-pigeon'], problem: /--transport/ },
    { argv: ['--seed', '-1'], problem: /--seed/ },
    { argv: ['--duration', 'forever'], problem: /--duration/ },
    { argv: ['--to', 'now', '--duration', '1h'], problem: /not both/ },
    { argv: ['--bogus'], problem: /bogus/ },
  ])('refuses $argv', ({ argv, problem }) => {
    const result = parseSimulateFlags(argv);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.join('\n')).toMatch(problem);
  });

  it('parses a full command line', () => {
    expect(
      flags([
        '--scenario',
        'demo',
        '--seed',
        '9',
        '--speed',
        'max',
        '--from',
        '-30d',
        '--stations',
        'TP-FH-JS, tp-jiashan',
        '--rate',
        '500',
        '--batch',
        '100',
      ]),
    ).toMatchObject({
      scenario: 'demo',
      seed: 9,
      speed: 'max',
      from: '-30d',
      stations: ['TP-FH-JS', 'tp-jiashan'],
      rate: 500,
      batch: 100,
      transport: 'mqtt',
    });
  });
});

describe('run plan', () => {
  const registry = sampleRegistry();
  const plan = (argv: string[], scenario?: string) => {
    const result = planRun({
      flags: flags(argv),
      registry,
      nowMs: NOW,
      ...(scenario ? { scenario: shippedScenario(scenario) } : {}),
    });
    if (!result.ok) throw new Error(result.problems.join('\n'));
    return result.plan;
  };

  it('defaults to every station, in real time from now, open-ended', () => {
    const p = plan([]);
    expect(p).toMatchObject({ speed: 1, fromMs: NOW, toMs: Infinity, seed: 1, allowFuture: false });
    expect(p.stations).toHaveLength(registry.stations.size);
  });

  it('backfills to now with --speed max --from -30d', () => {
    expect(plan(['--speed', 'max', '--from', '-30d'])).toMatchObject({ fromMs: NOW - 30 * DAY, toMs: NOW, speed: 'max' });
  });

  it('takes the scenario time unless flags override it', () => {
    expect(plan([], 'demo')).toMatchObject({ fromMs: NOW - 14 * HOUR, toMs: Infinity, speed: 168, seed: 2026 });
    expect(plan(['--speed', '60', '--seed', '3'], 'demo')).toMatchObject({ speed: 60, seed: 3 });
    expect(plan(['--from', '-1d', '--duration', '6h'], 'calm-week')).toMatchObject({
      fromMs: NOW - DAY,
      toMs: NOW - DAY + 6 * HOUR,
    });
  });

  it('selects stations by station, section or river id', () => {
    expect(plan(['--stations', 'TP-FH-JS,tp-jiashan']).stations.map((s) => s.id)).toEqual(['TP-FH-JS', 'TP-JS-01']);
    expect(plan(['--stations', 'nanlan']).stations.map((s) => s.sectionId)).toEqual([
      'nl-lancang',
      'nl-lancang',
      'nl-boundary',
      'nl-boundary',
      'nl-menghai',
      'nl-menghai',
    ]);
  });

  it('load mode: synthetic stations over every section, flat out over the last day, for a minute', () => {
    const p = plan(['--load', '2000']);
    expect(p.stations).toHaveLength(2000);
    expect(new Set(p.stations.map((s) => s.sectionId)).size).toBe(registry.sections.size);
    expect(p.registry.stations.size).toBe(registry.stations.size + 2000);
    expect(p).toMatchObject({ speed: 'max', fromMs: NOW - DAY, toMs: NOW, runForMs: 60_000 });
    expect(p.load?.tokens.get('LOAD000001')).toBe('load-load000001');
  });

  it.each([
    { argv: ['--stations', 'NOPE'], problem: /NOPE/ },
    { argv: ['--speed', 'max', '--from', 'now'], problem: /needs an end/ },
    { argv: ['--from', '-1h', '--to', '-2h'], problem: /ends before it starts/ },
    { argv: ['--from', 'last tuesday'], problem: /not a time/ },
  ])('refuses $argv', ({ argv, problem }) => {
    const result = planRun({ flags: flags(argv), registry, nowMs: NOW });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.join('\n')).toMatch(problem);
  });
});
