/**
 * Event-time ordering for one section (issue 5 §1): readings arrive late,
 * out of order, or as backlog batches after a link outage. The buffer holds
 * each reading briefly and releases readings in timestamp order once either
 *
 * - the event-time watermark has passed it (it is at least
 *   `watermarkDelayMs` older than the newest reading seen), or
 * - it has been held `watermarkDelayMs` of processing time (so a quiet
 *   section does not hold its last readings forever; call `drain(now)` on
 *   a timer), or
 * - more than `maxHeld` readings are held (oldest first). A section's
 *   limit is the smaller of `maxHeld` and `maxHeldPerStation` times its
 *   stations ({@link sectionHoldLimits}): the hold is there to put a few
 *   stations' readings of the same minutes in order, not to keep a
 *   one-second feed for a minute (issue 14: the peer bench's 2,000
 *   stations at one reading per second kept ~107,000 readings in the whole
 *   job's memory, long enough for V8 to promote them and let the heap grow).
 *
 * A reading older than the last one already released cannot be put back in
 * order. The choice made here: it is handed out separately as `late`, never
 * mixed into the ordered stream. The caller stores it as usual (the store
 * writer has its own consumer group, so it reaches InfluxDB and the section
 * class anyway) and may pass it to the analyzer, which ignores any reading
 * not newer than its station's last processed one: stateful detectors never
 * see time go backwards, so a late reading can cause neither a false alert
 * nor a double one. A late reading of a station that is behind the others
 * (newer than its own last reading) is still analysed, because per-station
 * order is what the detectors need.
 *
 * Generic over the item so the consumer can carry its stream entry ids and
 * acknowledge only after the released readings' alerts are handed over.
 */
import type { ReorderOptions } from './options.js';

/** Readings released by one {@link ReorderBuffer.drain}. */
export interface Released<T> {
  /** In timestamp order, each not older than anything released before. */
  readonly inOrder: T[];
  /** Arrived after the watermark had passed them; in arrival order. */
  readonly late: T[];
}

/** What one section's buffer is built with: its hold and its limit of held readings. */
export type HoldLimits = Pick<ReorderOptions, 'watermarkDelayMs' | 'maxHeld'>;

/** A section's limits: `maxHeld`, lowered to `maxHeldPerStation` × its stations. */
export function sectionHoldLimits(options: ReorderOptions, stationCount: number): HoldLimits {
  return {
    watermarkDelayMs: options.watermarkDelayMs,
    maxHeld: Math.min(options.maxHeld, options.maxHeldPerStation * Math.max(1, stationCount)),
  };
}

interface Held<T> {
  readonly item: T;
  readonly arrivedMs: number;
}

export class ReorderBuffer<T extends { readonly ts: number }> {
  readonly #delayMs: number;
  readonly #maxHeld: number;
  #held: Held<T>[] = [];
  #late: T[] = [];
  #maxSeenTs = Number.NEGATIVE_INFINITY;
  #lastReleasedTs = Number.NEGATIVE_INFINITY;

  readonly #tieBreak: ((a: T, b: T) => number) | undefined;

  /**
   * @param tieBreak orders items with equal timestamps (e.g. by station id) so
   * the release order does not depend on arrival order; arrival order when omitted.
   */
  constructor(options: HoldLimits, tieBreak?: (a: T, b: T) => number) {
    this.#delayMs = options.watermarkDelayMs;
    this.#maxHeld = options.maxHeld;
    this.#tieBreak = tieBreak;
  }

  /** Readings currently held. */
  get size(): number {
    return this.#held.length + this.#late.length;
  }

  /** Timestamp of the newest reading released so far (−Infinity before the first). */
  get lastReleasedTs(): number {
    return this.#lastReleasedTs;
  }

  /** Processing time at which the oldest held reading becomes due, or undefined when empty. */
  get nextDueMs(): number | undefined {
    if (this.#late.length > 0) return Number.NEGATIVE_INFINITY;
    if (this.#held.length === 0) return undefined;
    return Math.min(...this.#held.map((h) => h.arrivedMs)) + this.#delayMs;
  }

  push(item: T, nowMs: number): void {
    if (item.ts < this.#lastReleasedTs) {
      this.#late.push(item);
      return;
    }
    if (item.ts > this.#maxSeenTs) this.#maxSeenTs = item.ts;
    // Insert after every held item that sorts before or equal to it: stable for equal keys.
    let lo = 0;
    let hi = this.#held.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const other = (this.#held[mid] as Held<T>).item;
      const order = other.ts - item.ts || (this.#tieBreak?.(other, item) ?? 0);
      if (order <= 0) lo = mid + 1;
      else hi = mid;
    }
    if (lo === this.#held.length) this.#held.push({ item, arrivedMs: nowMs });
    else this.#held.splice(lo, 0, { item, arrivedMs: nowMs });
  }

  pushAll(items: Iterable<T>, nowMs: number): void {
    for (const item of items) this.push(item, nowMs);
  }

  /** Releases what is due at `nowMs`. */
  drain(nowMs: number): Released<T> {
    const watermark = this.#maxSeenTs - this.#delayMs;
    // Anything held longer than the delay forces out everything before it too (order is kept).
    let forced = -1;
    for (let i = 0; i < this.#held.length; i++) if (nowMs - (this.#held[i] as Held<T>).arrivedMs >= this.#delayMs) forced = i;
    let count = 0;
    while (count < this.#held.length) {
      const h = this.#held[count] as Held<T>;
      if (h.item.ts <= watermark || count <= forced || this.#held.length - count > this.#maxHeld) count++;
      else break;
    }
    const released = this.#held.splice(0, count).map((h) => h.item);
    const last = released[released.length - 1];
    if (last) this.#lastReleasedTs = last.ts;
    const late = this.#late;
    this.#late = [];
    return { inOrder: released, late };
  }

  /** Releases everything (on close). */
  flush(): Released<T> {
    const released = this.#held.map((h) => h.item);
    this.#held = [];
    const last = released[released.length - 1];
    if (last) this.#lastReleasedTs = last.ts;
    const late = this.#late;
    this.#late = [];
    return { inOrder: released, late };
  }
}
