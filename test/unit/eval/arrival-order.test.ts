/**
 * Determinism gate (issue 13): the same readings give the same alerts
 * whatever order they arrive in and whether the analytics restart on the
 * way. Two simulated scenarios over several sections (the Taipu spill with
 * its calm hours before, and three days of the rain-heavy week with its
 * storm) are replayed through the analytics in order, then with half the
 * stations delayed (each station's readings keep their own order, as one
 * MQTT connection keeps them, but arrive up to 40 minutes late), then with a
 * checkpoint every 7 hours, each followed by half an hour more work and a
 * crash back to it (what the checkpoint does not cover is delivered again),
 * then both. Every
 * alert must be the same: kind, condition (section or station, parameter),
 * station, level, first time.
 *
 * The reorder hold is set to an hour so that the delays stay within it: a
 * judgement that depends on what the section has seen by the time a reading
 * is processed, rather than on the readings in event time, fails here. (Past
 * the hold, arrival order reaches the section-level judgements already:
 * docs/evaluation.md section 0.)
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRegistryFile } from '../../../config/index.js';
import type { Registry } from '../../../domain/index.js';
import { riverScenarioSpecs, RIVER_EVAL_END_MS } from '../../../eval/river-scenarios.js';
import { parseDurationMs } from '../../../simulators/index.js';
import { alertLines, replay, scenarioReadings, type Arrival } from './arrival-replay.js';

const MIN = 60_000;
const DAY = 86_400_000;
const options = { reorder: { watermarkDelayMs: 60 * MIN } };

/** Half the stations (every other by id) late by 0–`maxMs` per reading, each station's own order kept. */
function delayHalf(arrivals: readonly Arrival[], maxMs: number): Arrival[] {
  let seed = 20261206;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const stations = [...new Set(arrivals.map((a) => a.reading.stationId))].sort();
  const late = new Set(stations.filter((_, i) => i % 2 === 1));
  const last = new Map<string, number>();
  return arrivals.map((a) => {
    const id = a.reading.stationId;
    if (!late.has(id)) return a;
    const arriveMs = Math.max(last.get(id) ?? 0, a.arriveMs + Math.floor(random() * maxMs));
    last.set(id, arriveMs);
    return { ...a, arriveMs };
  });
}

interface Case {
  readonly registry: Registry;
  readonly sectionIds: string[];
  readonly arrivals: Arrival[];
  readonly fromMs: number;
  readonly toMs: number;
}

describe.each([
  ['taipu-spill', undefined],
  ['rain-heavy', 3 * DAY],
] as const)('determinism gate: %s, the same readings in another arrival order or across a restart', (name, durationMs) => {
  let c: Case;
  let reference: string[];

  beforeAll(() => {
    const registry = loadRegistryFile(fileURLToPath(new URL('../../../config/registry.yaml', import.meta.url)));
    const spec = riverScenarioSpecs(true).find((s) => s.name === name);
    if (!spec) throw new Error(`no scenario ${name}`);
    const toMs = spec.endMs ?? RIVER_EVAL_END_MS;
    const fromMs = toMs - (durationMs ?? parseDurationMs(spec.scenario.time?.duration ?? '') ?? 0);
    const { arrivals, sectionIds } = scenarioReadings(registry, spec.scenario, fromMs, toMs);
    c = { registry, sectionIds, arrivals, fromMs, toMs };
    reference = alertLines(replay({ ...c, options }));
  }, 60_000);

  /** A checkpoint every 7 simulated hours, each followed by half an hour of work lost in a crash. */
  const restarts = () => {
    const out: { checkpointMs: number; restartMs: number }[] = [];
    for (let at = c.fromMs + 7 * 60 * MIN; at + 30 * MIN < c.toMs; at += 7 * 60 * MIN)
      out.push({ checkpointMs: at, restartMs: at + 30 * MIN });
    return out;
  };

  it('the reference raises pollution alerts at all (the gate is not vacuous)', () => {
    expect(reference.filter((l) => / (exceedance|early-warning|sudden-change|trend|runoff) /.test(l)).length).toBeGreaterThan(0);
  });

  it('half the stations up to 40 minutes late: the same alerts', () => {
    expect(alertLines(replay({ ...c, arrivals: delayHalf(c.arrivals, 40 * MIN), options }))).toEqual(reference);
  }, 60_000);

  it('crashes back to a checkpoint every 7 hours: the same alerts', () => {
    expect(alertLines(replay({ ...c, options, restarts: restarts() }))).toEqual(reference);
  }, 60_000);

  // Known (docs/evaluation.md section 0), before issue 13's band change too: past the default 60-s hold the Taipu
  // spill's alerts are not the same. tp-fenhu's first NH3-N alert is an unconfirmed blue in order and not when late,
  // and section alerts name the other station: the section's judgements read the other stations' state at
  // processing time (worst station; "another station reads past the target" corroborates a jump). When this
  // starts to pass, make it `it`.
  if (name === 'taipu-spill')
    it.fails('past the default 60-s hold, half the stations up to 40 minutes late: the same alerts (not yet)', () => {
      const late = delayHalf(c.arrivals, 40 * MIN);
      expect(alertLines(replay({ ...c, arrivals: late }))).toEqual(alertLines(replay({ ...c })));
    }, 60_000);

  it('both: the same alerts', () => {
    expect(alertLines(replay({ ...c, arrivals: delayHalf(c.arrivals, 40 * MIN), options, restarts: restarts() }))).toEqual(
      reference,
    );
  }, 60_000);
});
