/**
 * Disjoint time windows for the timestamps the fuzzer sends, so InfluxDB can
 * be asked exactly what landed from valid readings (every one must be there),
 * from partly valid bad inputs (anything goes), and from publishes the
 * broker's ACL must have refused (nothing may be there).
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export class TimeWindows {
  /** Valid MQTT and HTTP readings: one millisecond apart, all stations share the counter. */
  readonly validStartMs: number;
  /** Valid HJ 212 readings: DataTime has whole seconds, so one second apart per station. */
  readonly hj212StartMs: number;
  /** Bad inputs whose otherwise valid parts may be stored. */
  readonly badStartMs: number;
  /** Publishes on another station's topic (must be refused by the broker's ACL). */
  readonly aclStartMs: number;
  #valid = 0;
  readonly #hj212 = new Map<string, number>();
  #hj212Max = 0;
  #bad = 0;
  #acl = 0;

  constructor(nowMs: number) {
    this.validStartMs = Math.floor((nowMs - 3 * HOUR_MS) / 1000) * 1000;
    this.hj212StartMs = Math.floor((nowMs - 7 * HOUR_MS) / 1000) * 1000;
    this.badStartMs = nowMs - 2 * DAY_MS;
    this.aclStartMs = nowMs - 3 * DAY_MS;
  }

  nextValid(): number {
    return this.validStartMs + this.#valid++;
  }

  /** Per station (DataTime has whole seconds): 4 hours of seconds before the MQTT/HTTP window starts. */
  nextHj212(stationId: string): number {
    const n = this.#hj212.get(stationId) ?? 0;
    if (n >= 4 * 3600) throw new RangeError(`more than 14,400 valid HJ 212 readings of ${stationId}: windows would overlap`);
    this.#hj212.set(stationId, n + 1);
    this.#hj212Max = Math.max(this.#hj212Max, n + 1);
    return this.hj212StartMs + 1000 * n;
  }

  nextBad(): number {
    return this.badStartMs + this.#bad++;
  }

  nextAcl(): number {
    return this.aclStartMs + this.#acl++;
  }

  /** [start, end) of each window as used so far. */
  ranges(): { valid: [number, number]; hj212: [number, number]; acl: [number, number] } {
    return {
      valid: [this.validStartMs, this.validStartMs + this.#valid],
      hj212: [this.hj212StartMs, this.hj212StartMs + 1000 * this.#hj212Max],
      acl: [this.aclStartMs, this.aclStartMs + this.#acl],
    };
  }
}
