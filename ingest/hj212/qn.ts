/**
 * QN, the HJ 212 request id: the sender's local time `yyyyMMddHHmmsszzz` (§3.1). Responses echo it,
 * which is how a command is matched to its 9011/9012 answers.
 */
import type { Clock } from '../../domain/clock.js';
import { formatLocalTime } from './local-time.js';

/** Issues unique, increasing QNs: two commands in the same millisecond get consecutive values. */
export class QnGenerator {
  readonly #clock: Clock;
  readonly #offsetMinutes: number;
  #lastMs = 0;

  constructor(clock: Clock, offsetMinutes: number) {
    this.#clock = clock;
    this.#offsetMinutes = offsetMinutes;
  }

  next(): string {
    const ms = Math.max(this.#clock.now(), this.#lastMs + 1);
    this.#lastMs = ms;
    return formatLocalTime(ms, this.#offsetMinutes, true);
  }
}
