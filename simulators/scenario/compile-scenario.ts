/**
 * Resolves a scenario against the registry and the run: times become epoch
 * ms, locations become plume routes, random rain and spike instants are
 * drawn from the seed. Every problem is reported at once.
 */
import { isDataFlag, type DataFlag, type Registry, type Station } from '../../domain/index.js';
import { FAULT_KINDS, type FaultEvent, type FaultKind } from '../model/faults.js';
import { simulatedParameters } from '../model/parameter-behaviour.js';
import { deriveSeed, Rng } from '../model/prng.js';
import type { RainEvent } from '../model/rain.js';
import type { ScenarioEvents } from '../model/scenario-events.js';
import type { SpillEvent } from '../model/section-water.js';
import { DAY_MS, HOUR_MS, parseDurationMs, resolveTimeMs } from '../model/sim-time.js';
import { DEFAULT_HYDRAULICS, routeSpill, type Hydraulics } from '../model/spill-plume.js';
import type { TrendEvent } from '../model/trend.js';
import type { Scenario } from './scenario-schema.js';

export interface CompileInput {
  readonly scenario: Scenario;
  readonly registry: Registry;
  /** The stations being simulated (faults may name only these). */
  readonly stations: readonly Station[];
  readonly seed: number;
  /** Run start: relative event times count from here. */
  readonly fromMs: number;
  /** Run end (exclusive), Infinity when open-ended. */
  readonly toMs: number;
  readonly nowMs: number;
}

export type CompileResult = { ok: true; events: ScenarioEvents } | { ok: false; problems: string[] };

/** Random rain is drawn this far ahead of an open-ended run's start. */
const OPEN_RUN_RAIN_HORIZON_MS = 60 * DAY_MS;

/** Parameters a fault touches when the scenario does not say (a stuck DO probe, a drifting pH electrode, ...). */
const DEFAULT_FAULT_PARAMETERS: Readonly<Record<FaultKind, readonly string[] | 'all'>> = {
  flatline: ['do'],
  drift: ['ph'],
  spikes: ['cond', 'turb'],
  flag: 'all',
  offline: 'all',
  'link-loss': 'all',
};

