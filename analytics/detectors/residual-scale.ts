/**
 * Robust, slowly forgetting estimate of how far a signal normally strays from
 * its baseline: an exponentially decayed histogram of |residual| on a
 * logarithmic grid, read out at a high quantile (e.g. the 99th percentile).
 *
 * Why a quantile and not 1.4826 × MAD: water-quality signals are quantized
 * (conductivity in steps of 2–4 µS/cm, chlorine in 0.01 mg/L) and heavy-tailed,
 * so the MAD of a flat stretch is 0 and a Gaussian scale says nothing about
 * the tail. Scaling each signal by its own high residual quantile makes a
 * "1.0" mean the same thing for every signal: roughly the value exceeded by
 * (1 − quantile) of normal readings, which is what the binomial event
 * discriminator assumes (domain-facts §5.1, BED outlier probability).
 *
 * Memory is constant (64 bins) and an update is O(1): instead of decaying all
 * bins, new samples get an exponentially growing weight, renormalised now and
 * then. Pure, no I/O.
 */

const BINS = 64;
/** Bins per octave of the log grid (bin width ≈ 19 %). */
const PER_OCTAVE = 4;
/** Renormalise weights before they overflow. */
const MAX_EXPONENT = 600;

/** JSON-safe form of a {@link ResidualScale}. */
export interface ResidualScaleState {
  bins: number[];
  total: number;
  refTs: number | null;
  samples: number;
  firstTs: number | null;
}

/** Upper edge of bin k in precision units: bin 0 holds residuals below half a precision. */
const UPPER_EDGE = Float64Array.from({ length: BINS }, (_, k) => 0.5 * 2 ** (k / PER_OCTAVE));
const upperEdge = (k: number): number => UPPER_EDGE[k] as number;

function binOf(units: number): number {
  if (!(units >= 0.5)) return 0;
  // The tiny factor keeps exact quanta (1, 2, 4 precisions) in the bin that starts at them despite float noise.
  const k = 1 + Math.floor(PER_OCTAVE * Math.log2(2 * units * (1 + 1e-9)));
  return Math.min(BINS - 1, k);
}

export class ResidualScale {
  readonly #precision: number;
  readonly #timeConstantMs: number;
  #bins = new Float64Array(BINS);
  #total = 0;
  #refTs: number | undefined;
  #samples = 0;
  #firstTs: number | undefined;
  /** quantile() result for `#cachedQ` until the next add (it is asked for twice per reading). */
  #cachedQ = Number.NaN;
  #cached = Number.NaN;

  /**
   * @param precision instrument resolution: residuals are binned in its units, and it floors the scale
   * @param timeConstantMs e-folding time of the forgetting (older residuals weigh e⁻¹ less per constant)
   */
  constructor(precision: number, timeConstantMs: number) {
    this.#precision = precision > 0 ? precision : 1e-9;
    this.#timeConstantMs = timeConstantMs;
  }

  /** Unweighted number of residuals seen. */
  get samples(): number {
    return this.#samples;
  }

  /** Time covered since the first residual (0 when none). */
  spanMs(nowTs: number): number {
    return this.#firstTs === undefined ? 0 : nowTs - this.#firstTs;
  }

  /** Records one absolute residual observed at `ts` (timestamps must not go backwards by much). */
  add(ts: number, residual: number): void {
    if (!Number.isFinite(residual)) return;
    if (this.#refTs === undefined) this.#refTs = ts;
    if (this.#firstTs === undefined) this.#firstTs = ts;
    let exponent = (ts - this.#refTs) / this.#timeConstantMs;
    if (exponent > MAX_EXPONENT) {
      this.#rescale(ts);
      exponent = 0;
    }
    this.#cachedQ = Number.NaN;
    const w = Math.exp(exponent);
    const k = binOf(Math.abs(residual) / this.#precision);
    this.#bins[k] = (this.#bins[k] as number) + w;
    this.#total += w;
    this.#samples++;
  }

  /**
   * The `q` quantile of |residual| (upper bin edge, so slightly conservative),
   * floored at one precision. NaN before any residual.
   */
  quantile(q: number): number {
    if (q === this.#cachedQ) return this.#cached;
    const v = this.#quantile(q);
    this.#cachedQ = q;
    this.#cached = v;
    return v;
  }

  #quantile(q: number): number {
    if (this.#total <= 0) return Number.NaN;
    const target = q * this.#total;
    let cum = 0;
    for (let k = 0; k < BINS; k++) {
      cum += this.#bins[k] as number;
      if (cum >= target) return Math.max(upperEdge(k), 1) * this.#precision;
    }
    return upperEdge(BINS - 1) * this.#precision;
  }

  #rescale(ts: number): void {
    const f = Math.exp(-((ts - (this.#refTs as number)) / this.#timeConstantMs));
    for (let k = 0; k < BINS; k++) this.#bins[k] = (this.#bins[k] as number) * f;
    this.#total *= f;
    this.#refTs = ts;
  }

  toJSON(): ResidualScaleState {
    return {
      bins: [...this.#bins],
      total: this.#total,
      refTs: this.#refTs ?? null,
      samples: this.#samples,
      firstTs: this.#firstTs ?? null,
    };
  }

  static fromJSON(state: ResidualScaleState, precision: number, timeConstantMs: number): ResidualScale {
    const s = new ResidualScale(precision, timeConstantMs);
    if (
      Array.isArray(state.bins) &&
      state.bins.length === BINS &&
      state.bins.every((b) => typeof b === 'number' && Number.isFinite(b) && b >= 0)
    ) {
      s.#bins = Float64Array.from(state.bins);
      s.#total = Number.isFinite(state.total) ? state.total : 0;
      s.#refTs = state.refTs ?? undefined;
      s.#samples = Number.isFinite(state.samples) ? state.samples : 0;
      s.#firstTs = state.firstTs ?? undefined;
    }
    return s;
  }
}
