/**
 * Logger clock supervision: a data logger stamps each upload's QN with its own clock
 * (`yyyyMMddHHmmsszzz`, station local time). When that is off from the platform's clock by more than a
 * limit, the platform sets the logger's time (CN 1012), at most once per station per cooldown, so a logger
 * that ignores the command is not flooded. Pure: the caller passes the times.
 */

export interface ClockWatchOptions {
  /** Largest tolerated difference between logger and platform clocks. @defaultValue 120_000 */
  readonly limitMs?: number;
  /** Least time between two corrections of one station. @defaultValue 600_000 */
  readonly cooldownMs?: number;
}

export class ClockWatch {
  readonly #limitMs: number;
  readonly #cooldownMs: number;
  readonly #lastCorrection = new Map<string, number>();

  constructor(options: ClockWatchOptions = {}) {
    this.#limitMs = options.limitMs ?? 120_000;
    this.#cooldownMs = options.cooldownMs ?? 600_000;
  }

  /** The largest tolerated offset, ms. */
  get limitMs(): number {
    return this.#limitMs;
  }

  /**
   * Returns the logger's offset (logger minus platform, ms) when it is over the limit and a correction is
   * due now (and notes the correction); undefined otherwise.
   */
  due(stationId: string, loggerMs: number, nowMs: number): number | undefined {
    const offset = loggerMs - nowMs;
    if (Math.abs(offset) <= this.#limitMs) return undefined;
    const last = this.#lastCorrection.get(stationId);
    if (last !== undefined && nowMs - last < this.#cooldownMs) return undefined;
    this.#lastCorrection.set(stationId, nowMs);
    return offset;
  }
}
