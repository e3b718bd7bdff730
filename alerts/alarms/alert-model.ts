/**
 * The alert: one per condition key while it lasts (platforms.md §A4 #1,
 * ThingsBoard's "unique per originator and type"), with its history of
 * transitions. Pure types.
 */
import type { AlertEvidence, AlertKind, AlertLevel } from '../../domain/index.js';

export const ALERT_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/**
 * What can happen to an alert. `cleared` / `reraised` track the condition
 * inside an alert (the hold before auto-resolve); `level-lowered` is recorded
 * but not notified.
 */
export const ALERT_TRANSITION_TYPES = [
  'opened',
  'level-raised',
  'level-lowered',
  'acknowledged',
  'cleared',
  'reraised',
  'resolved',
  'reminder',
  // Transfer with feedback (issue 18, alerts/joint-monitoring/transfer-model.ts): recorded, notified by the transfer service.
  'transferred',
  'transfer-accepted',
  'transfer-refused',
  'transfer-result',
  'transfer-escalated',
] as const;
export type AlertTransitionType = (typeof ALERT_TRANSITION_TYPES)[number];

/** Transitions that notify agencies (issue 6 §1: never one per reading). */
export const NOTIFIED_ALERT_TRANSITIONS: ReadonlySet<AlertTransitionType> = new Set([
  'opened',
  'level-raised',
  'acknowledged',
  'resolved',
  'reminder',
]);

/** Who did it: `analytics` for events, `system` for timers, an agency (and person) for API calls. */
export interface Actor {
  readonly kind: 'analytics' | 'system' | 'agency';
  readonly agencyId?: string;
  /** A person's name as given to the API; free text. */
  readonly name?: string;
}

export interface AlertTransition {
  /** `${alertId}.${seq}`, unique; the idempotency key of its notifications. */
  readonly id: string;
  readonly seq: number;
  readonly type: AlertTransitionType;
  /** Clock time the transition was applied, epoch ms. */
  readonly at: number;
  readonly actor: Actor;
  readonly level: AlertLevel | undefined;
  readonly fromLevel?: AlertLevel | undefined;
  readonly reason?: string;
  /** Short structured details (transfer id, agencies); only on transfer transitions. */
  readonly details?: Readonly<Record<string, string | number | boolean>>;
}

export interface AlertArrival {
  readonly fromTs: number;
  readonly peakTs: number;
  readonly toTs: number;
  readonly originSectionId: string;
}

export interface Alert {
  readonly id: string;
  /** The condition key from analytics (AlertEvent.key). */
  readonly key: string;
  /** Episode number of this condition key (1 for the first alert of the key). */
  readonly episode: number;
  readonly kind: AlertKind;
  readonly sectionId: string;
  readonly riverId: string | undefined;
  readonly stationId: string | undefined;
  readonly parameters: readonly string[];
  readonly level: AlertLevel | undefined;
  /** Highest level reached. */
  readonly maxLevel: AlertLevel | undefined;
  readonly status: AlertStatus;
  /** Set while the condition is cleared but the auto-resolve hold has not passed. */
  readonly clearedAt: number | undefined;
  /** Event times (of the readings) of the first and last raise, epoch ms. */
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** Raise events counted into this alert. */
  readonly occurrences: number;
  readonly message: string;
  readonly evidence: AlertEvidence;
  readonly arrival: AlertArrival | undefined;
  /** Clock time the alert opened. */
  readonly openedAt: number;
  readonly updatedAt: number;
  readonly acknowledged: { readonly at: number; readonly actor: Actor } | undefined;
  readonly resolved: { readonly at: number; readonly actor: Actor; readonly reason: string } | undefined;
  readonly reminders: number;
  readonly history: readonly AlertTransition[];
}

/** The alert without its history: what the event log and webhooks carry. */
export type AlertSummary = Omit<Alert, 'history'>;

export function summaryOf(alert: Alert): AlertSummary {
  const { history: _history, ...summary } = alert;
  return summary;
}

export function isActive(alert: Alert): boolean {
  return alert.status !== 'resolved';
}
