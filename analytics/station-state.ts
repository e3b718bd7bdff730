/**
 * The detector state of one station of a section: per-parameter series
 * (threshold, trend, flat line, spike, interval estimate), offline monitor,
 * flag tracker and the sudden-change engine, with a JSON-safe snapshot.
 * Composition is section-analyzer.ts; alert decisions are analyze-reading.ts
 * and the *-condition.ts files.
 */
import { median } from 'simple-statistics';
import type { DataFlag, ParameterTable, Section, Station } from '../domain/index.js';
import {
  FlagTracker,
  FlatLineDetector,
  OfflineMonitor,
  SpikeDetector,
  type FlatLineState,
  type OfflineState,
  type SpikeState,
} from './detectors/data-quality.js';
import { ThresholdDetector, thresholdApplies, type ThresholdState } from './detectors/threshold.js';
import { TrendDetector, type TrendState } from './detectors/trend.js';
import type { SectionOptions } from './options.js';

/** A signal given to the sudden-change detector (its contract, analytics/detectors/sudden-change.ts). */
export interface SuddenChangeSignal {
  readonly key: string;
  readonly precision: number;
  readonly role: 'quality' | 'context';
}

/** What one sudden-change update returns (its contract). */
export interface SuddenChangeResult {
  readonly ts: number;
  readonly score: number;
  readonly outliers: readonly string[];
  readonly inEvent: boolean;
  readonly started: boolean;
  readonly ended: boolean;
  readonly baseline: Readonly<Record<string, number>>;
}

/** The sudden-change detector as the analyzer uses it (structural: the real class satisfies it). */
export interface SuddenChangeEngine {
  update(ts: number, values: Record<string, number | undefined>): SuddenChangeResult;
  snapshot(): unknown;
}

/** Builds and restores sudden-change engines; injected so tests can use a stand-in. */
export interface SuddenChangeFactory {
  create(signals: SuddenChangeSignal[], options: Readonly<Record<string, unknown>>): SuddenChangeEngine;
  restore(snapshot: unknown, signals: SuddenChangeSignal[], options: Readonly<Record<string, unknown>>): SuddenChangeEngine;
}

export interface SeriesSnapshot {
  gaps: number[];
  lastTs: number | undefined;
  latest: { ts: number; value: number; flag: DataFlag } | undefined;
  threshold: ThresholdState | undefined;
  trend: TrendState | undefined;
  flat: FlatLineState;
  spike: SpikeState;
}

/** An ongoing sudden-change event of a station, as the analyzer tracks it. */
export interface SuddenEvent {
  startTs: number;
  /** Quality parameters that moved at some point of the event. */
  parameters: string[];
  /** Highest change score seen. */
  score: number;
  /** Baseline of each moving parameter when it first moved. */
  baseline: Record<string, number>;
}

export interface StationSnapshot {
  lastTs: number | undefined;
  offline: OfflineState;
  flags: Record<string, DataFlag>;
  series: Record<string, SeriesSnapshot>;
  sudden: unknown;
  suddenEvent: SuddenEvent | undefined;
  /** End of the recovery period after a runoff notice (absent in snapshots written before issue 13). */
  runoffUntilTs?: number | undefined;
  /** Parameters drifting against the section's other stations, with the offset before the drift (analytics/drift.ts). */
  drift?: Record<string, { refOffset: number; sinceTs: number }>;
}

const GAPS_KEPT = 8;

/** One parameter of one station. */
export class SeriesState {
  readonly key: string;
  readonly threshold: ThresholdDetector | undefined;
  readonly trend: TrendDetector | undefined;
  readonly flat: FlatLineDetector;
  readonly spike: SpikeDetector;
  readonly #defaultIntervalMs: number;
  #gaps: number[];
  #intervalMs: number | undefined;
  #lastTs: number | undefined;
  /** Latest evidence value (N/T, not flat-lined). */
  latest: { ts: number; value: number; flag: DataFlag } | undefined;

  constructor(
    key: string,
    section: Section,
    station: Station,
    options: SectionOptions,
    parameters: ParameterTable,
    snap?: SeriesSnapshot,
  ) {
    const p = options.parameter(key);
    const precision = parameters.get(key)?.precision ?? 0;
    const target = { key, targetClass: section.targetClass, waterBody: section.waterBody };
    this.key = key;
    this.threshold = thresholdApplies(target, p.threshold)
      ? new ThresholdDetector(target, p.threshold, snap?.threshold)
      : undefined;
    this.trend = this.threshold ? new TrendDetector(this.threshold.rule.targetLimit, precision, p.trend, snap?.trend) : undefined;
    this.flat = new FlatLineDetector(precision, p.flatLine, snap?.flat);
    this.spike = new SpikeDetector(precision, p.spike, snap?.spike);
    this.#defaultIntervalMs = station.samplingIntervalS * 1000;
    this.#gaps = [...(snap?.gaps ?? [])];
    this.#lastTs = snap?.lastTs;
    this.latest = snap?.latest;
  }

