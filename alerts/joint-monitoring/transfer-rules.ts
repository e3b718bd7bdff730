/**
 * The rules of a transfer (alerts/joint-monitoring/transfer-model.ts): create, accept, refuse,
 * report the result, and escalate a missed deadline to the lowest common
 * superior of sender and receiver, then one level up per escalation
 * interval. Deadlines by the level of what was transferred
 * (`AlertsConfig.transfer`). Pure: time comes in as `now`.
 */
import type { AlertLevel, ErrorCode, Registry } from '../../domain/index.js';
import type { Actor } from '../alarms/alert-model.js';
import type { AlertsConfig } from '../config.js';
import type { Transfer, TransferSubject, TransferTransition, TransferTransitionType } from './transfer-model.js';

export type TransferResult =
  | { readonly ok: true; readonly transfer: Transfer; readonly added: readonly TransferTransition[] }
  | { readonly ok: false; readonly code: ErrorCode; readonly message: string };

type TimingConfig = Pick<AlertsConfig, 'transfer' | 'escalationIntervalMs'>;
const SYSTEM: Actor = { kind: 'system' };

const levelKey = (level: AlertLevel | undefined): 'red' | 'orange' | 'yellow' | 'blue' | 'none' => level ?? 'none';

function withTransitions(
  transfer: Transfer,
  now: number,
  items: readonly { type: TransferTransitionType; actor: Actor; details?: Record<string, string | number | boolean> }[],
): { ok: true; transfer: Transfer; added: TransferTransition[] } {
  let seq = transfer.history.length;
  const added = items.map((item) => ({ seq: ++seq, at: now, type: item.type, actor: item.actor, details: item.details ?? {} }));
  return { ok: true, transfer: { ...transfer, updatedAt: now, history: [...transfer.history, ...added] }, added };
}

const refuse = (code: ErrorCode, message: string): TransferResult => ({ ok: false, code, message });

/** Where missed deadlines go, in order: the lowest common superior of sender and receiver, then its superiors. */
export function escalationTargets(registry: Registry, superiorId: string): string[] {
  return registry.ancestry(superiorId).map((a) => a.id);
}

export interface NewTransfer {
  readonly id: string;
  readonly subject: TransferSubject;
  readonly fromAgencyId: string;
  readonly toAgencyId: string;
  readonly reason: string;
  readonly actor: Actor;
}

/** A new transfer, or why not: the receiver must be an agency of the registry other than the sender. */
export function createTransfer(input: NewTransfer, registry: Registry, now: number, config: TimingConfig): TransferResult {
  if (!registry.agencies.has(input.toAgencyId))
    return refuse('RW_TRANSFER_INVALID', `no agency ${input.toAgencyId} in the registry; pick the responsible agency from GET /api/v1/registry`);
  if (input.toAgencyId === input.fromAgencyId) return refuse('RW_TRANSFER_INVALID', 'an agency cannot transfer to itself');
  if (input.reason.trim() === '') return refuse('RW_TRANSFER_INVALID', 'give the reason why the receiver is responsible');
  const superior = registry.leadAgency([input.fromAgencyId, input.toAgencyId]);
  if (!superior) return refuse('RW_TRANSFER_INVALID', `${input.fromAgencyId} and ${input.toAgencyId} have no common superior in the registry`);
  const transfer: Transfer = {
    id: input.id,
    subject: input.subject,
    fromAgencyId: input.fromAgencyId,
    toAgencyId: input.toAgencyId,
    reason: input.reason.trim(),
    status: 'pending',
    createdAt: now,
    acceptDeadline: now + config.transfer.acceptWithinMs[levelKey(input.subject.level)],
    resultDeadline: undefined,
    accepted: undefined,
    refused: undefined,
    result: undefined,
    superiorId: superior.id,
    escalations: [],
    escalationLevel: 0,
    updatedAt: now,
    history: [],
  };
  return withTransitions(transfer, now, [
    {
      type: 'created',
      actor: input.actor,
      details: { fromAgencyId: input.fromAgencyId, toAgencyId: input.toAgencyId, acceptDeadline: transfer.acceptDeadline },
    },
  ]);
}

/** The receiver (or one of its superiors) accepts; the result deadline starts. */
export function acceptTransfer(t: Transfer, actor: Actor, note: string, now: number, config: TimingConfig): TransferResult {
  if (t.status !== 'pending') return refuse('RW_TRANSFER_STATE', `transfer ${t.id} is ${t.status}; only a pending transfer is accepted`);
  const resultDeadline = now + config.transfer.resultWithinMs[levelKey(t.subject.level)];
  return withTransitions({ ...t, status: 'accepted', accepted: { at: now, actor, note }, resultDeadline, escalationLevel: 0 }, now, [
    { type: 'accepted', actor, details: { resultDeadline } },
  ]);
}

/** The receiver refuses with a reason: the transfer goes back to the sender (who may transfer again). */
export function refuseTransfer(t: Transfer, actor: Actor, reason: string, now: number): TransferResult {
  if (t.status !== 'pending') return refuse('RW_TRANSFER_STATE', `transfer ${t.id} is ${t.status}; only a pending transfer is refused`);
  if (reason.trim() === '') return refuse('RW_TRANSFER_INVALID', 'a refusal needs its reason');
  return withTransitions({ ...t, status: 'refused', refused: { at: now, actor, reason: reason.trim() } }, now, [
    { type: 'refused', actor, details: { reason: reason.trim() } },
  ]);
}

/** The receiver reports its result; the sender sees it; the transfer is closed out. */
export function reportTransferResult(t: Transfer, actor: Actor, text: string, now: number): TransferResult {
  if (t.status !== 'accepted') return refuse('RW_TRANSFER_STATE', `transfer ${t.id} is ${t.status}; accept it before reporting the result`);
  if (text.trim() === '') return refuse('RW_TRANSFER_INVALID', 'the result needs a text');
  return withTransitions({ ...t, status: 'completed', result: { at: now, actor, text: text.trim() } }, now, [
    { type: 'result', actor, details: { result: text.trim() } },
  ]);
}

/** When the next escalation of the running deadline is due, or undefined. */
export function nextTransferEscalationAt(t: Transfer, registry: Registry, config: TimingConfig): number | undefined {
  const deadline = t.status === 'pending' ? t.acceptDeadline : t.status === 'accepted' ? t.resultDeadline : undefined;
  if (deadline === undefined) return undefined;
  if (t.escalationLevel >= escalationTargets(registry, t.superiorId).length) return undefined;
  return deadline + config.escalationIntervalMs * t.escalationLevel;
}

/** Escalates every step now due (a late check catches up in one go). */
export function checkTransferDeadlines(t: Transfer, registry: Registry, now: number, config: TimingConfig): TransferResult & { ok: true } {
  const targets = escalationTargets(registry, t.superiorId);
  const reason = t.status === 'pending' ? 'accept-deadline' : 'result-deadline';
  let next = t;
  const items: { type: TransferTransitionType; actor: Actor; details: Record<string, string | number | boolean> }[] = [];
  for (;;) {
    const due = nextTransferEscalationAt(next, registry, config);
    if (due === undefined || now < due) break;
    const to = targets[next.escalationLevel] as string;
    const level = next.escalationLevel + 1;
    next = { ...next, escalationLevel: level, escalations: [...next.escalations, { at: now, toAgencyId: to, level, reason }] };
    items.push({ type: 'escalated', actor: SYSTEM, details: { toAgencyId: to, level, reason } });
  }
  return items.length === 0 ? { ok: true, transfer: t, added: [] } : withTransitions(next, now, items);
}
