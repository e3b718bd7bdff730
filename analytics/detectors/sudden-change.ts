/**
 * Sudden-change (event) detector for one station (issue 5 §3), in the spirit
 * of CANARY-EDS (domain-facts §5.1):
 *
 * 1. Per signal, a robust baseline (median of a short rolling window of
 *    accepted values) and a robust scale (the signal's own high |residual|
 *    quantile, floored at its precision); the change score of a reading is
 *    |value − baseline| / scale (robust-baseline.ts).
 * 2. A row is an *outlier row* when at least `minParameters` quality signals
 *    are outliers together, or a *strong row* when one signal alone is far
 *    out (`strongOutlierThreshold`).
 * 3. Binomial event discriminator: an event starts when the outlier rows (or
 *    the strong rows) in the decision window are too many to be chance:
 *    BinomialCDF(n; m, p) ≥ `eventProbability`, n such rows among m, each
 *    with probability p in normal operation. With the defaults that is 2
 *    outlier rows, or 3 strong rows, among the last 5. One odd row never
 *    starts an event, whatever the options (decision-window.ts).
 * 4. The event ends after `clearMinSamples` rows and `clearAfterMs` without
 *    any outlying quality signal. Values seen in an event never join the
 *    baseline, and what the readings from `eventLookbackMs` before the event
 *    to `eventGuardMs` after it would teach the scale and the envelope is
 *    dropped (learning waits `learnDelayMs` for that: learning-queue.ts); a shift that lasts past `eventTimeoutMs` is accepted as the new
 *    baseline unless it lies far outside the signal's recent operating range.
 * 5. Context signals (temperature, flow) are scored the same way but never
 *    start an event; optionally (`contextExplains`) a marked context change
 *    within `contextWindowMs` asks for one more quality signal and discounts
 *    single strong signals.
 *
 * Every window and timeout is a duration with a floor in samples, so the same
 * defaults work for minute data, 5-minute data and 4-hour nutrient cycles.
 * Pure: no I/O, no clock; time comes with each row.
 */
import { DecisionWindow, MULTI, STRONG, type DecisionRows } from './decision-window.js';
import { IntervalEstimate } from './interval-estimate.js';
import { SignalBaseline, type BaselineScore, type SignalBaselineState } from './robust-baseline.js';
import { resolveSuddenChangeOptions, type SuddenChangeOptions } from './sudden-change-options.js';

export {
  checkSuddenChangeOptions,
  DEFAULT_SUDDEN_CHANGE_OPTIONS,
  resolveSuddenChangeOptions,
  type SuddenChangeOptions,
} from './sudden-change-options.js';

/** One signal given to the detector. */
export interface SignalSpec {
  /** Parameter key (domain/parameters.ts or a configured extra). */
  key: string;
  /** Instrument resolution: the floor of the signal's scale. */
  precision: number;
  /** `quality` signals can raise events; `context` signals (temperature, flow) only explain. */
  role: 'quality' | 'context';
}

/** One decision, for one row. */
export interface SuddenChangeResult {
  ts: number;
  /** Largest quality-signal change score of the row (|value − baseline| / scale); 0 when none was scored. */
  score: number;
  /** Quality signals that are outliers in this row. */
  outliers: string[];
  /** The station is in an event after this row. */
  inEvent: boolean;
  /** The event started on this row. */
  started: boolean;
  /** The event ended on this row. */
  ended: boolean;
  /** Baseline level per signal that this row was judged against (signals still filling their window are absent). */
  baseline: Record<string, number>;
}

/** JSON-safe state, from {@link SuddenChangeDetector.snapshot}. */
export interface SuddenChangeSnapshot {
  version: 1;
  signals: Record<string, SignalBaselineState>;
  rows: DecisionRows;
  inEvent: boolean;
  quietRows: number;
  lastOutlierTs: number | null;
  lastRowTs: number | null;
  lastQualityTs: number | null;
  qualityIntervalMs: number | null;
  lastContextTs: number | null;
}

interface Signal {
  readonly spec: SignalSpec;
  baseline: SignalBaseline;
}

