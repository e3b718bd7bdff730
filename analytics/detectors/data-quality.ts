/**
 * Data-quality checks (issue 5 §5): station offline, flat line, fault /
 * maintenance / calibration flags, isolated implausible spikes. They raise
 * data-quality alerts for station operators, never pollution alerts, and a
 * value they find doubtful is kept away from the pollution detectors.
 */
import { median } from 'simple-statistics';
import { isEvidence, type DataFlag } from '../../domain/index.js';
import type { FlatLineOptions, OfflineOptions, SpikeOptions } from '../options.js';

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

export interface SpikeState {
  /** Last two accepted samples, oldest first: [bTs, bValue, cTs, cValue]; `seen` says how many are valid. */
  prev: [number, number, number, number];
  seen: number;
  /** Recent absolute steps between consecutive accepted samples. */
  steps: number[];
  /** Times of the spikes within the window. */
  spikes: number[];
  open: boolean;
}

export interface SpikeUpdate {
  /** Timestamp of the previous sample when it turned out to be an isolated spike. */
  readonly spikeTs: number | undefined;
  readonly spikeValue: number | undefined;
  readonly change: DqChange;
  readonly scale: number | undefined;
  /** Spikes within the window. */
  readonly count: number;
}

const NO_SPIKE: SpikeUpdate = Object.freeze({
  spikeTs: undefined,
  spikeValue: undefined,
  change: undefined,
  scale: undefined,
  count: 0,
});

/**
 * Isolated implausible spike: one sample jumps by more than
 * `thresholdScales` robust scales (1.4826 × MAD of recent steps, floored at
 * the instrument precision) and the next one comes straight back. Known one
 * sample late; every spike is reported (`spikeTs`) so the analyzer can take
 * it out of the pollution checks, but the data-quality alert opens only
 * when `raiseCount` spikes fall within `windowMs` (one odd value is not a
 * sensor problem worth an operator's trip) and clears after a window
 * without any. Only for series sampled at least every `maxIntervalMs`: a
 * single 4-h analyzer result may be a real short plume.
 */
export class SpikeDetector {
  readonly #o: SpikeOptions;
  readonly #precision: number;
  #s: SpikeState;

  constructor(precision: number, options: SpikeOptions, state?: SpikeState) {
    this.#o = options;
    this.#precision = precision;
    this.#s = state ? structuredClone(state) : { prev: [0, 0, 0, 0], seen: 0, steps: [], spikes: [], open: false };
  }

  get open(): boolean {
    return this.#s.open;
  }

  update(ts: number, value: number, intervalMs: number): SpikeUpdate {
    const s = this.#s;
    const o = this.#o;
    if (!o.enabled || intervalMs > o.maxIntervalMs) return NO_SPIKE;
    const p = s.prev;
    const [bTs, bV, cTs, cV] = p;
    let spike = false;
    let scale: number | undefined;
    if (s.seen >= 2 && s.steps.length >= o.minHistory && ts - bTs <= 6 * intervalMs) {
      const d1 = cV - bV;
      const d2 = value - cV;
      const floor = Math.max(o.minScalePrecisions * this.#precision, 1e-12);
      // Shape first (cheap): a jump out and straight back, beyond the floor; only then the robust scale.
      const shaped = Math.sign(d1) !== Math.sign(d2) && Math.abs(value - bV) <= o.returnFraction * Math.abs(d1);
      if (shaped && Math.min(Math.abs(d1), Math.abs(d2)) > o.thresholdScales * floor) {
        scale = Math.max(1.4826 * median(s.steps), floor);
        const limit = o.thresholdScales * scale;
        spike = Math.abs(d1) > limit && Math.abs(d2) > limit;
      }
    }
    if (spike) {
      s.steps.pop(); // the jump into the spike was counted as a step one sample ago
      s.steps.push(Math.abs(value - bV));
      p[2] = ts; // the spike is dropped: b stays, the new value takes c's place
      p[3] = value;
    } else {
      if (s.seen >= 1) s.steps.push(Math.abs(value - (s.seen >= 2 ? cV : bV)));
      if (s.seen >= 2) {
        p[0] = cTs;
        p[1] = cV;
        p[2] = ts;
        p[3] = value;
      } else if (s.seen === 1) {
        p[2] = ts;
        p[3] = value;
      } else {
        p[0] = ts;
        p[1] = value;
      }
      s.seen = Math.min(2, s.seen + 1);
    }
    while (s.steps.length > o.historySamples) s.steps.shift();

    if (spike) s.spikes.push(cTs);
    while (s.spikes.length > 0 && (s.spikes[0] as number) <= ts - o.windowMs) s.spikes.shift();
    let change: DqChange;
    if (!s.open && s.spikes.length >= o.raiseCount) {
      s.open = true;
      change = 'raise';
    } else if (s.open && s.spikes.length === 0) {
      s.open = false;
      change = 'clear';
    }
    if (!spike && change === undefined) return NO_SPIKE;
    return { spikeTs: spike ? cTs : undefined, spikeValue: spike ? cV : undefined, change, scale, count: s.spikes.length };
  }

  snapshot(): SpikeState {
    return structuredClone(this.#s);
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
