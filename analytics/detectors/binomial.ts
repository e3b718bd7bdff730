/**
 * Binomial distribution helpers for the binomial event discriminator (BED) of
 * CANARY-EDS (domain-facts §5.1): with `n` outlier steps among the last `m`
 * and a per-step outlier probability `p`, CANARY declares a possible event
 * when P = BinomialCDF(n; m, p) reaches the event threshold (window 6,
 * p 0.5, threshold 0.85 → 4 of 6). Exact sums; windows are small. Pure.
 */

/** P(X ≤ k) for X ~ Binomial(m, p). */
export function binomialCdf(k: number, m: number, p: number): number {
  if (k < 0) return 0;
  if (k >= m) return 1;
  if (p <= 0) return 1;
  if (p >= 1) return 0;
  const q = 1 - p;
  let pmf = q ** m; // P(X = 0)
  let cdf = pmf;
  for (let i = 1; i <= k; i++) {
    pmf *= ((m - i + 1) / i) * (p / q);
    cdf += pmf;
  }
  return Math.min(1, cdf);
}

/**
 * The fewest outliers among `m` steps that make an event at `eventProbability`
 * (CANARY's rule): the smallest n with BinomialCDF(n; m, p) ≥ eventProbability.
 */
export function minOutliersForEvent(m: number, p: number, eventProbability: number): number {
  for (let n = 0; n <= m; n++) {
    if (binomialCdf(n, m, p) >= eventProbability) return n;
  }
  return m;
}
