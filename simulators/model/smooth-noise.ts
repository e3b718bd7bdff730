/**
 * Time-indexed smooth noise: random values at knots, cosine-interpolated.
 * A pure function of (key, time), so every station on a section sees the
 * same water whatever order they are sampled in.
 */
import { hashUnit } from './prng.js';
import { HOUR_MS, MINUTE_MS } from './sim-time.js';

/** Smooth value in [-1, 1] with knots every `knotMs`. */
export function smoothNoise(key: number, ms: number, knotMs: number): number {
  const x = ms / knotMs;
  const i = Math.floor(x);
  const f = x - i;
  const a = 2 * hashUnit(key, i) - 1;
  const b = 2 * hashUnit(key, i + 1) - 1;
  const w = (1 - Math.cos(Math.PI * f)) / 2;
  return a + (b - a) * w;
}

/** Two octaves (6 h and 90 min), in [-1, 1]: the slow wandering of river water. */
export function wander(key: number, ms: number): number {
  return 0.7 * smoothNoise(key, ms, 6 * HOUR_MS) + 0.3 * smoothNoise(key ^ 0x5bd1e995, ms, 90 * MINUTE_MS);
}
