/**
 * The determinism gate's harness (issue 13): a simulated scenario's readings
 * replayed through the analytics the way the worker runs them (one reorder
 * buffer and one `SectionAnalyzer` per section, ticks every simulated minute;
 * eval/river-run.ts does the same in event order), but with an arrival time
 * of our choosing for every reading and, if asked, restarts: each time the
 * analyzers' state goes through a JSON checkpoint and comes back, and what
 * the checkpoint does not cover (held in a buffer, or arrived after it) is
 * delivered again, as the readings log does after a crash.
 */
import { ManualClock, ParameterTable, type AlertEvent, type Reading, type Registry } from '../../../domain/index.js';
import { validateSubmission } from '../../../ingest/validate.js';
import { compileScenario, SimulationEngine, type Scenario } from '../../../simulators/index.js';
import { resolveSectionOptions, type AnalyticsOptionsInput } from '../../../analytics/options.js';
import { ReorderBuffer, sectionHoldLimits } from '../../../analytics/reorder-buffer.js';
import { SectionAnalyzer } from '../../../analytics/section-analyzer.js';
import { stationsOf } from '../../../eval/river-run.js';

/** A reading and when it reaches the analytics (simulated ms). */
export interface Arrival {
  readonly reading: Reading;
  readonly arriveMs: number;
}

interface Item extends Reading {
  readonly seq: number;
}

/** Every reading the scenario's stations send, accepted by ingest, with the time it was sent. */
export function scenarioReadings(
  registry: Registry,
  scenario: Scenario,
  fromMs: number,
  toMs: number,
): { readonly arrivals: Arrival[]; readonly sectionIds: string[] } {
  const stations = stationsOf(registry, scenario.stations);
  const seed = scenario.seed ?? 1;
  const compiled = compileScenario({ scenario, registry, stations, seed, fromMs, toMs, nowMs: toMs });
  if (!compiled.ok) throw new Error(compiled.problems.join('; '));
  const engine = new SimulationEngine({
    registry,
    stations,
    seed,
    fromMs,
    toMs,
    events: compiled.events,
    stream: { tsFormat: 'epoch' },
  });
  const parameters = new ParameterTable();
  const limits = { maxFutureMs: 300_000, maxAgeMs: 30 * 86_400_000, maxBatch: 1000 };
  const arrivals: Arrival[] = [];
  for (let due = engine.popDue(); due; due = engine.popDue()) {
    for (const m of due.messages) {
      const payload = m.readings.length === 1 && !m.backlog ? m.readings[0] : { readings: m.readings };
      const result = validateSubmission(
        {
          source: 'replay',
          payload,
          raw: '',
          topic: { sectionId: m.sectionId, stationId: m.stationId },
          authStationId: m.stationId,
        },
        { registry, parameters, limits, now: due.ms },
      );
      for (const reading of result.readings) arrivals.push({ reading, arriveMs: due.ms });
    }
  }
  return { arrivals, sectionIds: [...new Set(stations.map((s) => s.sectionId))] };
}

export interface ReplayInput {
  readonly registry: Registry;
  readonly sectionIds: readonly string[];
  readonly arrivals: readonly Arrival[];
  readonly fromMs: number;
  readonly toMs: number;
  readonly options?: AnalyticsOptionsInput;
  /** Each: checkpoint at `checkpointMs`, keep going, crash and restart from that checkpoint at `restartMs` (≥ it); in time order, not overlapping. */
  readonly restarts?: readonly { readonly checkpointMs: number; readonly restartMs: number }[];
}