export function compileScenario(input: CompileInput): CompileResult {
  const { scenario, registry } = input;
  const problems: string[] = [];
  const time = (where: string, ref: string | number): number => {
    const ms = resolveTimeMs(ref, input.fromMs, input.nowMs);
    if (ms === undefined) problems.push(`${where}: "${ref}" is not a time (use 90s, 1h30m, -6h, or ISO 8601 with an offset)`);
    return ms ?? input.fromMs;
  };
  const duration = (where: string, ref: string | number): number => {
    const ms = parseDurationMs(ref);
    if (ms === undefined || ms < 0) problems.push(`${where}: "${ref}" is not a duration (use 30m, 2d, 1h30m or seconds)`);
    return Math.max(0, ms ?? 0);
  };
  const checkSections = (where: string, ids: readonly string[]): void => {
    for (const id of ids) if (!registry.section(id)) problems.push(`${where}: section "${id}" is not in the registry`);
  };
  const checkRivers = (where: string, ids: readonly string[]): void => {
    for (const id of ids) if (!registry.rivers.has(id)) problems.push(`${where}: river "${id}" is not in the registry`);
  };
  const sectionsOfRivers = (rivers: readonly string[]): string[] =>
    rivers.flatMap((r) => [...(registry.rivers.get(r)?.sectionIds ?? [])]);
  const known = new Set(simulatedParameters());

  const h = scenario.hydraulics;
  const baseHydraulics: Hydraulics = {
    dispersionM2s: h?.dispersionM2s ?? DEFAULT_HYDRAULICS.dispersionM2s,
    crossSectionM2: h?.crossSectionM2 ?? DEFAULT_HYDRAULICS.crossSectionM2,
    defaultVelocityMps: h?.defaultVelocityMps ?? DEFAULT_HYDRAULICS.defaultVelocityMps,
  };
  if (h?.rivers) checkRivers('hydraulics.rivers', Object.keys(h.rivers));
  const hydraulicsOf = (riverId: string): Hydraulics => ({ ...baseHydraulics, ...h?.rivers?.[riverId] });

  // Rain.
  const rain: RainEvent[] = [];
  (scenario.rain ?? []).forEach((r, i) => {
    const where = `rain[${i}]`;
    if (r.sections) checkSections(where, r.sections);
    if (r.rivers) checkRivers(where, r.rivers);
    const sectionIds = r.sections ?? (r.rivers ? sectionsOfRivers(r.rivers) : [...registry.sections.keys()]);
    const startMs = time(`${where}.at`, r.at);
    rain.push({
      id: r.id ?? `rain-${i + 1}`,
      startMs,
      endMs: startMs + duration(`${where}.duration`, r.duration),
      intensity: r.intensity,
      sectionIds,
    });
  });
  const rr = scenario.randomRain;
  if (rr && rr.perWeek > 0) {
    if (rr.rivers) checkRivers('randomRain.rivers', rr.rivers);
    const rivers = rr.rivers ?? [...registry.rivers.keys()];
    const endMs = Number.isFinite(input.toMs) ? input.toMs : input.fromMs + OPEN_RUN_RAIN_HORIZON_MS;
    const [iMin, iMax] = rr.intensity ?? [0.1, 0.4];
    const [dMin, dMax] = rr.durationH ?? [1, 6];
    for (const riverId of rivers) {
      const rng = new Rng(deriveSeed(input.seed, 'random-rain', riverId));
      const meanGapMs = (7 * DAY_MS) / rr.perWeek;
      let t = input.fromMs;
      let n = 0;
      for (;;) {
        t += -Math.log(1 - rng.next()) * meanGapMs;
        if (t >= endMs) break;
        n += 1;
        const startMs = Math.round(t);
        rain.push({
          id: `rain-${riverId}-${n}`,
          startMs,
          endMs: startMs + Math.round(rng.between(dMin, dMax) * HOUR_MS),
          intensity: Math.min(1.5, rng.between(iMin, iMax)),
          sectionIds: sectionsOfRivers([riverId]),
        });
      }
    }
  }

  // Spills.
  const spills: SpillEvent[] = [];
  for (const [i, s] of (scenario.spills ?? []).entries()) {
    const where = `spills[${i}] (${s.id})`;
    for (const key of Object.keys(s.effects))
      if (!known.has(key))
        problems.push(`${where}.effects: parameter "${key}" is not simulated (known: ${[...known].join(', ')})`);
    let riverId: string;
    let positionKm: number;
    if ('river' in s.location) {
      riverId = s.location.river;
      positionKm = s.location.positionKm;
    } else {
      const section = registry.section(s.location.section);
      if (!section) {
        problems.push(`${where}.location: section "${s.location.section}" is not in the registry`);
        continue;
      }
      riverId = section.riverId;
      positionKm = Math.max(0, section.positionKm - (s.location.kmUpstream ?? 0));
    }
    const route = routeSpill(registry, riverId, positionKm, hydraulicsOf);
    if (!route.ok) {
      problems.push(`${where}.location: ${route.problem}`);
      continue;
    }
    spills.push({
      id: s.id,
      startMs: time(`${where}.at`, s.at),
      durationMs: s.duration === undefined ? 0 : duration(`${where}.duration`, s.duration),
      massKg: s.massKg,
      decayPerDay: s.decayPerDay ?? 0,
      effects: s.effects,
      reaches: route.reaches,
    });
  }

  // Trends.
  const trends: TrendEvent[] = [];
  for (const [i, t] of (scenario.trends ?? []).entries()) {
    const where = `trends[${i}] (${t.id})`;
    checkSections(where, t.sections);
    if (!known.has(t.parameter)) problems.push(`${where}: parameter "${t.parameter}" is not simulated`);
    if (t.delta === undefined && t.factor === undefined) problems.push(`${where}: give delta (added) or factor (multiplied)`);
    const startMs = time(`${where}.at`, t.at);
    const rampMs = duration(`${where}.ramp`, t.ramp);
    const endMs = t.hold === undefined ? Infinity : startMs + rampMs + duration(`${where}.hold`, t.hold);
    trends.push({
      id: t.id,
      parameter: t.parameter,
      sectionIds: t.sections,
      startMs,
      rampMs,
      endMs,
      ...(t.delta !== undefined ? { delta: t.delta } : {}),
      ...(t.factor !== undefined ? { factor: t.factor } : {}),
    });
  }

  // Faults.
  const faults: FaultEvent[] = [];
  const simulated = new Map(input.stations.map((s) => [s.id, s]));
  for (const [i, f] of (scenario.faults ?? []).entries()) {
    const where = `faults[${i}] (${f.id})`;
    if (!FAULT_KINDS.includes(f.kind)) continue;
    const startMs = time(`${where}.at`, f.at);
    const endMs = startMs + duration(`${where}.duration`, f.duration);
    if (f.kind === 'drift' && f.ratePerDay === undefined) problems.push(`${where}: a drift needs ratePerDay`);
    if (f.kind === 'flag' && (f.flag === undefined || !isDataFlag(f.flag)))
      problems.push(`${where}: a flag fault needs flag (F M S D C T B)`);
    for (const stationId of f.stations) {
      if (!registry.station(stationId)) {
        problems.push(`${where}: station "${stationId}" is not in the registry`);
        continue;
      }
      const station = simulated.get(stationId);
      if (!station) continue; // a station left out of this run (--stations): its faults do not apply
      const defaults = DEFAULT_FAULT_PARAMETERS[f.kind];
      const wanted = f.parameters ?? (defaults === 'all' ? station.parameters : defaults);
      const parameters = wanted.filter((p) => station.parameters.includes(p));
      if (f.parameters)
        for (const p of f.parameters)
          if (!station.parameters.includes(p)) problems.push(`${where}: station ${stationId} does not measure "${p}"`);
      const fault: FaultEvent = {
        id: f.id,
        kind: f.kind,
        stationId,
        parameters,
        startMs,
        endMs,
        ...(f.ratePerDay !== undefined ? { ratePerDay: f.ratePerDay } : {}),
        ...(f.kind === 'spikes'
          ? { spikeTimesMs: spikeTimes(input.seed, f.id, stationId, startMs, endMs, f.count ?? 3), spikeFactor: f.factor ?? 5 }
          : {}),
        ...(f.flag !== undefined ? { flag: f.flag as DataFlag } : {}),
        ...(f.batchSize !== undefined ? { batchSize: f.batchSize } : {}),
      };
      faults.push(fault);
    }
  }

  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, events: { rain, trends, spills, faults } };
}

function spikeTimes(seed: number, faultId: string, stationId: string, startMs: number, endMs: number, count: number): number[] {
  const rng = new Rng(deriveSeed(seed, 'spikes', faultId, stationId));
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(Math.round(rng.between(startMs, endMs)));
  return out.sort((a, b) => a - b);
}
