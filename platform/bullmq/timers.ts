/**
 * Timers as BullMQ delayed jobs (queue `alerts-timers`): a job only wakes
 * the check of one alert or task at its due time; what is due is decided
 * from the stored state and the injected clock, so a job firing twice, late
 * or early changes nothing wrong. Job ids carry the due time, so scheduling
 * the same due twice adds one job.
 */
import { Queue, type ConnectionOptions, type Job, type Worker } from 'bullmq';
import { closeAll, startWorker } from './workers.js';
import type { Logger } from 'pino';
import type { Clock } from '../../domain/index.js';
import type { AlertsConfig } from '../../alerts/config.js';

export const TIMERS_QUEUE = 'alerts-timers';

export type TimerJobData =
  | { readonly kind: 'alert'; readonly alertId: string }
  | { readonly kind: 'task'; readonly taskId: string }
  /** The end of a silence's window (issue 15): release what it held back. */
  | { readonly kind: 'silence'; readonly silenceId: string }
  /** The send of an agency's notification group (issue 15 §3). */
  | { readonly kind: 'group'; readonly agencyId: string; readonly groupKey: string };

export interface TimersDeps {
  readonly connection: ConnectionOptions;
  readonly config: AlertsConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly onDue: (data: TimerJobData) => Promise<void>;
}

export class Timers {
  readonly #deps: TimersDeps;
  readonly #queue: Queue<TimerJobData>;
  #worker: Worker<TimerJobData> | undefined;

  constructor(deps: TimersDeps) {
    this.#deps = deps;
    this.#queue = new Queue<TimerJobData>(TIMERS_QUEUE, {
      connection: deps.connection,
      prefix: deps.config.queuePrefix,
      defaultJobOptions: {
        removeOnComplete: true,
        removeOnFail: { age: deps.config.keepCompletedJobsS },
        attempts: 5,
        backoff: { type: 'exponential', delay: 1000 },
      },
    });
    this.#queue.on('error', (err) => deps.logger.debug({ err }, 'timers queue connection error'));
  }

  /** Wakes the check of `data` at `dueAt` (clock time, epoch ms); at once when already due. */
  async schedule(data: TimerJobData, dueAt: number): Promise<void> {
    const id =
      data.kind === 'alert'
        ? `ta.${data.alertId}.${dueAt}`
        : data.kind === 'task'
          ? `tt.${data.taskId}.${dueAt}`
          : data.kind === 'silence'
            ? `ts.${data.silenceId}.${dueAt}`
            : `tg.${data.agencyId}.${data.groupKey}.${dueAt}`;
    const delay = Math.max(0, dueAt - this.#deps.clock.now());
    await this.#queue.add(data.kind, data, { jobId: id, delay });
  }

  async start(): Promise<void> {
    if (this.#worker) return;
    this.#worker = await startWorker<TimerJobData>(this.#deps, TIMERS_QUEUE, (job: Job<TimerJobData>) => this.#deps.onDue(job.data), { concurrency: 4 });
  }

  async close(force = false): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    await closeAll('timers', [worker], [this.#queue], force);
  }
}
