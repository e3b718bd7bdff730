/**
 * The one door into the pipeline (IngestGateway port): validate, append the
 * valid readings to the readings log, dead-letter the rest, count by reason.
 */
import { AppError, type IngestGateway, type ParameterTable, type Registry, type Submission, type SubmitResult } from '../domain/index.js';
import type { Clock } from '../domain/index.js';
import type { CounterPort, DeadLetterSink, Logger, Reading } from '../domain/index.js';
import { lettersFor } from './dead-letter-entries.js';
import { validateSubmission, type ValidationLimits, type ValidationResult } from './validate.js';

export interface GatewayDeps {
  registry: Registry;
  parameters: ParameterTable;
  limits: ValidationLimits;
  log: GatewayLog;
  deadLetters: DeadLetterSink;
  clock: Clock;
  logger: Logger;
  metrics: GatewayMetrics;
}

/** The readings log as the gateway uses it (platform/redis/readings/readings-log.ts). */
export interface GatewayLog {
  /** Cached: whether the log is over its high-water mark (no round trip). */
  readonly overHighWater: boolean;
  append(readings: readonly Reading[]): Promise<void>;
}

/** The counters the gateway keeps (platform/metrics.ts ingestMetrics). */
export interface GatewayMetrics {
  readonly accepted: CounterPort<'ingress'>;
  readonly rejected: CounterPort<'reason' | 'ingress'>;
}

export class PipelineGateway implements IngestGateway {
  readonly #deps: GatewayDeps;
  readonly #acceptedBySource = new Map<string, { inc(value: number): void }>();

  constructor(deps: GatewayDeps) {
    this.#deps = deps;
  }

  /** Whether ingress should hold off (cached; no round trip). */
  get pushingBack(): boolean {
    return this.#deps.log.overHighWater;
  }

  async submit(submission: Submission): Promise<SubmitResult> {
    const { log, deadLetters, metrics, logger } = this.#deps;
    if (log.overHighWater) throw new AppError('RW_BACKPRESSURE');
    let result: ValidationResult;
    try {
      result = validateSubmission(submission, {
        registry: this.#deps.registry,
        parameters: this.#deps.parameters,
        limits: this.#deps.limits,
        now: this.#deps.clock.now(),
      });
    } catch (err) {
      // Validation is pure; an exception here is a bug met by odd input. Refuse the input with a
      // reason instead of letting a caller retry it forever (MQTT would hold the message).
      logger.error({ err, ingress: submission.source, peer: submission.peer }, 'validation failed on input; refusing it');
      result = { readings: [], rejections: [{ code: 'RW_INVALID_PAYLOAD', message: `payload could not be validated: ${(err as Error).message}`.slice(0, 300) }] };
    }
    const { readings, rejections } = result;
    // Hot path (issue 14): no timer, promise combinator or label object per submission; the append
    // latency is observed per coalesced write in readings-log.ts.
    if (rejections.length === 0) await log.append(readings);
    else await Promise.all([log.append(readings), deadLetters.put(lettersFor(submission, rejections))]);
    if (readings.length > 0) this.#accepted(submission.source).inc(readings.length);
    for (const r of rejections) {
      metrics.rejected.inc({ reason: r.code, ingress: submission.source });
      logger.warn({ reason: r.code, stationId: r.stationId, parameter: r.parameter, ingress: submission.source, peer: submission.peer, detail: r.message }, 'input refused');
    }
    return { accepted: readings.length, rejected: rejections };
  }

  /** The accepted counter of one ingress, its label resolved once. */
  #accepted(source: string): { inc(value: number): void } {
    let counter = this.#acceptedBySource.get(source);
    if (!counter) {
      counter = this.#deps.metrics.accepted.labels({ ingress: source });
      this.#acceptedBySource.set(source, counter);
    }
    return counter;
  }

  async deadLetter(entry: Parameters<IngestGateway['deadLetter']>[0]): Promise<void> {
    await this.#deps.deadLetters.put([entry]);
    this.#deps.metrics.rejected.inc({ reason: entry.code, ingress: entry.source });
    this.#deps.logger.warn({ reason: entry.code, stationId: entry.stationId, ingress: entry.source, peer: entry.peer, detail: entry.message }, 'input refused');
  }
}
