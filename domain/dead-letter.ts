/**
 * Dead letters: a refused input kept with its raw payload, source, station if
 * known, reason code and time, so it can be listed and replayed. The store is
 * an adapter (platform/redis/readings/dead-letters.ts); the stages see these
 * types and the {@link DeadLetterSink} port.
 */
import type { ErrorCode } from './errors.js';
import type { IngressKind } from './reading.js';

/** Refusals listed in one letter; the rest are counted. */
export const MAX_ITEMS_PER_LETTER = 50;

/** Raw payloads are kept up to this size; larger ones are truncated (and say so). */
export const MAX_RAW_BYTES = 65_536;

export interface DeadLetter {
  readonly id: string;
  readonly at: number;
  readonly source: IngressKind;
  readonly code: ErrorCode;
  readonly message: string;
  readonly stationId?: string;
  readonly peer?: string;
  /** Position of the refused reading in its batch, and parameter for a refused value. */
  readonly index?: number;
  readonly parameter?: string;
  readonly raw: string;
  readonly truncated: boolean;
  /** Refusals of this reason in the submission (first {@link MAX_ITEMS_PER_LETTER}), and how many there were. */
  readonly items?: readonly { readonly index?: number; readonly parameter?: string; readonly stationId?: string; readonly message: string }[];
  readonly count?: number;
  /** Context needed to replay: the topic and the authenticated station at the time. */
  readonly topic?: { sectionId: string; stationId: string };
  readonly authStationId?: string;
}

export type NewDeadLetter = Omit<DeadLetter, 'id' | 'at' | 'truncated'>;

export interface DeadLetterFilter {
  readonly code?: string;
  readonly stationId?: string;
  readonly source?: string;
  readonly limit?: number;
  /** Return letters older than this id (paging, newest first). */
  readonly before?: string;
}

/** Where the ingest stage puts refused input (port). */
export interface DeadLetterSink {
  put(letters: readonly NewDeadLetter[]): Promise<void>;
}

/** A dead-letter store a replay can list from and remove from (port). */
export interface DeadLetterBook extends DeadLetterSink {
  remove(ids: readonly string[]): Promise<unknown>;
}
