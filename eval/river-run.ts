/**
 * Runs one simulated river scenario through the analytics, offline and
 * deterministically (issue 5, "Evaluation": simulated river scenarios).
 *
 * The simulation engine (simulators/model/engine.ts, the pure core the
 * `Simulator` paces) produces every station's messages in simulated-time
 * order, flat out. Each message goes through the ingest validation
 * (ingest/validate.ts, `now` = simulated time), into a per-section
 * `ReorderBuffer` and then `SectionAnalyzer.process`, exactly as the analytics
 * worker does it; every `tickIntervalMs` of simulated time the buffers are
 * drained and every analyzer is ticked with a `ManualClock` set to simulated
 * time (the worker ticks every 15 s of wall time). What the offline run does
 * not have: the alerts side, so no sampling-frequency commands reach the
 * stations during an event (a station keeps its registry interval).
 *
 * Alongside, for every pollution label (spill, trend) it records the
 * station's first reading of the label's parameter that is worse than the
 * section's target class inside the label window, and the next reading of
 * that parameter after it (the "one sampling interval" deadline).
 */
import { ManualClock, ParameterTable, type AlertEvent, type Reading, type Registry, type Station } from '../domain/index.js';
import { validateSubmission, type ValidationLimits } from '../ingest/validate.js';
import {
  compileScenario,
  groundTruthLabels,
  parseDurationMs,
  SimulationEngine,
  type GroundTruthLabel,
  type Scenario,
  type StationMessage,
} from '../simulators/index.js';
import { resolveSectionOptions, type AnalyticsOptionsInput } from '../analytics/options.js';
import { ReorderBuffer, sectionHoldLimits } from '../analytics/reorder-buffer.js';
import { SectionAnalyzer } from '../analytics/section-analyzer.js';
import { PastTargetTracker, type PastTarget } from './past-target.js';

export type { PastTarget } from './past-target.js';

export interface ScenarioRunInput {
  readonly name: string;
  readonly scenario: Scenario;
  readonly registry: Registry;
  /** End of the run (exclusive), epoch ms: scenario times relative to "now" resolve against it. */
  readonly endMs: number;
  /** Overrides the scenario's duration (e.g. a calm month from calm-week). */
  readonly durationMs?: number;
  /** Overrides the scenario's seed. */
  readonly seed?: number;
  /** @defaultValue 60000 (simulated time between ticks) */
  readonly tickIntervalMs?: number;
  readonly options?: AnalyticsOptionsInput;
  readonly nowMs?: () => number;
}

export interface ScenarioRun {
  readonly name: string;
  readonly seed: number;
  readonly fromMs: number;
  readonly toMs: number;
  readonly stations: readonly Station[];
  readonly labels: readonly GroundTruthLabel[];
  /** Every alert event, in the order the analyzers emitted them. */
  readonly events: readonly AlertEvent[];
  /** Per label index (pollution labels of class parameters that went past the target in the water or a reading). */
  readonly pastTarget: ReadonlyMap<number, PastTarget>;
  readonly readings: number;
  /** Values or readings the ingest validation refused (should be 0). */
  readonly rejected: number;
  readonly stale: number;
  readonly wallMs: number;
}

const LIMITS: ValidationLimits = { maxFutureMs: 300_000, maxAgeMs: 30 * 86_400_000, maxBatch: 1000 };

interface Item extends Reading {
  readonly order: number;
}

