/**
 * A bounded ring of time-stamped values: the rolling window behind the
 * sudden-change baselines. Windows are defined in time (`spanMs`) with a floor
 * in samples (`minSamples`), so one default works for minute data and for
 * 4-hour nutrient cycles, and a ceiling (`capacity`) so dense data costs the
 * same memory as sparse data. Pure, no I/O.
 */

/** JSON-safe form of a {@link RollingWindow}: oldest first. */
export interface RollingWindowState {
  ts: number[];
  values: number[];
}

export class RollingWindow {
  readonly capacity: number;
  readonly #ts: Float64Array;
  readonly #values: Float64Array;
  #start = 0;
  #size = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.#ts = new Float64Array(capacity);
    this.#values = new Float64Array(capacity);
  }

  get size(): number {
    return this.#size;
  }

  /** Timestamp of the newest value, or undefined when empty. */
  get newestTs(): number | undefined {
    return this.#size === 0 ? undefined : this.#ts[(this.#start + this.#size - 1) % this.capacity];
  }

  /** Timestamp of the oldest value, or undefined when empty. */
  get oldestTs(): number | undefined {
    return this.#size === 0 ? undefined : this.#ts[this.#start];
  }

  /** Appends a value; when full, the oldest value is dropped. */
  push(ts: number, value: number): void {
    if (this.#size < this.capacity) {
      const i = (this.#start + this.#size) % this.capacity;
      this.#ts[i] = ts;
      this.#values[i] = value;
      this.#size++;
    } else {
      this.#ts[this.#start] = ts;
      this.#values[this.#start] = value;
      this.#start = (this.#start + 1) % this.capacity;
    }
  }

  /** Drops values with `ts <= cutoffTs`, but never below the newest `minSamples` values. */
  evictUpTo(cutoffTs: number, minSamples: number): void {
    while (this.#size > minSamples && (this.#ts[this.#start] as number) <= cutoffTs) {
      this.#start = (this.#start + 1) % this.capacity;
      this.#size--;
    }
  }

  clear(): void {
    this.#start = 0;
    this.#size = 0;
  }

  /**
   * Copies the values with `ts >= sinceTs` (all when omitted) into `out`
   * starting at 0, and returns how many were copied.
   */
  copyValues(out: Float64Array, sinceTs = Number.NEGATIVE_INFINITY): number {
    let n = 0;
    for (let k = 0; k < this.#size; k++) {
      const i = (this.#start + k) % this.capacity;
      if ((this.#ts[i] as number) >= sinceTs) out[n++] = this.#values[i] as number;
    }
    return n;
  }

  /** Visits values oldest first. */
  forEach(fn: (ts: number, value: number) => void): void {
    for (let k = 0; k < this.#size; k++) {
      const i = (this.#start + k) % this.capacity;
      fn(this.#ts[i] as number, this.#values[i] as number);
    }
  }

  toJSON(): RollingWindowState {
    const ts: number[] = [];
    const values: number[] = [];
    this.forEach((t, v) => {
      ts.push(t);
      values.push(v);
    });
    return { ts, values };
  }

  /** Rebuilds a window from its JSON form (the newest `capacity` entries are kept). */
  static fromJSON(state: RollingWindowState, capacity: number): RollingWindow {
    const w = new RollingWindow(capacity);
    const n = Math.min(state.ts.length, state.values.length);
    for (let k = 0; k < n; k++) {
      const t = state.ts[k];
      const v = state.values[k];
      if (typeof t === 'number' && typeof v === 'number' && Number.isFinite(t) && Number.isFinite(v)) w.push(t, v);
    }
    return w;
  }
}

/** Median of the first `n` entries of `buf` (reorders them in place; O(n) selection). NaN when n = 0. */
export function medianInPlace(buf: Float64Array, n: number): number {
  if (n <= 0) return Number.NaN;
  const mid = n >> 1;
  const upper = select(buf, n, mid);
  if (n % 2 === 1) return upper;
  // After selecting `mid`, entries below it hold the smaller half: the lower middle is their maximum.
  let lower = buf[0] as number;
  for (let i = 1; i < mid; i++) if ((buf[i] as number) > lower) lower = buf[i] as number;
  return (lower + upper) / 2;
}

/** Hoare's quickselect: puts the k-th smallest of buf[0, n) at index k, smaller ones before it, and returns it. */
function select(buf: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const pivot = buf[(lo + hi) >> 1] as number;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((buf[i] as number) < pivot) i++;
      while ((buf[j] as number) > pivot) j--;
      if (i <= j) {
        const t = buf[i] as number;
        buf[i] = buf[j] as number;
        buf[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return buf[k] as number;
}
