/**
 * A series' recent history in fixed time buckets: what the trend check
 * (trend.ts) evaluates, what drift compares between stations (../drift.ts)
 * and what a section shows the section below it for attribution. Pure.
 */

/** JSON-safe bucketed history: bucket index → running sum and count. */
export interface HistoryState {
  bucketMs: number;
  /** [bucketIndex, sum, count], oldest first. */
  buckets: [number, number, number][];
}

/**
 * Samples averaged into fixed time buckets (windowMs / maxPoints), so a
 * window of minute data and one of 4-hourly data both hold at most maxPoints
 * points. Also answers "what was the value near time t" for upstream
 * comparisons.
 */
export class SeriesHistory {
  #s: HistoryState;
  readonly #maxBuckets: number;

  constructor(windowMs: number, maxPoints: number, state?: HistoryState) {
    const bucketMs = Math.max(1, Math.floor(windowMs / maxPoints));
    this.#s = state && state.bucketMs === bucketMs ? structuredClone(state) : { bucketMs, buckets: [] };
    this.#maxBuckets = maxPoints + 1;
  }

  get bucketMs(): number {
    return this.#s.bucketMs;
  }

  /** Adds a sample; returns true when it opened a new bucket (the previous one is then complete). */
  add(ts: number, value: number): boolean {
    const index = Math.floor(ts / this.#s.bucketMs);
    const buckets = this.#s.buckets;
    const last = buckets[buckets.length - 1];
    if (last && last[0] === index) {
      last[1] += value;
      last[2] += 1;
      return false;
    }
    if (last && index < last[0]) return false; // out of order: ignored (the analyzer feeds in order)
    buckets.push([index, value, 1]);
    while (buckets.length > 0 && (buckets[0] as [number, number, number])[0] <= index - this.#maxBuckets) buckets.shift();
    return last !== undefined;
  }

  /** Complete buckets (all but the newest) within `windowMs` of the newest: times (bucket centres) and means. */
  closed(windowMs: number): { times: number[]; values: number[] } {
    const b = this.#s.buckets;
    const times: number[] = [];
    const values: number[] = [];
    const newest = b[b.length - 1];
    if (!newest) return { times, values };
    const from = (newest[0] * this.#s.bucketMs - windowMs) / this.#s.bucketMs;
    for (let i = 0; i < b.length - 1; i++) {
      const [index, sum, count] = b[i] as [number, number, number];
      if (index < from) continue;
      times.push((index + 0.5) * this.#s.bucketMs);
      values.push(sum / count);
    }
    return { times, values };
  }

  /** Mean of the bucket nearest `ts` whose centre is within `toleranceMs`, else undefined. */
  valueNear(ts: number, toleranceMs: number): number | undefined {
    let best: number | undefined;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (const [index, sum, count] of this.#s.buckets) {
      const distance = Math.abs((index + 0.5) * this.#s.bucketMs - ts);
      if (distance <= toleranceMs + this.#s.bucketMs / 2 && distance < bestDistance) {
        bestDistance = distance;
        best = sum / count;
      }
    }
    return best;
  }

  /** Means of the buckets whose centre lies in [fromTs, toTs]. */
  valuesBetween(fromTs: number, toTs: number): number[] {
    const out: number[] = [];
    for (const [index, sum, count] of this.#s.buckets) {
      const centre = (index + 0.5) * this.#s.bucketMs;
      if (centre >= fromTs && centre <= toTs) out.push(sum / count);
    }
    return out;
  }

  /** Forgets the buckets whose centre lies in [fromTs, toTs] (values a faulty sensor gave, found out later). */
  dropBetween(fromTs: number, toTs: number): void {
    const bucketMs = this.#s.bucketMs;
    this.#s.buckets = this.#s.buckets.filter(([index]) => {
      const centre = (index + 0.5) * bucketMs;
      return centre < fromTs || centre > toTs;
    });
  }

  snapshot(): HistoryState {
    return structuredClone(this.#s);
  }
}