export function runScenario(input: ScenarioRunInput): ScenarioRun {
  const now = input.nowMs ?? (() => performance.now());
  const t0 = now();
  const { registry, scenario } = input;
  const durationMs =
    input.durationMs ?? (scenario.time?.duration === undefined ? undefined : parseDurationMs(scenario.time.duration));
  if (durationMs === undefined || !(durationMs > 0)) throw new Error(`scenario ${input.name}: needs a duration`);
  const toMs = input.endMs;
  const fromMs = toMs - durationMs;
  const seed = input.seed ?? scenario.seed ?? 1;
  const stations = stationsOf(registry, scenario.stations);
  const compiled = compileScenario({ scenario, registry, stations, seed, fromMs, toMs, nowMs: toMs });
  if (!compiled.ok) throw new Error(`scenario ${input.name}:\n  ${compiled.problems.join('\n  ')}`);
  const events = compiled.events;
  const stream = { tsFormat: 'epoch' as const };
  const labels = groundTruthLabels({ registry, stations, events, seed, fromMs, toMs, tzOffsetMinutes: 480 });
  const engine = new SimulationEngine({ registry, stations, seed, fromMs, toMs, events, stream });

  const clock = new ManualClock(fromMs);
  const parameters = new ParameterTable();
  const analyzers = new Map<string, SectionAnalyzer>();
  const buffers = new Map<string, ReorderBuffer<Item>>();
  const sectionIds = [...new Set(stations.map((s) => s.sectionId))];
  for (const sectionId of sectionIds) {
    analyzers.set(
      sectionId,
      new SectionAnalyzer({
        registry,
        sectionId,
        clock,
        parameters,
        ...(input.options ? { options: input.options } : {}),
        upstreamView: (id) => analyzers.get(id)?.view(),
      }),
    );
    buffers.set(sectionId, new ReorderBuffer<Item>(sectionHoldLimits(resolveSectionOptions(input.options, sectionId).reorder, registry.stationsOf(sectionId).length), byStation));
  }

  const tracker = new PastTargetTracker(registry, labels);
  const out: AlertEvent[] = [];
  let readings = 0;
  let rejected = 0;
  let order = 0;
  const drain = (atMs: number, flush = false): void => {
    for (const [sectionId, buffer] of buffers) {
      const released = flush ? buffer.flush() : buffer.drain(atMs);
      const items = [...released.inOrder, ...released.late];
      if (items.length === 0) continue;
      for (const r of items) tracker.observe(r);
      out.push(...(analyzers.get(sectionId) as SectionAnalyzer).process(items));
    }
  };
  const tick = (atMs: number): void => {
    clock.set(atMs);
    drain(atMs);
    for (const a of analyzers.values()) out.push(...a.tick(atMs));
  };

  const tickMs = input.tickIntervalMs ?? 60_000;
  let nextTickMs = fromMs + tickMs;
  for (let due = engine.popDue(); due; due = engine.popDue()) {
    while (nextTickMs <= due.ms) {
      tick(nextTickMs);
      nextTickMs += tickMs;
    }
    clock.set(due.ms);
    for (const message of due.messages) {
      const result = accept(message, registry, parameters, due.ms);
      rejected += result.rejections.length;
      for (const r of result.readings) {
        readings++;
        (buffers.get(r.sectionId) as ReorderBuffer<Item>).push({ ...r, order: order++ }, due.ms);
      }
    }
    drain(due.ms);
  }
  clock.set(toMs);
  drain(toMs, true);
  for (const a of analyzers.values()) out.push(...a.tick(toMs));
  let stale = 0;
  for (const a of analyzers.values()) stale += a.stats.stale;
  return {
    name: input.name,
    seed,
    fromMs,
    toMs,
    stations,
    labels,
    events: out,
    pastTarget: tracker.result((id) => {
      const water = engine.water(id);
      return water ? (ms) => water.valuesAt(ms) : undefined;
    }),
    readings,
    rejected,
    stale,
    wallMs: now() - t0,
  };
}

function byStation(a: Item, b: Item): number {
  return a.stationId < b.stationId ? -1 : a.stationId > b.stationId ? 1 : a.order - b.order;
}

function accept(message: StationMessage, registry: Registry, parameters: ParameterTable, nowMs: number) {
  const payload = message.readings.length === 1 && !message.backlog ? message.readings[0] : { readings: message.readings };
  return validateSubmission(
    {
      source: 'replay',
      payload,
      raw: '',
      topic: { sectionId: message.sectionId, stationId: message.stationId },
      authStationId: message.stationId,
    },
    { registry, parameters, limits: LIMITS, now: nowMs },
  );
}

/** Stations of a scenario: every registry station, or the listed station, section and river ids. */
export function stationsOf(registry: Registry, wanted: readonly string[] | undefined): Station[] {
  const all = [...registry.stations.values()];
  if (!wanted) return all;
  const chosen = new Set<string>();
  for (const id of wanted) {
    if (registry.station(id)) chosen.add(id);
    for (const s of registry.stationsOf(id)) chosen.add(s.id);
    for (const sectionId of registry.rivers.get(id)?.sectionIds ?? [])
      for (const s of registry.stationsOf(sectionId)) chosen.add(s.id);
  }
  return all.filter((s) => chosen.has(s.id));
}
