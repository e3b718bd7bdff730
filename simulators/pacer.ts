/**
 * Maps simulated time to wall-clock time for the three time modes: real
 * time (speed 1), accelerated (speed N) and as fast as possible (`max`).
 * Unless future timestamps are allowed, no reading is sent before the wall
 * clock reaches its timestamp: a run that starts in the past catches up at
 * its speed and then continues at real time.
 */
export type Speed = number | 'max';

export interface PacerOptions {
  readonly speed: Speed;
  readonly simStartMs: number;
  readonly wallStartMs: number;
  readonly allowFuture: boolean;
}

export class Pacer {
  readonly #o: PacerOptions;

  constructor(options: PacerOptions) {
    this.#o = options;
  }

  get speed(): Speed {
    return this.#o.speed;
  }

  /** Earliest wall time at which a reading stamped `simMs` may be sent. */
  wallTimeFor(simMs: number): number {
    const { speed, simStartMs, wallStartMs, allowFuture } = this.#o;
    const paced = speed === 'max' ? -Infinity : wallStartMs + (simMs - simStartMs) / speed;
    return allowFuture ? paced : Math.max(paced, simMs);
  }

  /** Simulated time at a wall time (for commands); undefined in `max` mode, where the engine's time is the truth. */
  simTimeAt(wallMs: number): number | undefined {
    const { speed, simStartMs, wallStartMs, allowFuture } = this.#o;
    if (speed === 'max') return undefined;
    const paced = simStartMs + (wallMs - wallStartMs) * speed;
    return allowFuture ? paced : Math.min(paced, Math.max(wallMs, simStartMs));
  }
}
