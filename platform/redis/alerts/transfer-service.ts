/**
 * Transfers on Redis (issue 18): each change of a transfer is one atomic
 * script that writes the transfer (the transfer ledger: index by creation,
 * set of open ones), appends the matching transition to the history of the
 * transferred alert or task, and puts that transition into the event log
 * (live dashboard stream). One open transfer per alert or task at a time.
 * Deadlines are checked by `sweep()` (on a timer every `sweepIntervalMs`, and
 * by tests after moving a test clock); a missed one escalates (transfer-rules.ts).
 * Webhooks: the receiver hears of a new transfer, the sender of each answer,
 * the superior of an escalation.
 */
import type { ReplicationPolicy } from '../replicated-write.js';
import type { Redis } from '../client.js';
import type { Logger } from 'pino';
import { AppError, systemClock, type Clock, type Registry } from '../../../domain/index.js';
import { summaryOf, type Actor, type Alert, type AlertTransition, type AlertTransitionType } from '../../../alerts/alarms/alert-model.js';
import { transact, type RedisCommand } from '../compare-and-set.js';
import type { AlertsConfig } from '../../../alerts/config.js';
import { appendCommand } from './event-log.js';
import type { RedisKeys } from '../keys.js';
import type { Notifier } from '../../bullmq/notifier.js';
import type { Recipient } from '../../../alerts/alarms/recipients.js';
import { taskSummaryOf, type Task, type TaskTransition } from '../../../alerts/joint-monitoring/task-model.js';
import { isOpenTransfer, type Transfer, type TransferStatus, type TransferSubjectKind, type TransferTransition } from '../../../alerts/joint-monitoring/transfer-model.js';
import {
  acceptTransfer,
  checkTransferDeadlines,
  createTransfer,
  refuseTransfer,
  reportTransferResult,
  type TransferResult,
} from '../../../alerts/joint-monitoring/transfer-rules.js';

const SUBJECT_TYPE: Record<TransferTransition['type'], AlertTransitionType & TaskTransition['type']> = {
  created: 'transferred',
  accepted: 'transfer-accepted',
  refused: 'transfer-refused',
  result: 'transfer-result',
  escalated: 'transfer-escalated',
};

export interface TransferFilter {
  readonly status?: readonly TransferStatus[];
  readonly subject?: { readonly kind: TransferSubjectKind; readonly id: string };
  readonly visible?: (t: Transfer) => boolean;
  readonly limit: number;
  readonly offset: number;
}

export interface TransferServiceDeps {
  readonly redis: Redis;
  readonly registry: Registry;
  readonly keys: RedisKeys;
  readonly config: AlertsConfig;
  readonly clock?: Clock;
  /** Webhook delivery (the alerts stage's notifier); without it no webhooks. */
  readonly notifier?: Notifier;
  readonly logger: Logger;
  /** Replicas that must hold a transfer's change before it counts as done (RW_REDIS_WAIT_REPLICAS). @defaultValue none */
  readonly replication?: ReplicationPolicy;
}

type Subject = { kind: 'alert'; value: Alert } | { kind: 'task'; value: Task };

export class TransferService {
  readonly #deps: TransferServiceDeps;
  readonly #clock: Clock;
  #timer: NodeJS.Timeout | undefined;

  constructor(deps: TransferServiceDeps) {
    this.#deps = deps;
    this.#clock = deps.clock ?? systemClock;
  }

