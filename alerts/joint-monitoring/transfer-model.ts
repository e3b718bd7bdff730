/**
 * Transfer with feedback (issue 18; policy.md "Grid responsibility", seeds
 * 001 and 002): an agency hands an alert or task outside its responsibility
 * to the responsible agency with a reason; the receiver accepts (or refuses
 * with a reason, which returns it), works it and reports its result back to
 * the sender, each within a deadline; a missed one escalates to the lowest
 * common superior of the two, then one level up at a time. A transfer is an
 * entry of the transfer ledger (registered, owner, deadline, tracked, closed
 * out with its result) with its own history. Pure types.
 */
import type { AlertLevel } from '../../domain/index.js';
import type { Actor } from '../alarms/alert-model.js';

export const TRANSFER_STATUSES = ['pending', 'accepted', 'refused', 'completed'] as const;
export type TransferStatus = (typeof TRANSFER_STATUSES)[number];

export type TransferSubjectKind = 'alert' | 'task';

/** What was transferred, as the receiver needs to see it (the receiver may not see the section itself). */
export interface TransferSubject {
  readonly kind: TransferSubjectKind;
  readonly id: string;
  readonly sectionId: string;
  readonly riverId: string | undefined;
  readonly level: AlertLevel | undefined;
  /** The alert's message, or a line about the task. */
  readonly summary: string;
  readonly parameters: readonly string[];
}

export type TransferTransitionType = 'created' | 'accepted' | 'refused' | 'result' | 'escalated';

export interface TransferTransition {
  readonly seq: number;
  readonly type: TransferTransitionType;
  readonly at: number;
  readonly actor: Actor;
  readonly details: Readonly<Record<string, string | number | boolean>>;
}

export interface TransferEscalation {
  readonly at: number;
  readonly toAgencyId: string;
  /** 1 = the lowest common superior of sender and receiver, 2 = its superior, ... */
  readonly level: number;
  readonly reason: 'accept-deadline' | 'result-deadline';
}

export interface Transfer {
  readonly id: string;
  readonly subject: TransferSubject;
  readonly fromAgencyId: string;
  readonly toAgencyId: string;
  readonly reason: string;
  readonly status: TransferStatus;
  readonly createdAt: number;
  /** Accept or refuse by then. */
  readonly acceptDeadline: number;
  /** Report the result by then (set on acceptance). */
  readonly resultDeadline: number | undefined;
  readonly accepted: { readonly at: number; readonly actor: Actor; readonly note: string } | undefined;
  readonly refused: { readonly at: number; readonly actor: Actor; readonly reason: string } | undefined;
  readonly result: { readonly at: number; readonly actor: Actor; readonly text: string } | undefined;
  /** Lowest common superior of sender and receiver: where a missed deadline goes first. */
  readonly superiorId: string;
  readonly escalations: readonly TransferEscalation[];
  /** Escalations for the deadline now running (reset when the acceptance starts the result deadline). */
  readonly escalationLevel: number;
  readonly updatedAt: number;
  readonly history: readonly TransferTransition[];
}

/** Whether the transfer still waits for the receiver. */
export function isOpenTransfer(t: Pick<Transfer, 'status'>): boolean {
  return t.status === 'pending' || t.status === 'accepted';
}
