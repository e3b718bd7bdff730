/**
 * Alert events: what analytics hands to the alerts side. One condition has
 * one stable `key`; repeats of an open condition carry the same key, and a
 * `clear` event ends it (issue 5 §7, DESIGN.md "Alert levels").
 */

/** Pollution levels, lowest first (the four colours of Chinese early warning). */
export const ALERT_LEVELS = ['blue', 'yellow', 'orange', 'red'] as const;
export type AlertLevel = (typeof ALERT_LEVELS)[number];

export function levelRank(level: AlertLevel): number {
  return ALERT_LEVELS.indexOf(level);
}

export function isAlertLevel(x: unknown): x is AlertLevel {
  return typeof x === 'string' && (ALERT_LEVELS as readonly string[]).includes(x);
}

export const ALERT_KINDS = [
  'early-warning',
  'exceedance',
  'sudden-change',
  'trend',
  'upstream-arrival',
  'data-quality',
  'runoff',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/**
 * Data-quality alerts go to station operators and never count as pollution;
 * nor does a runoff notice (rain washing turbidity in and diluting
 * conductivity, issue 13 §3): it is shown and notified at blue, opens no task
 * and pre-warns nobody.
 */
export function isPollutionKind(kind: AlertKind): boolean {
  return kind !== 'data-quality' && kind !== 'runoff';
}

export interface AlertEvidence {
  readonly values?: Readonly<Record<string, number>>;
  readonly baseline?: Readonly<Record<string, number>>;
  readonly limit?: Readonly<Record<string, number>>;
  readonly windowS?: number;
  readonly score?: number;
  readonly [extra: string]: unknown;
}

export interface AlertEvent {
  /** `raise` opens or updates the condition; `clear` ends it. */
  readonly type: 'raise' | 'clear';
  /** Stable per condition, e.g. `exceedance:tp-jinze:nh3n`. */
  readonly key: string;
  readonly kind: AlertKind;
  /** Undefined for data-quality alerts, which have no pollution level. */
  readonly level: AlertLevel | undefined;
  readonly sectionId: string;
  readonly stationId: string | undefined;
  readonly parameters: readonly string[];
  /** Event time (the reading that caused it), epoch ms. */
  readonly ts: number;
  readonly message: string;
  readonly evidence: AlertEvidence;
  /** For upstream-arrival pre-warnings: expected arrival window at the section, epoch ms. */
  readonly arrival?: { readonly fromTs: number; readonly peakTs: number; readonly toTs: number; readonly originSectionId: string };
}
