/**
 * One simulated station: samples its section's water at its sampling
 * interval, the five basic parameters every time and the nutrients on the
 * analyser cycle, adds instrument noise (AR(1) at instrument precision) and
 * its faults, and turns the result into messages for the transport.
 */
import type { DataFlag, ReadingPayload, Station } from '../../domain/index.js';
import { isActive, type FaultEvent } from './faults.js';
import { behaviourOf, isNutrient, noiseSigma, quantise } from './parameter-behaviour.js';
import { deriveSeed, Rng } from './prng.js';
import type { SectionWater } from './section-water.js';
import { ceilToStep, formatIsoWithOffset, MINUTE_MS } from './sim-time.js';

/** What a station hands to its transport: one reading, or a backlog batch (`{ readings: [...] }`). */
export interface StationMessage {
  readonly stationId: string;
  readonly sectionId: string;
  readonly readings: readonly ReadingPayload[];
  /** True for a backlog upload after a link outage. */
  readonly backlog: boolean;
}

export interface StreamOptions {
  /** Analyser cycle of the nutrient parameters. @defaultValue 4 h */
  readonly nutrientCycleMs: number;
  /** Shortest analyser cycle when a command raises the sampling frequency. @defaultValue 1 h */
  readonly analyserMinCycleMs: number;
  /** Offset of the stations' local clock (the analyser cycle runs at 0/4/8/... local). @defaultValue +08:00 */
  readonly tzOffsetMinutes: number;
  /** `ts` as ISO 8601 with the offset, or epoch ms. @defaultValue 'iso' */
  readonly tsFormat: 'iso' | 'epoch';
  /** Overrides every station's registry sampling interval. */
  readonly samplingIntervalS?: number;
}

export const DEFAULT_STREAM_OPTIONS: StreamOptions = {
  nutrientCycleMs: 4 * 60 * MINUTE_MS,
  analyserMinCycleMs: 60 * MINUTE_MS,
  tzOffsetMinutes: 480,
  tsFormat: 'iso',
};

/** Largest backlog message (DESIGN.md: up to 1,000 readings). */
export const MAX_BATCH_READINGS = 1000;

interface NoiseState {
  readonly rng: Rng;
  /** In units of the noise standard deviation. */
  readonly bias: number;
  x: number;
  lastMs: number | undefined;
}

export class StationStream {
  readonly station: Station;
  readonly #water: SectionWater;
  readonly #options: StreamOptions;
  readonly #faults: readonly FaultEvent[];
  readonly #noise = new Map<string, NoiseState>();
  readonly #defaultIntervalMs: number;
  readonly #frozen = new Map<string, number>();
  readonly #lastReported = new Map<string, number>();
  #intervalMs: number;
  #nextNutrientMs: number | undefined;
  #lastTickMs: number | undefined;
  #seq = 0;
  #backlog: ReadingPayload[] = [];
  #backlogBatchSize = MAX_BATCH_READINGS;

  constructor(station: Station, water: SectionWater, seed: number, faults: readonly FaultEvent[], options: StreamOptions) {
    this.station = station;
    this.#water = water;
    this.#options = options;
    this.#faults = faults.filter((f) => f.stationId === station.id);
    this.#defaultIntervalMs = (options.samplingIntervalS ?? station.samplingIntervalS) * 1000;
    this.#intervalMs = this.#defaultIntervalMs;
    for (const key of station.parameters) {
      const rng = new Rng(deriveSeed(seed, 'instrument', station.id, key));
      // A fixed calibration bias of up to ±0.5 σ (in units of the noise): two stations on one section never read alike.
      const bias = rng.next() - 0.5;
      this.#noise.set(key, { rng, bias, x: rng.normal(), lastMs: undefined });
    }
  }

  get intervalMs(): number {
    return this.#intervalMs;
  }

  get defaultIntervalMs(): number {
    return this.#defaultIntervalMs;
  }

  /** Readings held by a gateway that lost its link. */
  get backlogSize(): number {
    return this.#backlog.length;
  }

