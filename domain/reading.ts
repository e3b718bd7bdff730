/**
 * A reading: the values one station measured at one instant
 * (DESIGN.md "Readings over MQTT").
 */

/**
 * HJ 212 data flags per value: N normal, F stopped, M maintenance,
 * S manual, D fault, C calibration, T above range, B link error.
 */
export const DATA_FLAGS = ['N', 'F', 'M', 'S', 'D', 'C', 'T', 'B'] as const;
export type DataFlag = (typeof DATA_FLAGS)[number];

export function isDataFlag(value: unknown): value is DataFlag {
  return typeof value === 'string' && (DATA_FLAGS as readonly string[]).includes(value);
}

/**
 * Only N (and T, read as "at least this high") are evidence of water quality;
 * the rest raise data-quality alerts, never pollution alerts (DESIGN.md).
 */
export function isEvidence(flag: DataFlag): boolean {
  return flag === 'N' || flag === 'T';
}

/** Where a reading entered the system. */
export type IngressKind = 'mqtt' | 'http' | 'hj212' | 'replay';

/** A validated, normalised reading as it travels through the readings log. */
export interface Reading {
  readonly stationId: string;
  readonly sectionId: string;
  /** Measurement time, epoch milliseconds (UTC). */
  readonly ts: number;
  readonly seq?: number;
  readonly values: Readonly<Record<string, number>>;
  /** Only non-N flags are kept; a missing flag means N. */
  readonly flags: Readonly<Record<string, DataFlag>>;
  readonly source: IngressKind;
  /** Time the reading was accepted by ingest, epoch ms. */
  readonly receivedAt: number;
}

export function flagOf(reading: Pick<Reading, 'flags'>, key: string): DataFlag {
  return reading.flags[key] ?? 'N';
}
