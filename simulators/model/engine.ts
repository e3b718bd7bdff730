/**
 * The simulation engine: every station's next reading time in a min-heap,
 * popped in (time, station order) so the stream is deterministic for a seed.
 * Pure: time only moves when the caller pops; the runner decides how fast.
 */
import type { Registry, Station } from '../../domain/index.js';
import { sectionBaseline } from './baseline.js';
import type { ScenarioEvents } from './scenario-events.js';
import { SectionWater, type SectionInfluences } from './section-water.js';
import { DEFAULT_STREAM_OPTIONS, StationStream, type StationMessage, type StreamOptions } from './station-stream.js';

export interface EngineOptions {
  readonly registry: Registry;
  /** Stations to simulate, in a fixed order (ties at one instant are broken by this order). */
  readonly stations: readonly Station[];
  readonly seed: number;
  readonly fromMs: number;
  /** Exclusive end; Infinity to run until closed. */
  readonly toMs: number;
  readonly events: ScenarioEvents;
  readonly stream?: Partial<StreamOptions>;
}

interface HeapEntry {
  ms: number;
  order: number;
  version: number;
}

/** All readings due at one simulated instant. */
export interface Due {
  readonly ms: number;
  readonly messages: StationMessage[];
}

export class SimulationEngine {
  readonly fromMs: number;
  readonly toMs: number;
  readonly #streams: StationStream[] = [];
  readonly #byId = new Map<string, number>();
  readonly #versions: number[] = [];
  readonly #heap: HeapEntry[] = [];
  readonly #waters = new Map<string, SectionWater>();
  #nowMs: number;

  constructor(options: EngineOptions) {
    this.fromMs = options.fromMs;
    this.toMs = options.toMs;
    this.#nowMs = options.fromMs;
    const streamOptions: StreamOptions = { ...DEFAULT_STREAM_OPTIONS, ...options.stream };
    options.stations.forEach((station, order) => {
      const water = this.#waterOf(options, station.sectionId);
      const stream = new StationStream(station, water, options.seed, options.events.faults, streamOptions);
      this.#streams.push(stream);
      this.#byId.set(station.id, order);
      this.#versions.push(0);
      this.#push({ ms: stream.firstTickAt(options.fromMs), order, version: 0 });
    });
  }

  #waterOf(options: EngineOptions, sectionId: string): SectionWater {
    const existing = this.#waters.get(sectionId);
    if (existing) return existing;
    const section = options.registry.section(sectionId);
    if (!section) throw new Error(`station on unknown section ${sectionId}`);
    const ev = options.events;
    const influences: SectionInfluences = {
      rain: ev.rain.filter((r) => r.sectionIds.includes(sectionId)),
      trends: ev.trends.filter((t) => t.sectionIds.includes(sectionId)),
      spills: ev.spills.flatMap((spill) =>
        spill.reaches.filter((r) => r.sectionId === sectionId).map((reach) => ({ spill, reach })),
      ),
    };
    const water = new SectionWater(section, sectionBaseline(section, options.seed), options.seed, influences);
    this.#waters.set(sectionId, water);
    return water;
  }

  /** Simulated time of the last popped instant (the run's start before the first pop). */
  get nowMs(): number {
    return this.#nowMs;
  }

  get stationCount(): number {
    return this.#streams.length;
  }

  /** The water model of a section (shared by its stations), when a station of it is simulated. */
  water(sectionId: string): SectionWater | undefined {
    return this.#waters.get(sectionId);
  }

  stream(stationId: string): StationStream | undefined {
    const order = this.#byId.get(stationId);
    return order === undefined ? undefined : this.#streams[order];
  }

  /** Readings held in gateways without link. */
  backlogSize(): number {
    return this.#streams.reduce((n, s) => n + s.backlogSize, 0);
  }

  /** Time of the next reading, or undefined when the run is over. */
  peekMs(): number | undefined {
    this.#dropStale();
    const top = this.#heap[0];
    return top === undefined || top.ms >= this.toMs ? undefined : top.ms;
  }

  /** Takes every reading due at the next instant. */
  popDue(): Due | undefined {
    const ms = this.peekMs();
    if (ms === undefined) return undefined;
    this.#nowMs = ms;
    const messages: StationMessage[] = [];
    for (;;) {
      this.#dropStale();
      const top = this.#heap[0];
      if (!top || top.ms !== ms) break;
      this.#pop();
      const stream = this.#streams[top.order] as StationStream;
      messages.push(...stream.tick(ms));
      this.#push({ ms: stream.nextTickAfter(ms), order: top.order, version: top.version });
    }
    return { ms, messages };
  }

  /**
   * Applies a sampling-interval command at simulated time `atMs`
   * (undefined interval: back to the registry's). Returns false for an
   * unknown station.
   */
  setSamplingInterval(stationId: string, intervalS: number | undefined, atMs: number): boolean {
    const order = this.#byId.get(stationId);
    if (order === undefined) return false;
    const stream = this.#streams[order] as StationStream;
    const next = stream.setInterval(intervalS === undefined ? undefined : intervalS * 1000, Math.max(atMs, this.#nowMs));
    const version = (this.#versions[order] as number) + 1;
    this.#versions[order] = version;
    this.#push({ ms: next, order, version });
    return true;
  }

  /**
   * A verification measurement at simulated time `atMs`: the station's
   * analyser parameters are measured at its next reading after the
   * analyser's shortest cycle. Returns when, or undefined for an unknown station.
   */
  measureNow(stationId: string, atMs: number): number | undefined {
    const order = this.#byId.get(stationId);
    if (order === undefined) return undefined;
    return (this.#streams[order] as StationStream).measureNow(Math.max(atMs, this.#nowMs));
  }

  #dropStale(): void {
    while (this.#heap.length > 0) {
      const top = this.#heap[0] as HeapEntry;
      if (top.version === this.#versions[top.order]) return;
      this.#pop();
    }
  }

  #less(a: HeapEntry, b: HeapEntry): boolean {
    return a.ms < b.ms || (a.ms === b.ms && a.order < b.order);
  }

  #push(entry: HeapEntry): void {
    const heap = this.#heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(heap[i] as HeapEntry, heap[parent] as HeapEntry)) break;
      [heap[i], heap[parent]] = [heap[parent] as HeapEntry, heap[i] as HeapEntry];
      i = parent;
    }
  }

  #pop(): HeapEntry | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && this.#less(heap[l] as HeapEntry, heap[m] as HeapEntry)) m = l;
        if (r < heap.length && this.#less(heap[r] as HeapEntry, heap[m] as HeapEntry)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m] as HeapEntry, heap[i] as HeapEntry];
        i = m;
      }
    }
    return top;
  }
}