/** Replays the arrivals (in arrival order) and returns every alert event, in the order they were emitted. */
export function replay(input: ReplayInput): AlertEvent[] {
  const { registry, options } = input;
  const clock = new ManualClock(input.fromMs);
  const parameters = new ParameterTable();
  let analyzers = new Map<string, SectionAnalyzer>();
  let buffers = new Map<string, ReorderBuffer<Item>>();
  const deps = (sectionId: string) => ({
    registry,
    sectionId,
    clock,
    parameters,
    ...(options ? { options } : {}),
    upstreamView: (id: string) => analyzers.get(id)?.view(),
  });
  const byStation = (a: Item, b: Item) => (a.stationId < b.stationId ? -1 : a.stationId > b.stationId ? 1 : a.seq - b.seq);
  const newBuffers = () =>
    new Map(input.sectionIds.map((id) => [id, new ReorderBuffer<Item>(sectionHoldLimits(resolveSectionOptions(options, id).reorder, registry.stationsOf(id).length), byStation)]));
  for (const id of input.sectionIds) analyzers.set(id, new SectionAnalyzer(deps(id)));
  buffers = newBuffers();

  const sorted = input.arrivals
    .map((a, seq) => ({ ...a, seq }))
    .sort((a, b) => a.arriveMs - b.arriveMs || a.seq - b.seq);
  const out: AlertEvent[] = [];
  /** Pushed and not yet released: what a checkpoint does not cover. */
  const inFlight = new Set<Item>();
  const push = (item: Item, atMs: number): void => {
    inFlight.add(item);
    (buffers.get(item.sectionId) as ReorderBuffer<Item>).push(item, atMs);
  };
  const drain = (atMs: number, flush = false): void => {
    for (const [sectionId, buffer] of buffers) {
      const released = flush ? buffer.flush() : buffer.drain(atMs);
      // As the worker: late readings and the released ones together, in event-time order.
      const items = [...released.late, ...released.inOrder].sort((a, b) => a.ts - b.ts || byStation(a, b));
      for (const item of items) inFlight.delete(item);
      if (items.length > 0) out.push(...(analyzers.get(sectionId) as SectionAnalyzer).process(items));
    }
  };
  const restarts = [...(input.restarts ?? [])];
  let phase = 'running' as 'running' | 'checkpointed';
  let checkpoint = new Map<string, string>();
  /** Not covered by the checkpoint (held at it, or delivered since): delivered again after the crash. */
  let uncovered: Item[] = [];
  const tick = (atMs: number): void => {
    clock.set(atMs);
    drain(atMs);
    for (const a of analyzers.values()) out.push(...a.tick(atMs));
    const r = restarts[0];
    if (r && phase === 'running' && atMs >= r.checkpointMs) {
      checkpoint = new Map([...analyzers].map(([id, a]) => [id, JSON.stringify(a.snapshot())]));
      uncovered = [...inFlight];
      phase = 'checkpointed';
    }
    if (r && phase === 'checkpointed' && atMs >= r.restartMs) {
      analyzers = new Map();
      for (const [id, json] of checkpoint) analyzers.set(id, SectionAnalyzer.restore(JSON.parse(json), deps(id)));
      buffers = newBuffers();
      inFlight.clear();
      for (const item of uncovered.sort((a, b) => a.seq - b.seq)) push(item, atMs);
      phase = 'running';
      restarts.shift();
      drain(atMs);
    }
  };

  const tickMs = 60_000;
  let nextTickMs = input.fromMs + tickMs;
  for (const a of sorted) {
    while (nextTickMs <= a.arriveMs) {
      tick(nextTickMs);
      nextTickMs += tickMs;
    }
    clock.set(a.arriveMs);
    const item: Item = { ...a.reading, seq: a.seq };
    push(item, a.arriveMs);
    if (phase === 'checkpointed') uncovered.push(item);
    drain(a.arriveMs);
  }
  while (nextTickMs <= input.toMs + 2 * 3_600_000) {
    tick(nextTickMs);
    nextTickMs += tickMs;
  }
  drain(nextTickMs, true);
  return out;
}

/**
 * What an operator sees of the alerts, one line per distinct raise: kind,
 * condition key (section or station, parameter), station, parameters,
 * level, and the first time it was raised. Station-offline alerts are left
 * out: they are about arrival (processing) time by design.
 */
export function alertLines(events: readonly AlertEvent[]): string[] {
  const first = new Map<string, number>();
  for (const e of events) {
    if (e.type !== 'raise' || e.key.startsWith('dq-offline:')) continue;
    const line = `${e.kind} ${e.key} ${e.stationId ?? '-'} ${[...e.parameters].sort().join('+')} ${e.level ?? '-'}`;
    const ts = first.get(line);
    if (ts === undefined || e.ts < ts) first.set(line, e.ts);
  }
  return [...first].map(([line, ts]) => `${new Date(ts).toISOString()} ${line}`).sort();
}
