/**
 * The readings-log entries the analytics worker holds (worker.ts): an entry
 * is acknowledged only after every reading of it has been analysed and its
 * events handed over, and a checkpoint taken after that was saved.
 */
import type { LogEntry } from '../domain/index.js';

const NO_READINGS: readonly never[] = Object.freeze([]);

interface Pending {
  readonly entry: LogEntry;
  outstanding: number;
  /** Set when the last reading was analysed; acknowledged by the first checkpoint after that. */
  doneAt?: number;
}

/**
 * An entry's key while held: stream ids are unique per partition only (two
 * partitions' streams both hand out `ms-0` in the same millisecond), and one
 * worker may own several partitions.
 */
export function entryKeyOf(entry: Pick<LogEntry, 'partition' | 'id'>): string {
  return `${entry.partition}/${entry.id}`;
}

export class PendingEntries {
  readonly #pending = new Map<string, Pending>();

  /**
   * Starts holding an entry with `outstanding` readings still to analyse (done at once when none).
   * Only its partition and id are kept: the readings are in the reorder buffers until analysed, and a
   * second copy here would double what a backlog costs in memory (issue 14, `full` variant).
   */
  add(entry: LogEntry, outstanding: number, now: number): void {
    const pending: Pending = { entry: { id: entry.id, partition: entry.partition, readings: NO_READINGS }, outstanding };
    if (outstanding === 0) pending.doneAt = now;
    this.#pending.set(entryKeyOf(entry), pending);
  }

  /** Whether the entry is held (added, not yet acknowledged). */
  holds(entryKey: string): boolean {
    return this.#pending.has(entryKey);
  }

  /** One reading of the entry has been analysed and its events handed over. */
  analysed(entryKey: string, now: number): void {
    const pending = this.#pending.get(entryKey);
    if (pending && --pending.outstanding === 0) pending.doneAt = now;
  }

  /** Entries whose readings are all analysed: a checkpoint saved from now on covers them. */
  covered(): LogEntry[] {
    return [...this.#pending.values()].filter((p) => p.doneAt !== undefined).map((p) => p.entry);
  }

  /** Forgets entries the log has acknowledged. */
  acknowledged(entries: readonly LogEntry[]): void {
    for (const entry of entries) this.#pending.delete(entryKeyOf(entry));
  }
}
