/**
 * Notification queue (BullMQ): one job per (transition, recipient), job id
 * `n.{transitionId}.{agencyId}`, so enqueuing twice is ignored. The worker
 * POSTs signed webhooks with exponential backoff, keeps a delivery log,
 * moves the last failure to the dead letters, and keeps the order of one
 * transition's recipients (downstream first): only the first recipient's
 * job is enqueued; each job adds the next recipient's job once its own
 * first attempt is over (delivered or failed), so a broken endpoint delays
 * the next agency by at most one attempt (`webhook.timeoutMs`), never by
 * its retries.
 */
import { Queue, type Job, type Worker } from 'bullmq';
import { closeAll, startWorker, type QueuePartDeps } from './workers.js';
import type { AlertSummary, AlertTransition } from '../../alerts/alarms/alert-model.js';
import type { AlertsMetrics } from '../redis/alerts/alerts-metrics.js';
import type { Recipient } from '../../alerts/alarms/recipients.js';
import type { TaskSummary, TaskTransition } from '../../alerts/joint-monitoring/task-model.js';
import { postWebhook } from '../../alerts/alarms/webhook.js';

export const NOTIFY_QUEUE = 'alerts-notify';
const DELIVERY_TTL_S = 30 * 24 * 3600;

/** The JSON body of a webhook. */
export type NotificationPayload = {
  readonly deliveryId: string;
  readonly recipient: Recipient;
} & NotificationContent;

/** What a notification is about (the same for every recipient of one transition). */
export type NotificationContent =
  | { readonly type: 'alert'; readonly transition: AlertTransition; readonly alert: AlertSummary }
  | { readonly type: 'task'; readonly transition: TaskTransition; readonly task: TaskSummary }
  /** Alerts (and joint tasks) of one incident opened for one agency, sent as one (notification-groups.ts). */
  | { readonly type: 'alert-group'; readonly groupKey: string; readonly members: readonly GroupMember[] };

/** One alert or task opening inside a grouped notification. */
export type GroupMember =
  | { readonly type: 'alert'; readonly transition: AlertTransition; readonly alert: AlertSummary }
  | { readonly type: 'task'; readonly transition: TaskTransition; readonly task: TaskSummary };

export interface NotificationJobData {
  /** The transition notified; all its recipients share it. */
  readonly sourceId: string;
  readonly recipient: Recipient;
  /** Recipients still to notify after this one, in order. */
  readonly rest: readonly Recipient[];
  readonly content: NotificationContent;
}

export interface DeliveryRecord {
  readonly deliveryId: string;
  readonly sourceId: string;
  readonly agencyId: string;
  readonly status: 'delivered' | 'failed' | 'dead';
  readonly attempts: number;
  readonly httpStatus?: number;
  readonly error?: string;
  readonly at: number;
}

export function deliveryIdOf(sourceId: string, agencyId: string): string {
  return `${sourceId}.${agencyId}`;
}

export interface NotifierDeps extends QueuePartDeps {
  readonly metrics: AlertsMetrics;
}

export class Notifier {
  readonly queue: Queue<NotificationJobData>;
  #worker: Worker<NotificationJobData> | undefined;
  readonly #deps: NotifierDeps;

  constructor(deps: NotifierDeps) {
    this.#deps = deps;
    this.queue = new Queue<NotificationJobData>(NOTIFY_QUEUE, {
      connection: deps.connection,
      prefix: deps.config.queuePrefix,
      defaultJobOptions: {
        attempts: deps.config.webhook.attempts,
        backoff: { type: 'exponential', delay: deps.config.webhook.backoffMs },
        removeOnComplete: { age: deps.config.keepCompletedJobsS },
        removeOnFail: { age: deps.config.keepCompletedJobsS },
      },
    });
    // Connection errors (a Redis restart or failover) are logged by the connection; without a listener BullMQ prints them.
    this.queue.on('error', (err) => deps.logger.debug({ err }, 'notify queue connection error'));
  }

  /**
   * Starts the notification of a transition: enqueues the first recipient
   * with a webhook (downstream first); the rest follow in order. Idempotent
   * per (transition, recipient) through the job id.
   */
  async enqueue(sourceId: string, recipients: readonly Recipient[], content: NotificationContent): Promise<number> {
    const withWebhook = recipients.filter((r) => this.#deps.registry.agencies.get(r.agencyId)?.webhook !== undefined);
    const [first, ...rest] = withWebhook;
    if (!first) return 0;
    await this.#add({ sourceId, recipient: first, rest, content });
    return withWebhook.length;
  }

  async #add(data: NotificationJobData): Promise<void> {
    await this.queue.add('webhook', data, { jobId: `n.${deliveryIdOf(data.sourceId, data.recipient.agencyId)}` });
  }