export class SuddenChangeDetector {
  readonly #o: SuddenChangeOptions;
  readonly #signals: Signal[];
  readonly #quality: Signal[];
  readonly #context: Signal[];
  /** Decision window: row timestamps and kinds, oldest first. */
  #window: DecisionWindow;
  #inEvent = false;
  #quietRows = 0;
  #lastOutlierTs: number | undefined;
  #lastRowTs: number | undefined;
  #lastQualityTs: number | undefined;
  #qualityInterval = new IntervalEstimate();
  #lastContextTs: number | undefined;

  constructor(signals: SignalSpec[], options: Partial<SuddenChangeOptions> = {}) {
    this.#o = resolveSuddenChangeOptions(options);
    this.#window = new DecisionWindow(this.#o);
    const seen = new Set<string>();
    this.#signals = [];
    for (const spec of signals) {
      if (seen.has(spec.key)) throw new RangeError(`signal ${spec.key} given twice`);
      seen.add(spec.key);
      this.#signals.push({ spec: { ...spec }, baseline: new SignalBaseline(spec.precision, this.#o) });
    }
    this.#quality = this.#signals.filter((s) => s.spec.role === 'quality');
    this.#context = this.#signals.filter((s) => s.spec.role === 'context');
  }

  /** The resolved options (defaults filled in). */
  get options(): Readonly<SuddenChangeOptions> {
    return this.#o;
  }

  /** Whether the station is in an event. */
  get inEvent(): boolean {
    return this.#inEvent;
  }

