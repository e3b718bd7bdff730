/**
 * Sampling-frequency commands as a BullMQ flow: one child job per station
 * (queue `alerts-commands`) that sends the command and waits for the
 * station's ack, retried with backoff until acknowledged or expired; the
 * parent (queue `alerts-sampling`) runs once every child is done and records
 * on the task which stations acknowledged. Job ids are fixed per (task,
 * station, action, epoch), so adding the flow twice is ignored.
 */
import { FlowProducer, UnrecoverableError, type Job, type Worker } from 'bullmq';
import { closeAll, startWorker, type QueuePartDeps } from './workers.js';
import type { StationCommand, StationCommandAck, StationCommander } from '../../domain/index.js';

export const COMMANDS_QUEUE = 'alerts-commands';
export const SAMPLING_QUEUE = 'alerts-sampling';
const ACK_TTL_S = 7 * 24 * 3600;
const ACK_POLL_MS = 200;

export type SamplingAction = 'raise' | 'restore';

export interface CommandJobData {
  readonly command: StationCommand;
}

export interface SamplingJobData {
  readonly taskId: string;
  readonly action: SamplingAction;
  readonly epoch: number;
  readonly stationIds: readonly string[];
}

export interface CommandOutcome {
  readonly stationId: string;
  readonly ok: boolean;
}

export interface StationCommandsDeps extends QueuePartDeps {
  /** Absent in processes that only enqueue (API); the command worker needs it. */
  readonly commander: StationCommander | undefined;
  /** Called by the flow's parent with the stations that acknowledged. */
  readonly onSamplingDone: (data: SamplingJobData, acked: readonly string[], failed: readonly string[]) => Promise<void>;
}

export function commandIdOf(taskId: string, stationId: string, action: SamplingAction, epoch: number): string {
  return `${taskId}.${stationId}.${action}.${epoch}`;
}

export class StationCommands {
  readonly #deps: StationCommandsDeps;
  readonly #flows: FlowProducer;
  readonly #waiters = new Map<string, Set<(ack: StationCommandAck) => void>>();
  #workers: Worker[] = [];

  constructor(deps: StationCommandsDeps) {
    this.#deps = deps;
    this.#flows = new FlowProducer({ connection: deps.connection, prefix: deps.config.queuePrefix });
    this.#flows.on('error', (err) => deps.logger.debug({ err }, 'station-command flows connection error'));
  }