  #key(id: string): string {
    return this.#deps.keys.transfer(id);
  }
  #index(): string {
    return this.#deps.keys.transferIndex();
  }
  #open(): string {
    return this.#deps.keys.openTransfers();
  }
  #bySubject(kind: TransferSubjectKind, id: string): string {
    return this.#deps.keys.transferBySubject(kind, id);
  }
  #subjectKey(kind: TransferSubjectKind, id: string): string {
    return kind === 'alert' ? this.#deps.keys.alert(id) : this.#deps.keys.task(id);
  }

  /** Checks deadlines every `sweepIntervalMs` (0 = only when `sweep()` is called). */
  start(): void {
    const every = this.#deps.config.sweepIntervalMs;
    if (this.#timer || every === 0) return;
    this.#timer = setInterval(() => {
      this.sweep().catch((err: unknown) => this.#deps.logger.warn({ err }, 'transfer sweep failed; next one retries'));
    }, every);
    this.#timer.unref();
  }

  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Transfers an alert or task to `toAgencyId`; throws `RW_NOT_FOUND`, `RW_TRANSFER_INVALID`, or `RW_TRANSFER_STATE` when one is open. */
  async create(input: { kind: TransferSubjectKind; id: string; fromAgencyId: string; toAgencyId: string; reason: string; actor: Actor }): Promise<Transfer> {
    const id = `tr-${this.#clock.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    return this.#change(id, { kind: input.kind, id: input.id }, (current, subject, now) => {
      if (current) throw new AppError('RW_TRANSFER_STATE', `transfer ${id} exists`);
      if (subject.kind === 'alert' && subject.value.status === 'resolved')
        return { ok: false, code: 'RW_TRANSFER_INVALID', message: `alert ${input.id} is resolved; nothing to transfer` };
      if (subject.kind === 'task' && subject.value.status === 'closed')
        return { ok: false, code: 'RW_TRANSFER_INVALID', message: `task ${input.id} is closed; nothing to transfer` };
      const v = subject.value;
      const summary =
        subject.kind === 'alert' ? subject.value.message : `joint monitoring task of ${subject.value.parties.join(', ')} (${subject.value.status})`;
      const parameters = subject.kind === 'alert' ? subject.value.parameters : [];
      return createTransfer(
        {
          id,
          subject: { kind: input.kind, id: input.id, sectionId: v.sectionId, riverId: v.riverId, level: v.level, summary, parameters },
          fromAgencyId: input.fromAgencyId,
          toAgencyId: input.toAgencyId,
          reason: input.reason,
          actor: input.actor,
        },
        this.#deps.registry,
        now,
        this.#deps.config,
      );
    });
  }

  async accept(transferId: string, actor: Actor, note = ''): Promise<Transfer> {
    return this.#update(transferId, (t, now) => acceptTransfer(t, actor, note, now, this.#deps.config));
  }

  async refuse(transferId: string, actor: Actor, reason: string): Promise<Transfer> {
    return this.#update(transferId, (t, now) => refuseTransfer(t, actor, reason, now));
  }

  async reportResult(transferId: string, actor: Actor, text: string): Promise<Transfer> {
    return this.#update(transferId, (t, now) => reportTransferResult(t, actor, text, now));
  }

  async get(transferId: string): Promise<Transfer | undefined> {
    const json = await this.#deps.redis.get(this.#key(transferId));
    return json ? (JSON.parse(json) as Transfer) : undefined;
  }

  /** Transfers matching the filter, newest first, with the total count. */
  async list(filter: TransferFilter): Promise<{ items: Transfer[]; total: number }> {
    const ids = await this.#deps.redis.zrevrange(this.#index(), 0, -1);
    const items: Transfer[] = [];
    let total = 0;
    for (let i = 0; i < ids.length; i += 200) {
      const chunk = ids.slice(i, i + 200).map((id) => this.#key(id));
      for (const json of chunk.length > 0 ? await this.#deps.redis.mget(...chunk) : []) {
        if (!json) continue;
        const t = JSON.parse(json) as Transfer;
        if (filter.status && !filter.status.includes(t.status)) continue;
        if (filter.subject && (t.subject.kind !== filter.subject.kind || t.subject.id !== filter.subject.id)) continue;
        if (filter.visible && !filter.visible(t)) continue;
        if (total >= filter.offset && items.length < filter.limit) items.push(t);
        total += 1;
      }
    }
    return { items, total };
  }

  /** Escalates every open transfer whose deadline passed. */
  async sweep(): Promise<void> {
    for (const id of await this.#deps.redis.smembers(this.#open()))
      await this.#update(id, (t, now) => checkTransferDeadlines(t, this.#deps.registry, now, this.#deps.config));
  }

  async #update(transferId: string, decide: (t: Transfer, now: number) => TransferResult): Promise<Transfer> {
    const current = await this.get(transferId);
    if (!current) throw new AppError('RW_NOT_FOUND', `no transfer ${transferId}`);
    return this.#change(transferId, current.subject, (t, _subject, now) => {
      if (!t) throw new AppError('RW_NOT_FOUND', `no transfer ${transferId}`);
      return decide(t, now);
    });
  }

  /** One atomic change: the transfer, the subject's history, the event log; then the webhooks. */
  async #change(
    transferId: string,
    ref: { kind: TransferSubjectKind; id: string },
    decide: (current: Transfer | undefined, subject: Subject, now: number) => TransferResult,
  ): Promise<Transfer> {
    const { redis, keys, config } = this.#deps;
    const tKey = this.#key(transferId);
    const sKey = this.#subjectKey(ref.kind, ref.id);
    const pointer = this.#bySubject(ref.kind, ref.id);
    const outcome = await transact(redis, [tKey, sKey, pointer], (values) => {
      const current = values[0] ? (JSON.parse(values[0]) as Transfer) : undefined;
      if (!values[1]) throw new AppError('RW_NOT_FOUND', `no ${ref.kind} ${ref.id}`);
      const subject: Subject = ref.kind === 'alert' ? { kind: 'alert', value: JSON.parse(values[1]) as Alert } : { kind: 'task', value: JSON.parse(values[1]) as Task };
      const openId = values[2];
      if (!current && openId && openId !== transferId)
        throw new AppError('RW_TRANSFER_STATE', `${ref.kind} ${ref.id} already has an open transfer (${openId}); wait for its answer`);
      const now = this.#clock.now();
      const result = decide(current, subject, now);
      if (!result.ok) throw new AppError(result.code, result.message);
      if (result.added.length === 0) return { commands: [], result: { transfer: result.transfer, notes: [] as Note[] } };
      const t = result.transfer;
      const commands: RedisCommand[] = [['SET', tKey, JSON.stringify(t)]];
      if (!current) commands.push(['ZADD', this.#index(), t.createdAt, t.id]);
      if (isOpenTransfer(t)) commands.push(['SADD', this.#open(), t.id], ['SET', pointer, t.id]);
      else commands.push(['SREM', this.#open(), t.id], ['DEL', pointer]);
      const notes: Note[] = [];
      if (subject.kind === 'alert') {
        let alert = subject.value;
        for (const added of result.added) {
          const seq = alert.history.length + 1;
          const transition: AlertTransition = {
            id: `${alert.id}.${seq}`,
            seq,
            type: SUBJECT_TYPE[added.type],
            at: now,
            actor: added.actor,
            level: alert.level,
            reason: reasonText(t, added),
            details: { transferId: t.id, fromAgencyId: t.fromAgencyId, toAgencyId: t.toAgencyId, ...added.details },
          };
          alert = { ...alert, updatedAt: now, history: [...alert.history, transition] };
          commands.push(appendCommand(keys.eventLog(), config.eventLogMaxLen, { type: 'alert', transition, alert: summaryOf(alert) }));
          notes.push({ added, content: { type: 'alert', transition, alert: summaryOf(alert) } });
        }
        commands.push(['SET', sKey, JSON.stringify(alert)]);
      } else {
        let task = subject.value;
        for (const added of result.added) {
          const seq = task.history.length + 1;
          const transition: TaskTransition = {
            id: `${task.id}.${seq}`,
            seq,
            type: SUBJECT_TYPE[added.type],
            at: now,
            actor: added.actor,
            details: { transferId: t.id, fromAgencyId: t.fromAgencyId, toAgencyId: t.toAgencyId, reason: reasonText(t, added), ...added.details },
          };
          task = { ...task, updatedAt: now, history: [...task.history, transition] };
          commands.push(appendCommand(keys.eventLog(), config.eventLogMaxLen, { type: 'task', transition, task: taskSummaryOf(task) }));
          notes.push({ added, content: { type: 'task', transition, task: taskSummaryOf(task) } });
        }
        commands.push(['SET', sKey, JSON.stringify(task)]);
      }
      return { commands, result: { transfer: t, notes } };
    }, this.#deps.replication ? { replication: this.#deps.replication } : {});
    await this.#notify(outcome.transfer, outcome.notes);
    return outcome.transfer;
  }

  async #notify(t: Transfer, notes: readonly Note[]): Promise<void> {
    const notifier = this.#deps.notifier;
    if (!notifier) return;
    for (const { added, content } of notes) {
      const recipients: Recipient[] =
        added.type === 'created'
          ? [{ agencyId: t.toAgencyId, role: 'party' }]
          : added.type === 'escalated'
            ? [{ agencyId: String(added.details.toAgencyId), role: 'escalation' }]
            : [{ agencyId: t.fromAgencyId, role: 'party' }];
      // After the write: a crash right here loses this webhook, not the transfer (ledger, history, live stream have it).
      await notifier.enqueue(content.transition.id, recipients, content).catch((err: unknown) => this.#deps.logger.warn({ err, transferId: t.id }, 'transfer webhook not queued'));
    }
  }
}

interface Note {
  readonly added: TransferTransition;
  /** An alert's or a task's transition (never a grouped notification). */
  readonly content: Exclude<Parameters<Notifier['enqueue']>[2], { type: 'alert-group' }>;
}

/** A line for the subject's history. */
function reasonText(t: Transfer, added: TransferTransition): string {
  switch (added.type) {
    case 'created':
      return t.reason;
    case 'accepted':
      return t.accepted?.note ?? '';
    case 'refused':
      return t.refused?.reason ?? '';
    case 'result':
      return t.result?.text ?? '';
    case 'escalated':
      return `${String(added.details.reason)} → ${String(added.details.toAgencyId)}`;
  }
}