  /** First reading time at or after `fromMs`, on the sampling grid. */
  firstTickAt(fromMs: number): number {
    return ceilToStep(fromMs, this.#intervalMs);
  }

  /** Next reading time after a tick at `ms`. */
  nextTickAfter(ms: number): number {
    return ceilToStep(ms + 1, this.#intervalMs);
  }

  /**
   * Changes the sampling interval (undefined restores the registry's) at
   * simulated time `atMs`; returns the next reading time.
   */
  setInterval(intervalMs: number | undefined, atMs: number): number {
    this.#intervalMs = intervalMs ?? this.#defaultIntervalMs;
    const cycle = this.#nutrientCycleMs();
    if (this.#nextNutrientMs !== undefined)
      this.#nextNutrientMs = Math.min(this.#nextNutrientMs, ceilToStep(atMs, cycle, this.#tzOffsetMs()));
    const after = Math.max(atMs, (this.#lastTickMs ?? atMs - 1) + 1);
    return ceilToStep(after, this.#intervalMs);
  }

  /**
   * A verification measurement asked at `atMs`: the analyser parameters come
   * with the first reading after the analyser's shortest cycle (a nutrient
   * analyser needs about an hour), unless they were due sooner anyway.
   * Returns the time they will be measured.
   */
  measureNow(atMs: number): number {
    const at = ceilToStep(atMs + this.#options.analyserMinCycleMs, this.#intervalMs);
    if (this.#nextNutrientMs === undefined) return atMs; // due at the next reading anyway
    this.#nextNutrientMs = Math.min(this.#nextNutrientMs, at);
    return this.#nextNutrientMs;
  }

  #tzOffsetMs(): number {
    return this.#options.tzOffsetMinutes * MINUTE_MS;
  }

  /** The analyser runs faster while a command raises the sampling frequency, never below its minimum cycle. */
  #nutrientCycleMs(): number {
    if (this.#intervalMs >= this.#defaultIntervalMs) return this.#options.nutrientCycleMs;
    return Math.min(this.#options.nutrientCycleMs, Math.max(this.#intervalMs, this.#options.analyserMinCycleMs));
  }

  /** Samples at `ms` and returns what the gateway sends now (nothing while offline or without link). */
  tick(ms: number): StationMessage[] {
    const prevTickMs = this.#lastTickMs;
    this.#lastTickMs = ms;
    const nutrientsDue = this.#nextNutrientMs === undefined || ms >= this.#nextNutrientMs;
    if (nutrientsDue) this.#nextNutrientMs = ceilToStep(ms + 1, this.#nutrientCycleMs(), this.#tzOffsetMs());

    const water = this.#water.valuesAt(ms);
    const values: Record<string, number> = {};
    const flags: Record<string, DataFlag> = {};
    for (const key of this.station.parameters) {
      if (isNutrient(key) && !nutrientsDue) continue;
      const level = water[key];
      const noise = this.#noise.get(key);
      if (level === undefined || noise === undefined) continue; // parameter not modelled by the simulator
      values[key] = level + this.#instrumentNoise(key, level, noise, ms);
    }
    this.#applyFaults(values, flags, ms, prevTickMs);
    for (const key of Object.keys(values)) {
      let v = quantise(key, Math.max(0, values[key] as number));
      if (key === 'ph') v = Math.min(14, v);
      values[key] = v;
      this.#lastReported.set(key, v);
    }

    if (this.#faults.some((f) => f.kind === 'offline' && isActive(f, ms))) return [];
    this.#seq += 1;
    const reading: ReadingPayload = {
      stationId: this.station.id,
      ts: this.#options.tsFormat === 'epoch' ? ms : formatIsoWithOffset(ms, this.#options.tzOffsetMinutes),
      seq: this.#seq,
      values,
      ...(Object.keys(flags).length > 0 ? { flags } : {}),
    };
    const linkLoss = this.#faults.find((f) => f.kind === 'link-loss' && isActive(f, ms));
    if (linkLoss) {
      this.#backlog.push(reading);
      this.#backlogBatchSize = Math.min(MAX_BATCH_READINGS, Math.max(1, linkLoss.batchSize ?? MAX_BATCH_READINGS));
      return [];
    }
    const out = this.#flushBacklog();
    out.push({ stationId: this.station.id, sectionId: this.station.sectionId, readings: [reading], backlog: false });
    return out;
  }

  #flushBacklog(): StationMessage[] {
    const out: StationMessage[] = [];
    for (let i = 0; i < this.#backlog.length; i += this.#backlogBatchSize) {
      out.push({
        stationId: this.station.id,
        sectionId: this.station.sectionId,
        readings: this.#backlog.slice(i, i + this.#backlogBatchSize),
        backlog: true,
      });
    }
    this.#backlog = [];
    return out;
  }

  /** AR(1) noise in continuous time (Ornstein–Uhlenbeck), so a changed interval keeps the same statistics. */
  #instrumentNoise(key: string, level: number, state: NoiseState, ms: number): number {
    const tauMs = behaviourOf(key)?.noiseTauMs ?? 30 * MINUTE_MS;
    const dt = state.lastMs === undefined ? Infinity : ms - state.lastMs;
    const rho = Math.exp(-dt / tauMs);
    state.x = rho * state.x + Math.sqrt(1 - rho * rho) * state.rng.normal();
    state.lastMs = ms;
    return noiseSigma(key, level) * (state.x + state.bias);
  }

  #applyFaults(
    values: Record<string, number>,
    flags: Record<string, DataFlag>,
    ms: number,
    prevTickMs: number | undefined,
  ): void {
    for (const fault of this.#faults) {
      const active = isActive(fault, ms);
      for (const key of fault.parameters) {
        const frozenKey = `${fault.id}:${key}`;
        if (!active) {
          this.#frozen.delete(frozenKey);
          continue;
        }
        const value = values[key];
        if (value === undefined) continue;
        switch (fault.kind) {
          case 'flatline': {
            // A stuck sensor repeats the last value it reported before sticking.
            const frozen = this.#frozen.get(frozenKey) ?? quantise(key, this.#lastReported.get(key) ?? value);
            this.#frozen.set(frozenKey, frozen);
            values[key] = frozen;
            break;
          }
          case 'drift':
            values[key] = value + ((fault.ratePerDay ?? 0) * (ms - fault.startMs)) / (24 * 60 * MINUTE_MS);
            break;
          case 'spikes': {
            const hit = (fault.spikeTimesMs ?? []).some((t) => t <= ms && (prevTickMs === undefined || t > prevTickMs));
            if (hit) values[key] = value * (fault.spikeFactor ?? 5);
            break;
          }
          case 'flag':
            if (fault.flag !== undefined) flags[key] = fault.flag;
            break;
          case 'offline':
          case 'link-loss':
            break;
        }
      }
    }
  }
}
