/**
 * Decides what a `simulate` run does from its flags, its scenario and the
 * registry: the time span and speed, the stations, the model options and
 * the compiled events. Pure (the clock is passed in); every problem is
 * reported at once.
 */
import type { Registry, Station } from '../domain/index.js';
import type { SimulateFlags } from './cli-flags.js';
import { buildLoadFleet, type LoadFleet } from './load-fleet.js';
import type { ScenarioEvents } from './model/scenario-events.js';
import { DAY_MS, parseDurationMs, parseOffsetMinutes, resolveTimeMs } from './model/sim-time.js';
import type { StreamOptions } from './model/station-stream.js';
import type { Speed } from './pacer.js';
import { compileScenario } from './scenario/compile-scenario.js';
import type { Scenario } from './scenario/scenario-schema.js';

export interface RunPlan {
  readonly seed: number;
  readonly fromMs: number;
  /** Infinity: until closed. */
  readonly toMs: number;
  readonly speed: Speed;
  readonly allowFuture: boolean;
  /** The registry the run uses (with the synthetic stations in load mode). */
  readonly registry: Registry;
  readonly stations: readonly Station[];
  readonly load?: LoadFleet;
  readonly stream: Partial<StreamOptions>;
  readonly events: ScenarioEvents;
  readonly runForMs?: number;
}

export type PlanResult = { ok: true; plan: RunPlan } | { ok: false; problems: string[] };

/** Load runs without an explicit span simulate the last day, flat out, for a minute of wall time. */
const LOAD_DEFAULT_SPAN_MS = DAY_MS;
const LOAD_DEFAULT_RUN_FOR_MS = 60_000;

export function planRun(input: { flags: SimulateFlags; scenario?: Scenario; registry: Registry; nowMs: number }): PlanResult {
  const { flags, registry, nowMs } = input;
  const scenario: Scenario = input.scenario ?? {};
  const problems: string[] = [];
  const loadMode = flags.load !== undefined;
  const time = scenario.time ?? {};

  const seed = flags.seed ?? scenario.seed ?? 1;
  const speed: Speed = flags.speed ?? time.speed ?? (loadMode ? 'max' : 1);
  const allowFuture = flags.allowFuture || (time.allowFuture ?? false);

  const at = (what: string, ref: string | number): number | undefined => {
    const ms = resolveTimeMs(ref, nowMs, nowMs);
    if (ms === undefined)
      problems.push(`${what}: "${ref}" is not a time (ISO 8601 with an offset, now, or relative to now such as -6h)`);
    return ms;
  };
  const span = (what: string, ref: string | number): number | undefined => {
    const ms = parseDurationMs(ref);
    if (ms === undefined || ms <= 0) problems.push(`${what}: "${ref}" is not a positive duration`);
    return ms;
  };

  const explicitEnd = flags.to !== undefined || flags.durationMs !== undefined;
  let fromMs: number | undefined;
  if (flags.from !== undefined) fromMs = at('--from', flags.from);
  else if (time.start !== undefined) fromMs = at('scenario time.start', time.start);
  else if (loadMode) fromMs = nowMs - (flags.durationMs ?? LOAD_DEFAULT_SPAN_MS);
  else fromMs = nowMs;
  fromMs ??= nowMs;

  let toMs: number | undefined;
  if (flags.to !== undefined) toMs = at('--to', flags.to);
  else if (flags.durationMs !== undefined) toMs = fromMs + flags.durationMs;
  else if (!explicitEnd && time.end !== undefined) toMs = at('scenario time.end', time.end);
  else if (!explicitEnd && time.duration !== undefined) {
    const d = span('scenario time.duration', time.duration);
    toMs = d === undefined ? undefined : fromMs + d;
  } else if (speed === 'max') {
    if (fromMs >= nowMs) problems.push('--speed max needs an end in the past or an explicit one: give --to or --duration');
    toMs = nowMs;
  } else toMs = Infinity;
  toMs ??= Infinity;
  if (toMs <= fromMs) problems.push('the run ends before it starts: check --from/--to/--duration');

  // Stations.
  let runRegistry = registry;
  let stations: Station[] = [];
  let load: LoadFleet | undefined;
  if (loadMode) {
    load = buildLoadFleet(
      registry,
      flags.load as number,
      flags.intervalS !== undefined ? { samplingIntervalS: flags.intervalS } : {},
    );
    runRegistry = load.registry;
    stations = [...load.stations];
  } else {
    const wanted = flags.stations ?? scenario.stations;
    if (wanted === undefined) stations = [...registry.stations.values()];
    else {
      const chosen = new Set<string>();
      for (const id of wanted) {
        if (registry.station(id)) chosen.add(id);
        else if (registry.section(id)) for (const s of registry.stationsOf(id)) chosen.add(s.id);
        else if (registry.rivers.has(id))
          for (const sectionId of registry.rivers.get(id)?.sectionIds ?? [])
            for (const s of registry.stationsOf(sectionId)) chosen.add(s.id);
        else problems.push(`station "${id}" is neither a station, a section nor a river of the registry`);
      }
      stations = [...registry.stations.values()].filter((s) => chosen.has(s.id));
    }
    if (stations.length === 0 && problems.length === 0) problems.push('no station to simulate');
  }

  // Model options.
  const model = scenario.model ?? {};
  const stream: { -readonly [K in keyof StreamOptions]?: StreamOptions[K] } = {};
  if (model.nutrientCycle !== undefined) stream.nutrientCycleMs = span('scenario model.nutrientCycle', model.nutrientCycle);
  if (model.analyserMinCycle !== undefined)
    stream.analyserMinCycleMs = span('scenario model.analyserMinCycle', model.analyserMinCycle);
  if (model.timezone !== undefined) {
    const offset = parseOffsetMinutes(model.timezone);
    if (offset === undefined) problems.push(`scenario model.timezone: "${model.timezone}" is not an offset such as +08:00`);
    else stream.tzOffsetMinutes = offset;
  }
  const intervalS = flags.intervalS ?? model.samplingIntervalS;
  if (intervalS !== undefined) stream.samplingIntervalS = intervalS;
  const tsFormat = flags.tsFormat ?? model.tsFormat;
  if (tsFormat !== undefined) stream.tsFormat = tsFormat;

  if (problems.length > 0) return { ok: false, problems };

  const compiled = compileScenario({ scenario, registry: runRegistry, stations, seed, fromMs, toMs, nowMs });
  if (!compiled.ok) return { ok: false, problems: compiled.problems };

  const runForMs = flags.runForMs ?? (loadMode ? LOAD_DEFAULT_RUN_FOR_MS : undefined);
  return {
    ok: true,
    plan: {
      seed,
      fromMs,
      toMs,
      speed,
      allowFuture,
      registry: runRegistry,
      stations,
      ...(load ? { load } : {}),
      stream: stream as Partial<StreamOptions>,
      events: compiled.events,
      ...(runForMs !== undefined ? { runForMs } : {}),
    },
  };
}
