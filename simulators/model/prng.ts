/**
 * Seeded pseudo-random numbers for the simulator. Everything random in a
 * simulated stream comes from here, keyed by (seed, station, parameter, ...),
 * so the same seed gives the same stream and a subset of stations gives the
 * same values for those stations as a full run (issue 7 "Deterministic").
 */

/** murmur3's 32-bit finaliser: spreads every input bit over the output. */
export function mix32(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over the UTF-16 code units of a string, finalised with {@link mix32}. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

/** A 32-bit seed derived from a parent seed and labels, e.g. `deriveSeed(seed, 'noise', stationId, 'do')`. */
export function deriveSeed(seed: number, ...labels: readonly (string | number)[]): number {
  let h = mix32(seed ^ 0x9e3779b9);
  for (const label of labels) {
    h = mix32(h ^ hashString(String(label)));
    h = mix32(h + 0x6d2b79f5);
  }
  return h;
}

/** Uniform value in [0, 1) from two integers, without state (used for time-indexed noise). */
export function hashUnit(key: number, index: number): number {
  return mix32(mix32(key ^ Math.imul(index | 0, 0x9e3779b1)) + (Math.floor(index / 4294967296) | 0)) / 4294967296;
}

/**
 * mulberry32: a small, fast 32-bit generator (Tommy Ettinger). Good enough
 * for simulation noise, not for anything secret.
 */
export class Rng {
  #state: number;
  #spare: number | undefined;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [min, max). */
  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box–Muller, the second value kept for the next call). */
  normal(): number {
    if (this.#spare !== undefined) {
      const spare = this.#spare;
      this.#spare = undefined;
      return spare;
    }
    let u = this.next();
    while (u <= Number.EPSILON) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.#spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}