  /**
   * One decision per row, in time order, without look-ahead. `undefined` (or a
   * non-finite number) is a gap in that signal. A row older than or equal to
   * the previous one is not scored and changes nothing.
   */
  update(ts: number, values: Record<string, number | undefined>): SuddenChangeResult {
    const o = this.#o;
    if (!Number.isFinite(ts) || (this.#lastRowTs !== undefined && ts <= this.#lastRowTs)) {
      return { ts, score: 0, outliers: [], inEvent: this.#inEvent, started: false, ended: false, baseline: this.#levels() };
    }
    this.#lastRowTs = ts;
    let ended = false;

    // Context signals: score, note an operational change, learn (they never join events).
    for (const s of this.#context) {
      const v = values[s.spec.key];
      if (v === undefined || !Number.isFinite(v)) continue;
      const sc = s.baseline.score(ts, v);
      const out = sc?.z !== undefined && sc.z >= o.outlierThreshold;
      if (sc?.z !== undefined && sc.z >= o.contextThreshold) this.#lastContextTs = ts;
      s.baseline.commit(ts, v, sc, out, !out, true);
    }

    // Quality signals: score.
    const scores: (BaselineScore | undefined)[] = new Array<BaselineScore | undefined>(this.#quality.length);
    const outliers: string[] = [];
    let maxZ = 0;
    let present = 0;
    let seen = 0;
    for (let i = 0; i < this.#quality.length; i++) {
      const s = this.#quality[i] as Signal;
      const v = values[s.spec.key];
      if (v === undefined || !Number.isFinite(v)) continue;
      present++;
      const sc = s.baseline.score(ts, v);
      scores[i] = sc;
      if (sc?.z === undefined) continue;
      seen++;
      if (sc.z > maxZ) maxZ = sc.z;
      if (sc.z >= o.outlierThreshold) outliers.push(s.spec.key);
    }

    let started = false;
    if (present > 0) {
      if (this.#qualityInterval.isGap(ts, this.#lastQualityTs, o) && this.#inEvent) {
        // No quality data for a long time: nothing supports the open event any more.
        this.#endEvent();
        ended = true;
      }
      this.#lastQualityTs = ts;
    }
    if (seen > 0) {
      const explained = o.contextExplains && this.#lastContextTs !== undefined && ts - this.#lastContextTs <= o.contextWindowMs;
      // An explained row needs one more quality signal, and a single strong signal does not count on its own.
      const kind =
        (outliers.length >= o.minParameters + (explained ? 1 : 0) ? MULTI : 0) |
        (!explained && maxZ >= o.strongOutlierThreshold ? STRONG : 0);
      this.#window.push(ts, kind);
      if (!this.#inEvent) {
        if (this.#window.eventEvidence(this.#qualityInterval.ms)) {
          this.#taint(ts - o.eventLookbackMs, ts + o.eventGuardMs);
          this.#inEvent = true;
          this.#quietRows = 0;
          this.#lastOutlierTs = ts;
          started = true;
        }
      } else if (outliers.length > 0) {
        this.#quietRows = 0;
        this.#lastOutlierTs = ts;
        this.#taint(ts, ts + o.eventGuardMs);
      } else {
        this.#taint(ts, ts + o.eventGuardMs);
        this.#quietRows++;
        if (this.#quietRows >= o.clearMinSamples && ts - (this.#lastOutlierTs ?? ts) >= o.clearAfterMs) {
          this.#endEvent();
          ended = true;
        }
      }
    }

    const baseline = this.#levels();
    // Learn: outliers and in-event values never join the baseline.
    for (let i = 0; i < this.#quality.length; i++) {
      const s = this.#quality[i] as Signal;
      const v = values[s.spec.key];
      if (v === undefined || !Number.isFinite(v)) continue;
      const sc = scores[i];
      const out = sc?.z !== undefined && sc.z >= o.outlierThreshold;
      s.baseline.commit(ts, v, sc, out, !out && !this.#inEvent, !this.#inEvent);
    }

    return { ts, score: maxZ, outliers, inEvent: this.#inEvent, started, ended: ended && !started, baseline };
  }

  /** JSON-safe state; restore with {@link SuddenChangeDetector.restore}. */
  snapshot(): SuddenChangeSnapshot {
    const signals: Record<string, SignalBaselineState> = {};
    for (const s of this.#signals) signals[s.spec.key] = s.baseline.toJSON();
    return {
      version: 1,
      signals,
      rows: this.#window.toJSON(),
      inEvent: this.#inEvent,
      quietRows: this.#quietRows,
      lastOutlierTs: this.#lastOutlierTs ?? null,
      lastRowTs: this.#lastRowTs ?? null,
      lastQualityTs: this.#lastQualityTs ?? null,
      qualityIntervalMs: this.#qualityInterval.ms ?? null,
      lastContextTs: this.#lastContextTs ?? null,
    };
  }

  /**
   * Rebuilds a detector from {@link snapshot} output, so a restart neither
   * blinds it nor re-raises an open event. Signals listed in `signals` but not
   * in the snapshot start cold; signals only in the snapshot are dropped. An
   * unreadable snapshot gives a cold detector.
   */
  static restore(snapshot: unknown, signals: SignalSpec[], options: Partial<SuddenChangeOptions> = {}): SuddenChangeDetector {
    const d = new SuddenChangeDetector(signals, options);
    if (!isSnapshot(snapshot)) return d;
    for (const s of d.#signals) {
      const state = snapshot.signals[s.spec.key];
      if (state) s.baseline = SignalBaseline.fromJSON(state, s.spec.precision, d.#o);
    }
    d.#window = new DecisionWindow(d.#o, snapshot.rows);
    d.#inEvent = snapshot.inEvent === true;
    d.#quietRows = Number.isFinite(snapshot.quietRows) ? snapshot.quietRows : 0;
    d.#lastOutlierTs = snapshot.lastOutlierTs ?? undefined;
    d.#lastRowTs = snapshot.lastRowTs ?? undefined;
    d.#lastQualityTs = snapshot.lastQualityTs ?? undefined;
    d.#qualityInterval = new IntervalEstimate(snapshot.qualityIntervalMs ?? undefined);
    d.#lastContextTs = snapshot.lastContextTs ?? undefined;
    return d;
  }

  #levels(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of this.#signals) {
      const l = s.baseline.level();
      if (l !== undefined) out[s.spec.key] = l;
    }
    return out;
  }

  /** Nothing the readings in [fromTs, untilTs] would teach is learned, on any signal. */
  #taint(fromTs: number, untilTs: number): void {
    for (const s of this.#signals) s.baseline.taint(fromTs, untilTs);
  }

  #endEvent(): void {
    this.#inEvent = false;
    this.#quietRows = 0;
    // The evidence that raised the event is spent; a new event needs new evidence.
    this.#window.clear();
  }
}

function isSnapshot(x: unknown): x is SuddenChangeSnapshot {
  if (typeof x !== 'object' || x === null) return false;
  const s = x as Partial<SuddenChangeSnapshot>;
  return (
    s.version === 1 &&
    typeof s.signals === 'object' &&
    s.signals !== null &&
    typeof s.rows === 'object' &&
    s.rows !== null &&
    Array.isArray(s.rows.ts) &&
    Array.isArray(s.rows.kind)
  );
}
