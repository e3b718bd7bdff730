/**
 * Data-quality checks (issue 5 §5): station offline, flat line, fault /
 * maintenance / calibration flags, isolated implausible spikes. They raise
 * data-quality alerts for station operators, never pollution alerts, and a
 * value they find doubtful is kept away from the pollution detectors.
 *
 * The spike check is spike-detector.ts.
 */
import { isEvidence, type DataFlag } from '../../domain/index.js';
import type { FlatLineOptions, OfflineOptions } from '../options.js';

export { SpikeDetector, type SpikeState, type SpikeUpdate } from './spike-detector.js';

/** Open/clear transition of a data-quality condition. */
export type DqChange = 'raise' | 'clear' | undefined;

export interface OfflineState {
  lastSeenTs: number | undefined;
  open: boolean;
}

/**
 * Offline when no reading has come for `intervals × samplingInterval +
 * graceMs`, judged on a clock tick. Silence is measured from the later of
 * the last reading and the time this monitor became active, so after a
 * restart every station gets the full threshold again: no "offline" storm
 * while the backlog is being read.
 */
export class OfflineMonitor {
  readonly #thresholdMs: number;
  readonly #activeSinceMs: number;
  #s: OfflineState;

  constructor(samplingIntervalMs: number, options: OfflineOptions, activeSinceMs: number, state?: OfflineState) {
    this.#thresholdMs = options.intervals * samplingIntervalMs + options.graceMs;
    this.#activeSinceMs = activeSinceMs;
    this.#s = state ? { ...state } : { lastSeenTs: undefined, open: false };
  }

  get open(): boolean {
    return this.#s.open;
  }

  get lastSeenTs(): number | undefined {
    return this.#s.lastSeenTs;
  }

  get thresholdMs(): number {
    return this.#thresholdMs;
  }

  /** A reading (any flag) arrived: the station is alive. */
  seen(ts: number): DqChange {
    if (this.#s.lastSeenTs === undefined || ts > this.#s.lastSeenTs) this.#s.lastSeenTs = ts;
    if (!this.#s.open) return undefined;
    this.#s.open = false;
    return 'clear';
  }

  /** Clock tick. */
  check(nowMs: number): { change: DqChange; silentMs: number } {
    const since = Math.max(this.#s.lastSeenTs ?? this.#activeSinceMs, this.#activeSinceMs);
    const silentMs = nowMs - since;
    if (this.#s.open || silentMs <= this.#thresholdMs) return { change: undefined, silentMs };
    this.#s.open = true;
    return { change: 'raise', silentMs };
  }

  snapshot(): OfflineState {
    return { ...this.#s };
  }
}

export interface FlatLineState {
  refValue: number | undefined;
  runStartTs: number | undefined;
  runCount: number;
  open: boolean;
}

/**
 * Flat line: the value stays within `tolerancePrecisions × precision` of the
 * run's first value for at least `minSamples` samples AND `minDurationMs`.
 * Both, because a 4-h nutrient series legitimately repeats a value a few
 * times and a low-resolution minute series repeats it for a while.
 */
export class FlatLineDetector {
  readonly #o: FlatLineOptions;
  readonly #tolerance: number;
  #s: FlatLineState;

  constructor(precision: number, options: FlatLineOptions, state?: FlatLineState) {
    this.#o = options;
    this.#tolerance = Math.max(options.tolerancePrecisions * precision, 1e-12);
    this.#s = state ? { ...state } : { refValue: undefined, runStartTs: undefined, runCount: 0, open: false };
  }

  get open(): boolean {
    return this.#s.open;
  }

  get runStartTs(): number | undefined {
    return this.#s.runStartTs;
  }

  get runCount(): number {
    return this.#s.runCount;
  }

  update(ts: number, value: number): DqChange {
    const s = this.#s;
    const o = this.#o;
    if (!o.enabled) return undefined;
    const ignored = o.ignoreAtOrBelow !== undefined && value <= o.ignoreAtOrBelow;
    if (!ignored && s.refValue !== undefined && Math.abs(value - s.refValue) <= this.#tolerance) {
      s.runCount += 1;
      const long = s.runCount >= o.minSamples && ts - (s.runStartTs as number) >= o.minDurationMs;
      if (long && !s.open) {
        s.open = true;
        return 'raise';
      }
      return undefined;
    }
    const wasOpen = s.open;
    s.refValue = ignored ? undefined : value;
    s.runStartTs = ignored ? undefined : ts;
    s.runCount = ignored ? 0 : 1;
    s.open = false;
    return wasOpen ? 'clear' : undefined;
  }

  snapshot(): FlatLineState {
    return { ...this.#s };
  }
}

/**
 * Fault, maintenance, calibration (any flag but N and T) per parameter of a
 * station. A parameter stays flagged until it next arrives with N or T.
 */
export class FlagTracker {
  #flagged: Record<string, DataFlag>;

  constructor(state?: Record<string, DataFlag>) {
    this.#flagged = { ...(state ?? {}) };
  }

  get flagged(): Readonly<Record<string, DataFlag>> {
    return this.#flagged;
  }

  /**
   * Feeds one reading: `keys` are the parameters present in it, `flags` its
   * non-N flags (a missing flag means N). Raise when the flagged set changes.
   */
  update(keys: readonly string[], flags: Readonly<Record<string, DataFlag>>): DqChange {
    let anyFlag = false;
    for (const _ in flags) {
      anyFlag = true;
      break;
    }
    let anyFlagged = false;
    for (const _ in this.#flagged) {
      anyFlagged = true;
      break;
    }
    if (!anyFlag && !anyFlagged) return undefined; // the common case: all N, nothing flagged
    const before = canonical(this.#flagged);
    for (const key of keys) {
      const flag = flags[key] ?? 'N';
      if (isEvidence(flag)) delete this.#flagged[key];
      else this.#flagged[key] = flag;
    }
    if (canonical(this.#flagged) === before) return undefined;
    return Object.keys(this.#flagged).length === 0 ? 'clear' : 'raise';
  }

  snapshot(): Record<string, DataFlag> {
    return { ...this.#flagged };
  }
}

function canonical(flags: Readonly<Record<string, DataFlag>>): string {
  return Object.keys(flags)
    .sort()
    .map((k) => `${k}=${flags[k]}`)
    .join(',');
}