  async #addNext(data: NotificationJobData): Promise<void> {
    const [next, ...rest] = data.rest;
    if (next) await this.#add({ sourceId: data.sourceId, recipient: next, rest, content: data.content });
  }

  /** Starts the delivery worker. */
  async start(): Promise<void> {
    if (this.#worker) return;
    this.#worker = await startWorker<NotificationJobData>(this.#deps, NOTIFY_QUEUE, (job) => this.#process(job), { concurrency: this.#deps.config.webhook.concurrency });
  }

  /** Stops the worker; `force` abandons active deliveries (they are retried as stalled jobs). */
  async close(force = false): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    await closeAll('the notifier', [worker], [this.queue], force);
  }

  /** Recent delivery records, newest first. */
  async recentDeliveries(limit = 100): Promise<DeliveryRecord[]> {
    const { redis, keys } = this.#deps;
    const ids = await redis.lrange(keys.deliveryLog(), 0, limit - 1);
    const out: DeliveryRecord[] = [];
    for (const id of ids) {
      const record = await redis.hgetall(keys.delivery(id));
      if (record.status) out.push(toRecord(id, record));
    }
    return out;
  }

  async delivery(deliveryId: string): Promise<DeliveryRecord | undefined> {
    const record = await this.#deps.redis.hgetall(this.#deps.keys.delivery(deliveryId));
    return record.status ? toRecord(deliveryId, record) : undefined;
  }

  async deadLetters(limit = 100): Promise<unknown[]> {
    const items = await this.#deps.redis.lrange(this.#deps.keys.deadLetters(), 0, limit - 1);
    return items.map((s) => JSON.parse(s) as unknown);
  }

  async #process(job: Job<NotificationJobData>): Promise<string> {
    const { redis, keys, registry, config, metrics, clock, logger } = this.#deps;
    const data = job.data;
    const deliveryId = deliveryIdOf(data.sourceId, data.recipient.agencyId);
    const deliveryKey = keys.delivery(deliveryId);
    if ((await redis.hget(deliveryKey, 'status')) === 'delivered') {
      // A re-run after a crash: make sure the chain goes on.
      await this.#addNext(data);
      return 'already-delivered';
    }

    const webhook = registry.agencies.get(data.recipient.agencyId)?.webhook;
    const attempt = job.attemptsMade + 1;
    if (!webhook) {
      await this.#addNext(data);
      return 'no-webhook';
    }
    const payload: NotificationPayload = { deliveryId, recipient: data.recipient, ...data.content };
    const body = JSON.stringify(payload);
    const result = await postWebhook(
      webhook,
      { id: deliveryId, attempt, body, timestampMs: Date.now() },
      config.webhook.timeoutMs,
    );
    const now = clock.now();
    const finalAttempt = attempt >= (job.opts.attempts ?? 1);
    const status = result.ok ? 'delivered' : finalAttempt ? 'dead' : 'failed';
    const multi = redis
      .multi()
      .hset(deliveryKey, {
        sourceId: data.sourceId,
        agencyId: data.recipient.agencyId,
        status,
        attempts: attempt,
        httpStatus: result.status ?? '',
        error: result.error ?? '',
        at: now,
      })
      .expire(deliveryKey, DELIVERY_TTL_S);
    if (attempt === 1 || status !== 'failed')
      multi.lpush(keys.deliveryLog(), deliveryId).ltrim(keys.deliveryLog(), 0, config.deliveryLogMaxLen - 1);
    if (status === 'dead') {
      multi
        .lpush(
          keys.deadLetters(),
          JSON.stringify({
            deliveryId: deliveryId,
            agencyId: data.recipient.agencyId,
            attempts: attempt,
            error: result.error,
            at: now,
            payload,
          }),
        )
        .ltrim(keys.deadLetters(), 0, config.deliveryLogMaxLen - 1);
    }
    await multi.exec();
    // The next agency's turn comes after this one's attempt, whatever its outcome.
    await this.#addNext(data);

    if (!result.ok) {
      metrics.deliveryFailures.inc({ channel: 'webhook' });
      if (finalAttempt) {
        metrics.deliveries.inc({ channel: 'webhook', outcome: 'dead' });
        logger.warn(
          { deliveryId: deliveryId, agencyId: data.recipient.agencyId, attempts: attempt, error: result.error },
          'webhook delivery dead-lettered',
        );
      }
      throw new Error(`webhook to ${data.recipient.agencyId} failed: ${result.error ?? 'unknown'}`);
    }
    metrics.deliveries.inc({ channel: 'webhook', outcome: 'delivered' });
    const opened = payload.type === 'alert' ? [payload] : payload.type === 'alert-group' ? payload.members : [];
    for (const m of opened) {
      if (m.type !== 'alert' || m.transition.type !== 'opened') continue;
      const first = await redis.set(keys.firstNotified(m.alert.id), String(now), 'EX', DELIVERY_TTL_S, 'NX');
      if (first === 'OK') metrics.firstNotificationSeconds.observe(Math.max(0, now - m.transition.at) / 1000);
    }
    return 'delivered';
  }
}

function toRecord(deliveryId: string, record: Record<string, string>): DeliveryRecord {
  return {
    deliveryId,
    sourceId: record.sourceId ?? '',
    agencyId: record.agencyId ?? '',
    status: (record.status ?? 'failed') as DeliveryRecord['status'],
    attempts: Number(record.attempts ?? 0),
    ...(record.httpStatus ? { httpStatus: Number(record.httpStatus) } : {}),
    ...(record.error ? { error: record.error } : {}),
    at: Number(record.at ?? 0),
  };
}