  /** Records a station's ack (from any process's MQTT listener) and wakes the job waiting for it. */
  async recordAck(ack: StationCommandAck): Promise<void> {
    await this.#deps.redis.set(this.#deps.keys.commandAck(ack.id), JSON.stringify(ack), 'EX', ACK_TTL_S);
    for (const wake of this.#waiters.get(ack.id) ?? []) wake(ack);
  }

  async ackOf(commandId: string): Promise<StationCommandAck | undefined> {
    const json = await this.#deps.redis.get(this.#deps.keys.commandAck(commandId));
    return json ? (JSON.parse(json) as StationCommandAck) : undefined;
  }

  /** Adds the flow that raises or restores the sampling interval of the task's stations. */
  async startSampling(taskId: string, action: SamplingAction, epoch: number, stationIds: readonly string[]): Promise<void> {
    const { registry, config, clock } = this.#deps;
    const expiresAt = clock.now() + config.commandExpiryMs;
    const keep = { age: config.keepCompletedJobsS };
    const children = stationIds.flatMap((stationId) => {
      const station = registry.station(stationId);
      if (!station) return [];
      const command: StationCommand = {
        id: commandIdOf(taskId, stationId, action, epoch),
        stationId,
        sectionId: station.sectionId,
        type: action === 'raise' ? 'set-sampling-interval' : 'restore-sampling-interval',
        intervalS: action === 'raise' ? config.raisedSamplingIntervalS : station.samplingIntervalS,
        expiresAt,
      };
      const job = this.#commandJob(command);
      return [{ ...job, opts: { ...job.opts, ignoreDependencyOnFailure: true } }];
    });
    await this.#flows.add({
      name: 'sampling',
      queueName: SAMPLING_QUEUE,
      data: { taskId, action, epoch, stationIds: [...stationIds] } satisfies SamplingJobData,
      opts: {
        jobId: `s.${taskId}.${action}.${epoch}`,
        removeOnComplete: keep,
        removeOnFail: keep,
        attempts: 10,
        backoff: { type: 'exponential', delay: 1000 },
      },
      children,
    });
  }

  /**
   * Asks a station for a verification measurement of a suspect reading
   * (issue 13 §4): one command job, retried until acknowledged or expired.
   * The job id is fixed per alert and suspect reading, so asking twice is
   * ignored. The answer arrives as an ordinary reading, which settles the
   * alert in analytics.
   */
  async requestMeasurement(alertId: string, verify: { stationId: string; parameter: string; suspectTs: number }): Promise<void> {
    const { registry, config, clock } = this.#deps;
    const station = registry.station(verify.stationId);
    if (!station) return;
    const command: StationCommand = {
      id: `${alertId}.verify.${verify.suspectTs}`,
      stationId: station.id,
      sectionId: station.sectionId,
      type: 'measure-now',
      parameters: [verify.parameter],
      expiresAt: clock.now() + config.commandExpiryMs,
    };
    await this.#flows.add(this.#commandJob(command));
  }

  /** The job that sends one command and waits for its ack; its id is fixed by the command's, so adding it twice is ignored. */
  #commandJob(command: StationCommand) {
    const { config } = this.#deps;
    const keep = { age: config.keepCompletedJobsS };
    return {
      name: 'command',
      queueName: COMMANDS_QUEUE,
      data: { command } satisfies CommandJobData,
      opts: {
        jobId: `c.${command.id}`,
        attempts: config.commandMaxAttempts,
        backoff: { type: 'command' },
        removeOnComplete: keep,
        removeOnFail: keep,
      },
    };
  }

  async start(): Promise<void> {
    if (this.#workers.length > 0) return;
    const { config } = this.#deps;
    this.#workers.push(await startWorker<SamplingJobData>(this.#deps, SAMPLING_QUEUE, (job) => this.#processParent(job), { concurrency: 4 }));
    if (this.#deps.commander) {
      const commands = await startWorker<CommandJobData, CommandOutcome>(this.#deps, COMMANDS_QUEUE, (job) => this.#processCommand(job), {
        concurrency: 16,
        settings: {
          backoffStrategy: (attemptsMade: number) =>
            Math.min(config.commandRetryMaxMs, config.commandRetryBaseMs * 2 ** Math.max(0, attemptsMade - 1)),
        },
      });
      this.#workers.push(commands as Worker);
    }
  }

  async close(force = false): Promise<void> {
    const workers = this.#workers;
    this.#workers = [];
    try {
      await closeAll('station commands', workers, [this.#flows], force);
    } finally {
      for (const set of this.#waiters.values()) set.clear();
    }
  }

  async #processCommand(job: Job<CommandJobData, CommandOutcome>): Promise<CommandOutcome> {
    const { commander, clock, config, logger } = this.#deps;
    const command = job.data.command;
    const known = await this.ackOf(command.id);
    if (known) return this.#outcome(command, known);
    if (clock.now() > command.expiresAt) {
      logger.warn({ commandId: command.id, stationId: command.stationId }, 'station command expired unacknowledged');
      throw new UnrecoverableError(`command ${command.id} expired unacknowledged`);
    }
    if (!commander) throw new Error('no station commander in this process');
    const waiting = this.#waitForAck(command.id, config.commandAckTimeoutMs);
    try {
      await commander.send(command);
    } catch (err) {
      waiting.cancel();
      throw err;
    }
    const ack = await waiting.promise;
    if (!ack) throw new Error(`station ${command.stationId} did not acknowledge command ${command.id}`);
    return this.#outcome(command, ack);
  }

  #outcome(command: StationCommand, ack: StationCommandAck): CommandOutcome {
    // A station that refuses will refuse again: no point retrying.
    if (!ack.ok)
      throw new UnrecoverableError(`station ${command.stationId} refused command ${command.id}: ${ack.message ?? 'no reason'}`);
    return { stationId: command.stationId, ok: true };
  }

  /** Resolves with the ack (in-process wake-up, or found in Redis when another process recorded it), or undefined on timeout. */
  #waitForAck(commandId: string, timeoutMs: number): { promise: Promise<StationCommandAck | undefined>; cancel: () => void } {
    let done = false;
    let wake: ((ack: StationCommandAck | undefined) => void) | undefined;
    const listeners = this.#waiters.get(commandId) ?? new Set();
    this.#waiters.set(commandId, listeners);
    const finish = (ack: StationCommandAck | undefined): void => {
      if (done) return;
      done = true;
      listeners.delete(onAck);
      if (listeners.size === 0) this.#waiters.delete(commandId);
      wake?.(ack);
    };
    const onAck = (ack: StationCommandAck): void => finish(ack);
    listeners.add(onAck);
    const promise = new Promise<StationCommandAck | undefined>((resolve) => {
      wake = resolve;
      const deadline = Date.now() + timeoutMs;
      const poll = async (): Promise<void> => {
        while (!done && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, Math.min(ACK_POLL_MS, Math.max(1, deadline - Date.now()))));
          if (done) return;
          const ack = await this.ackOf(commandId).catch(() => undefined);
          if (ack) return finish(ack);
        }
        finish(undefined);
      };
      void poll();
    });
    return { promise, cancel: () => finish(undefined) };
  }

  async #processParent(job: Job<SamplingJobData>): Promise<{ acked: string[]; failed: string[] }> {
    const values = await job.getChildrenValues<CommandOutcome>();
    const acked = Object.values(values)
      .filter((v) => v?.ok)
      .map((v) => v.stationId);
    const failed = job.data.stationIds.filter((id) => !acked.includes(id));
    await this.#deps.onSamplingDone(job.data, acked, failed);
    return { acked, failed };
  }
}
