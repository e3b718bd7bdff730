/**
 * The decision window of the sudden-change detector (sudden-change.ts, step
 * 3): the recent rows and whether each was an outlier row (enough quality
 * signals out together) or a strong row (one signal far out). An event starts
 * when such rows are too many to be chance: the binomial event discriminator
 * (BED, binomial.ts). Pure.
 */
import { minOutliersForEvent } from './binomial.js';
import type { SuddenChangeOptions } from './sudden-change-options.js';

/** Row kinds kept in the decision window (bit flags). */
export const MULTI = 1;
export const STRONG = 2;

type WindowOptions = Pick<
  SuddenChangeOptions,
  | 'decisionWindowMs'
  | 'decisionMinSamples'
  | 'eventMaxWaitMs'
  | 'outlierProbability'
  | 'strongOutlierProbability'
  | 'eventProbability'
>;

/** Row timestamps and kinds, oldest first (JSON-safe). */
export interface DecisionRows {
  ts: number[];
  kind: number[];
}

export class DecisionWindow {
  readonly #o: WindowOptions;
  #rowTs: number[] = [];
  #rowKind: number[] = [];
  /** Threshold counts per window size (BED), cached. */
  readonly #needMulti = new Map<number, number>();
  readonly #needStrong = new Map<number, number>();

  /** `rows` from {@link DecisionWindow.toJSON}; mismatched arrays are cut to the shorter. */
  constructor(options: WindowOptions, rows?: DecisionRows) {
    this.#o = options;
    if (rows) {
      const n = Math.min(rows.ts.length, rows.kind.length);
      this.#rowTs = rows.ts.slice(0, n);
      this.#rowKind = rows.kind.slice(0, n);
    }
  }

  push(ts: number, kind: number): void {
    this.#rowTs.push(ts);
    this.#rowKind.push(kind);
    // Keep rows inside the time window, but never fewer than the floor in samples.
    const cutoff = ts - this.#o.decisionWindowMs;
    let drop = 0;
    while (this.#rowTs.length - drop > this.#o.decisionMinSamples && (this.#rowTs[drop] as number) <= cutoff) drop++;
    if (drop > 0) {
      this.#rowTs.splice(0, drop);
      this.#rowKind.splice(0, drop);
    }
  }

  /** BED over the decision window, for outlier rows and for strong single-signal rows. */
  eventEvidence(qualityIntervalMs: number | undefined): boolean {
    const m = Math.max(this.#rowKind.length, this.#o.decisionMinSamples);
    let multi = 0;
    let strong = 0;
    for (const k of this.#rowKind) {
      if (k & MULTI) multi++;
      if (k & STRONG) strong++;
    }
    // "One odd sample never alarms": at least two rows, whatever the binomial says; and never more rows than
    // arrive within eventMaxWaitMs (sparse data: an hourly plume must not need three hours to confirm).
    if (multi < 2 && strong < 2) return false;
    const interval = qualityIntervalMs;
    const byTime = interval !== undefined && interval > 0 ? Math.floor(this.#o.eventMaxWaitMs / interval) + 1 : Infinity;
    return (
      (multi >= 2 && multi >= Math.max(2, Math.min(this.#need(this.#needMulti, m, this.#o.outlierProbability), byTime))) ||
      (strong >= 2 && strong >= Math.max(2, Math.min(this.#need(this.#needStrong, m, this.#o.strongOutlierProbability), byTime)))
    );
  }

  /** The evidence that raised an event is spent; a new event needs new evidence. */
  clear(): void {
    this.#rowTs = [];
    this.#rowKind = [];
  }

  toJSON(): DecisionRows {
    return { ts: [...this.#rowTs], kind: [...this.#rowKind] };
  }

  #need(cache: Map<number, number>, m: number, p: number): number {
    let n = cache.get(m);
    if (n === undefined) {
      n = minOutliersForEvent(m, p, this.#o.eventProbability);
      cache.set(m, n);
    }
    return n;
  }
}
