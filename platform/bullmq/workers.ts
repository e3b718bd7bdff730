/**
 * The one way RiverWatch starts and stops BullMQ workers: every queue under
 * the alerts `queuePrefix`, the same lock and stall settings, errors logged
 * with the queue's name, and closing that gathers every failure.
 */
import { Worker, type ConnectionOptions, type Processor, type WorkerOptions } from 'bullmq';
import type { Logger } from 'pino';
import type { Redis } from '../redis/client.js';
import type { Clock, Registry } from '../../domain/index.js';
import type { AlertsConfig } from '../../alerts/config.js';
import type { RedisKeys } from '../redis/keys.js';

export interface WorkerContext {
  readonly connection: ConnectionOptions;
  readonly config: Pick<AlertsConfig, 'queuePrefix' | 'lockDurationMs' | 'stalledIntervalMs'>;
  readonly logger: Logger;
}

/** What the alerts' queue parts (notifier, station commands) are built on. */
export interface QueuePartDeps extends WorkerContext {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly registry: Registry;
  readonly config: AlertsConfig;
  readonly clock: Clock;
}

/** Starts a worker on `queue` and waits until it is connected. */
export async function startWorker<D, R = unknown>(
  context: WorkerContext,
  queue: string,
  processor: Processor<D, R>,
  options: { readonly concurrency: number; readonly settings?: WorkerOptions['settings'] },
): Promise<Worker<D, R>> {
  const { connection, config, logger } = context;
  const worker = new Worker<D, R>(queue, processor, {
    connection,
    prefix: config.queuePrefix,
    concurrency: options.concurrency,
    lockDuration: config.lockDurationMs,
    stalledInterval: config.stalledIntervalMs,
    maxStalledCount: 5,
    ...(options.settings ? { settings: options.settings } : {}),
  });
  worker.on('error', (err) => logger.error({ err, queue }, `${queue} worker error`));
  await worker.waitUntilReady();
  return worker;
}

/** Closes workers (`force` abandons active jobs; they come back as stalled), then queues or producers; throws every failure at once. */
export async function closeAll(what: string, workers: readonly (Worker | undefined)[], others: readonly { close(): Promise<void> }[], force = false): Promise<void> {
  const errors: unknown[] = [];
  await Promise.all(workers.map((w) => w?.close(force).catch((err: unknown) => errors.push(err))));
  await Promise.all(others.map((o) => o.close().catch((err: unknown) => errors.push(err))));
  if (errors.length > 0) throw new AggregateError(errors, `closing ${what} failed`);
}