  /** Notes a sample time; returns the series' sampling interval (median of recent gaps, else the station's). */
  observe(ts: number): number {
    if (this.#lastTs !== undefined && ts > this.#lastTs) {
      const gap = ts - this.#lastTs;
      // The median cannot change when the gap that drops out equals the one coming in (regular sampling).
      if (!(this.#gaps.length >= GAPS_KEPT && this.#gaps[0] === gap)) this.#intervalMs = undefined;
      this.#gaps.push(gap);
      if (this.#gaps.length > GAPS_KEPT) this.#gaps.shift();
    }
    this.#lastTs = ts;
    return this.intervalMs;
  }

  get intervalMs(): number {
    if (this.#gaps.length === 0) return this.#defaultIntervalMs;
    this.#intervalMs ??= median(this.#gaps);
    return this.#intervalMs;
  }

  snapshot(): SeriesSnapshot {
    return {
      gaps: [...this.#gaps],
      lastTs: this.#lastTs,
      latest: this.latest && { ...this.latest },
      threshold: this.threshold?.snapshot(),
      trend: this.trend?.snapshot(),
      flat: this.flat.snapshot(),
      spike: this.spike.snapshot(),
    };
  }
}

/** All detector state of one station. */
export class StationState {
  readonly station: Station;
  readonly offline: OfflineMonitor;
  readonly flags: FlagTracker;
  readonly series = new Map<string, SeriesState>();
  readonly sudden: SuddenChangeEngine | undefined;
  suddenEvent: SuddenEvent | undefined;
  /** Until then the station is recovering from rain runoff (analytics/runoff.ts). */
  runoffUntilTs: number | undefined;
  /** Parameters drifting against the section's other stations (analytics/drift.ts): data quality only while listed. */
  drift: Record<string, { refOffset: number; sinceTs: number }>;
  lastTs: number | undefined;
  readonly #section: Section;
  readonly #options: SectionOptions;
  readonly #parameters: ParameterTable;

  constructor(
    section: Section,
    station: Station,
    options: SectionOptions,
    parameters: ParameterTable,
    activeSinceMs: number,
    factory: SuddenChangeFactory | undefined,
    snap?: StationSnapshot,
  ) {
    this.#section = section;
    this.station = station;
    this.#options = options;
    this.#parameters = parameters;
    this.lastTs = snap?.lastTs;
    this.offline = new OfflineMonitor(station.samplingIntervalS * 1000, options.offline, activeSinceMs, snap?.offline);
    this.flags = new FlagTracker(snap?.flags);
    for (const [key, s] of Object.entries(snap?.series ?? {}))
      this.series.set(key, new SeriesState(key, section, station, options, parameters, s));
    this.suddenEvent = snap?.suddenEvent;
    this.runoffUntilTs = snap?.runoffUntilTs;
    this.drift = { ...(snap?.drift ?? {}) };
    const sc = options.suddenChange;
    if (factory && sc.enabled) {
      const signals: SuddenChangeSignal[] = station.parameters
        .filter((key) => !sc.ignoredParameters.includes(key))
        .map((key) => ({
          key,
          precision: parameters.get(key)?.precision ?? 0,
          role: sc.contextParameters.includes(key) ? 'context' : 'quality',
        }));
      this.sudden =
        snap?.sudden !== undefined ? factory.restore(snap.sudden, signals, sc.detector) : factory.create(signals, sc.detector);
    }
  }

  seriesFor(key: string): SeriesState {
    let s = this.series.get(key);
    if (!s) {
      s = new SeriesState(key, this.#section, this.station, this.#options, this.#parameters);
      this.series.set(key, s);
    }
    return s;
  }

  snapshot(): StationSnapshot {
    return {
      lastTs: this.lastTs,
      offline: this.offline.snapshot(),
      flags: this.flags.snapshot(),
      series: Object.fromEntries([...this.series].map(([k, s]) => [k, s.snapshot()])),
      sudden: this.sudden?.snapshot(),
      suddenEvent: this.suddenEvent,
      runoffUntilTs: this.runoffUntilTs,
      drift: { ...this.drift },
    };
  }
}
