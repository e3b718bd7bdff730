/**
 * For backfills (`--speed max --batch N`): collects consecutive readings of
 * each station into one `{ "readings": [...] }` message of up to N (≤ 1000,
 * the contract's limit), which is much cheaper to send than N messages.
 */
import type { ReadingPayload } from '../domain/index.js';
import { MAX_BATCH_READINGS, type StationMessage } from './model/station-stream.js';

export class BackfillBatcher {
  readonly #size: number;
  readonly #pending = new Map<string, { stationId: string; sectionId: string; readings: ReadingPayload[] }>();

  constructor(size: number) {
    this.#size = Math.max(1, Math.min(MAX_BATCH_READINGS, size));
  }

  /** Adds a message's readings; returns a full batch when one is ready. */
  add(message: StationMessage): StationMessage | undefined {
    let pending = this.#pending.get(message.stationId);
    if (!pending) {
      pending = { stationId: message.stationId, sectionId: message.sectionId, readings: [] };
      this.#pending.set(message.stationId, pending);
    }
    pending.readings.push(...message.readings);
    return pending.readings.length >= this.#size ? this.take(message.stationId) : undefined;
  }

  /** The station's readings collected so far, as one message (undefined when there are none). */
  take(stationId: string): StationMessage | undefined {
    const pending = this.#pending.get(stationId);
    this.#pending.delete(stationId);
    return pending && pending.readings.length > 0 ? { ...pending, backlog: false } : undefined;
  }

  /** Every station's remaining readings. */
  takeAll(): StationMessage[] {
    return [...this.#pending.keys()].flatMap((id) => this.take(id) ?? []);
  }
}
