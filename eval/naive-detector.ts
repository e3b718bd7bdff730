/**
 * The deliberately naive detector of issue 5, for an honest comparison:
 * per quality signal a robust z-score against the median/MAD of a rolling
 * window of accepted values (MAD × 1.4826, floored at the signal's
 * precision); a row is an outlier when any quality signal is; alarm while 3
 * of the last 5 rows are outliers; after an hour of consecutive outlier rows
 * every window is reloaded with the last hour of raw values.
 *
 * Choices the issue leaves open, fixed here: window = 1 hour of accepted
 * values; outlier when |z| > 3.5 (the usual modified z-score cut-off,
 * Iglewicz & Hoaglin); context signals are ignored.
 */
import { median, medianAbsoluteDeviation } from 'simple-statistics';
import type { SignalSpec } from '../analytics/detectors/sudden-change.js';

export interface NaiveOptions {
  /** @defaultValue 3600000 (1 h) */
  readonly windowMs: number;
  /** @defaultValue 3.5 */
  readonly zThreshold: number;
  /** @defaultValue 5 */
  readonly lastRows: number;
  /** @defaultValue 3 */
  readonly outlierRows: number;
  /** @defaultValue 3600000 (1 h) */
  readonly rebaselineAfterMs: number;
  /** A signal is scored once its window holds this many values. @defaultValue 10 */
  readonly minSamples: number;
}

const DEFAULTS: NaiveOptions = {
  windowMs: 3_600_000,
  zThreshold: 3.5,
  lastRows: 5,
  outlierRows: 3,
  rebaselineAfterMs: 3_600_000,
  minSamples: 10,
};

interface NaiveSignal {
  readonly key: string;
  readonly precision: number;
  accepted: { ts: number; v: number }[];
  raw: { ts: number; v: number }[];
}

export class NaiveDetector {
  readonly #o: NaiveOptions;
  readonly #signals: NaiveSignal[];
  readonly #last: boolean[] = [];
  #outlierSinceTs: number | undefined;
  #inEvent = false;

  constructor(signals: readonly SignalSpec[], options: Partial<NaiveOptions> = {}) {
    this.#o = { ...DEFAULTS, ...options };
    this.#signals = signals
      .filter((s) => s.role === 'quality')
      .map((s) => ({ key: s.key, precision: s.precision, accepted: [], raw: [] }));
  }

  update(ts: number, values: Record<string, number | undefined>): { inEvent: boolean; outliers: string[] } {
    const o = this.#o;
    const outliers: string[] = [];
    const judged: { s: NaiveSignal; v: number; out: boolean }[] = [];
    for (const s of this.#signals) {
      const v = values[s.key];
      if (v === undefined || !Number.isFinite(v)) continue;
      s.raw.push({ ts, v });
      while ((s.raw[0] as { ts: number }).ts <= ts - o.windowMs) s.raw.shift();
      let out = false;
      if (s.accepted.length >= o.minSamples) {
        const xs = s.accepted.map((p) => p.v);
        const m = median(xs);
        const scale = Math.max(1.4826 * medianAbsoluteDeviation(xs), s.precision);
        out = Math.abs(v - m) / scale > o.zThreshold;
      }
      if (out) outliers.push(s.key);
      judged.push({ s, v, out });
    }
    const rowOut = outliers.length > 0;
    for (const { s, v, out } of judged) {
      if (out) continue;
      s.accepted.push({ ts, v });
      while ((s.accepted[0] as { ts: number }).ts <= ts - o.windowMs) s.accepted.shift();
    }
    if (rowOut) {
      this.#outlierSinceTs ??= ts;
      if (ts - this.#outlierSinceTs >= o.rebaselineAfterMs) {
        for (const s of this.#signals) s.accepted = [...s.raw];
        this.#outlierSinceTs = undefined;
      }
    } else {
      this.#outlierSinceTs = undefined;
    }
    this.#last.push(rowOut);
    if (this.#last.length > o.lastRows) this.#last.shift();
    this.#inEvent = this.#last.filter(Boolean).length >= o.outlierRows;
    return { inEvent: this.#inEvent, outliers };
  }
}
