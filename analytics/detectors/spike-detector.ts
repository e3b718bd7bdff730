/**
 * Isolated implausible spikes, one of the data-quality checks (issue 5 §5,
 * data-quality.ts): a value found to be a spike is kept away from the
 * pollution detectors; a spiky sensor raises a data-quality alert.
 */
import { median } from 'simple-statistics';
import type { SpikeOptions } from '../options.js';
import type { DqChange } from './data-quality.js';

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
