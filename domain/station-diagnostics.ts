/**
 * Station diagnostics: what data loggers report about themselves rather than about the water (HJ 212
 * restart time 2081, running status 2021, running time 2041, device information, logs and parameters
 * 3019/3020, over-limit sample retention 3015, ...). Kept per kind for operators; a port, so the HJ 212
 * server does not know where they are stored.
 */

/** Kinds of diagnostics, one store each. */
export const DIAGNOSTIC_KINDS = [
  'restart',
  'running-status',
  'running-time',
  'device-info',
  'log',
  'parameter',
  'sample-retention',
  'logger-setting',
  'alarm',
] as const;
export type DiagnosticKind = (typeof DIAGNOSTIC_KINDS)[number];

/** One report of a station about itself. */
export interface StationDiagnostic {
  readonly stationId: string;
  readonly kind: DiagnosticKind;
  /** Protocol command it came with (e.g. HJ 212 CN `2081`). */
  readonly command: string;
  /** Request id of the upload (HJ 212 QN), when it had one. */
  readonly requestId?: string;
  /** When the platform received it, epoch ms. */
  readonly receivedAt: number;
  /** The report's own time (HJ 212 DataTime), epoch ms, when it carried a valid one. */
  readonly dataTime?: number;
  /** Its content, `key=value` items in the order sent (at most 200). */
  readonly items: readonly { readonly key: string; readonly value: string }[];
}

export interface DiagnosticsFilter {
  readonly kind?: DiagnosticKind;
  readonly stationId?: string;
  /** @defaultValue 50 */
  readonly limit?: number;
}

/** Where diagnostics are kept (capped per kind: the newest are kept). */
export interface StationDiagnostics {
  /** Durably records one report; rejects when it could not be. */
  record(entry: StationDiagnostic): Promise<void>;
  /** Newest first. */
  list(filter?: DiagnosticsFilter): Promise<StationDiagnostic[]>;
}
