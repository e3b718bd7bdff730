/**
 * Runs a simulation: pops readings from the engine in simulated-time order,
 * paces them (real time, ×N, or as fast as possible), sends them through a
 * transport with a bounded in-flight window (and an optional rate), applies
 * the sampling-interval commands stations receive, writes the ground-truth
 * labels and reports progress and a summary.
 */
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { Registry, Station, StationCommandAck } from '../domain/index.js';
import { applyStationCommand } from './command-handling.js';
import { BackfillBatcher } from './backfill-batcher.js';
import { writeLabelsFile } from './labels-file.js';
import { SimulationEngine } from './model/engine.js';
import { groundTruthLabels } from './model/labels.js';
import { eventStartTimes, type ScenarioEvents } from './model/scenario-events.js';
import { DEFAULT_STREAM_OPTIONS, type StreamOptions } from './model/station-stream.js';
import { Pacer, type Speed } from './pacer.js';
import { ProgressReporter, type ProgressOutput, type ProgressSnapshot } from './progress-reporter.js';
import { RateLimiter } from './rate-limiter.js';
import { SendTracker } from './send-tracker.js';
import { systemTimers, type SimTimers } from './sim-timers.js';
import type { SimulationSummary } from './simulation-summary.js';
import type { CommandDelivery, SimTransport } from './transports/transport.js';

export interface SimulatorOptions {
  readonly registry: Registry;
  readonly stations: readonly Station[];
  readonly events: ScenarioEvents;
  readonly seed: number;
  readonly fromMs: number;
  /** Exclusive end of simulated time; Infinity runs until close(). */
  readonly toMs: number;
  readonly speed: Speed;
  /** Send readings stamped later than the wall clock. @defaultValue false */
  readonly allowFuture?: boolean;
  readonly stream?: Partial<StreamOptions>;
  readonly transport: SimTransport;
  /** Sends awaiting acknowledgement at most. @defaultValue 100 */
  readonly windowSize?: number;
  /** Readings per second at most (load runs). */
  readonly ratePerS?: number;
  /** In `max` mode, readings of one station per message (`{readings:[...]}`, ≤ 1000). @defaultValue 1 */
  readonly batchSize?: number;
  /** Stop after this much wall time. */
  readonly runForMs?: number;
  /** Where to write the ground-truth labels (JSON lines). */
  readonly labelsPath?: string;
  readonly logger: Logger;
  readonly timers?: SimTimers;
  readonly progress?: { readonly out: ProgressOutput; readonly quiet?: boolean };
  /** How long close() waits for in-flight sends. @defaultValue 15000 */
  readonly drainTimeoutMs?: number;
}

export class Simulator {
  readonly #o: SimulatorOptions;
  readonly #log: Logger;
  readonly #timers: SimTimers;
  readonly #engine: SimulationEngine;
  readonly #sender: SendTracker;
  readonly #stop = new AbortController();
  readonly #eventStarts: number[];
  readonly #tzOffsetMinutes: number;
  #wake = new AbortController();
  #pacer: Pacer | undefined;
  #limiter: RateLimiter | undefined;
  #progress: ProgressReporter | undefined;
  #wallStartMs = 0;
  #loop: Promise<void> | undefined;
  #closing: Promise<SimulationSummary> | undefined;
  #stoppedBy: SimulationSummary['stoppedBy'] = 'end';
  #labelsCount = 0;
  #finished!: Promise<SimulationSummary>;
  #resolveFinished!: (summary: SimulationSummary) => void;
  #rejectFinished!: (err: unknown) => void;
  readonly #commands = { received: 0, applied: 0, refused: 0 };

  constructor(options: SimulatorOptions) {
    // Every pending connect / request / wait listens for close: more than the default 10 at once is normal.
    setMaxListeners(0, this.#stop.signal);
    this.#o = options;
    this.#log = options.logger.child({ component: 'simulator' });
    this.#timers = options.timers ?? systemTimers;
    this.#tzOffsetMinutes = options.stream?.tzOffsetMinutes ?? DEFAULT_STREAM_OPTIONS.tzOffsetMinutes;
    this.#engine = new SimulationEngine({
      registry: options.registry,
      stations: options.stations,
      seed: options.seed,
      fromMs: options.fromMs,
      toMs: options.toMs,
      events: options.events,
      ...(options.stream ? { stream: options.stream } : {}),
    });
    this.#sender = new SendTracker({
      transport: options.transport,
      windowSize: options.windowSize ?? 100,
      logger: this.#log,
      timers: this.#timers,
    });
    this.#eventStarts = eventStartTimes(options.events);
    this.#finished = new Promise<SimulationSummary>((resolve, reject) => {
      this.#resolveFinished = resolve;
      this.#rejectFinished = reject;
    });
    // The caller may only ever await close(); do not let an unobserved rejection crash the process.
    this.#finished.catch(() => undefined);
  }

  /** The engine (for tests and callers that want to peek at the water models). */
  get engine(): SimulationEngine {
    return this.#engine;
  }

  /** Resolves with the summary when the run ends (end of simulated time, run-for limit, or close()). */
  finished(): Promise<SimulationSummary> {
    return this.#finished;
  }

  /** Writes the labels, connects the transport and starts sending. */
  async start(): Promise<void> {
    const o = this.#o;
    if (o.labelsPath !== undefined) {
      const labels = groundTruthLabels({
        registry: o.registry,
        stations: o.stations,
        events: o.events,
        seed: o.seed,
        fromMs: o.fromMs,
        toMs: o.toMs,
        tzOffsetMinutes: this.#tzOffsetMinutes,
        ...(o.stream?.samplingIntervalS !== undefined ? { samplingIntervalS: o.stream.samplingIntervalS } : {}),
      });
      await writeLabelsFile(o.labelsPath, labels);
      this.#labelsCount = labels.length;
      this.#log.info({ path: o.labelsPath, labels: labels.length }, 'ground-truth labels written');
    }
    o.transport.onCommand((delivery) => this.#onCommand(delivery));
    await o.transport.start();
    // close() while connecting: the summary is already on its way, do not start sending.
    if (this.#stop.signal.aborted) return;
    this.#wallStartMs = this.#timers.now();
    this.#pacer = new Pacer({
      speed: o.speed,
      simStartMs: o.fromMs,
      wallStartMs: this.#wallStartMs,
      allowFuture: o.allowFuture ?? false,
    });
    if (o.ratePerS !== undefined && o.ratePerS > 0) this.#limiter = new RateLimiter(o.ratePerS, this.#timers);
    if (o.progress) {
      this.#progress = new ProgressReporter({
        out: o.progress.out,
        logger: this.#log,
        tzOffsetMinutes: this.#tzOffsetMinutes,
        quiet: o.progress.quiet ?? false,
      });
      this.#progress.start(() => this.#snapshot());
    }
    this.#log.info(
      {
        stations: o.stations.length,
        transport: o.transport.name,
        speed: o.speed,
        from: new Date(o.fromMs).toISOString(),
        to: Number.isFinite(o.toMs) ? new Date(o.toMs).toISOString() : null,
        seed: o.seed,
        events: this.#eventStarts.length,
      },
      'simulation started',
    );
    this.#loop = this.#run().then(
      async () => {
        try {
          await this.#finish();
        } catch (err) {
          this.#rejectFinished(err);
        }
      },
      (err: unknown) => {
        this.#log.error({ err }, 'simulation loop failed');
        this.#progress?.stop();
        void o.transport.close().catch(() => undefined);
        this.#rejectFinished(err);
      },
    );
  }

  /** Stops sending, drains in-flight sends (bounded), closes the transport; idempotent. */
  close(): Promise<SimulationSummary> {
    if (!this.#closing) {
      if (!this.#stop.signal.aborted) this.#stoppedBy = 'close';
      this.#stop.abort();
      this.#wake.abort();
      this.#closing = this.#loop ? this.#finished : this.#finish();
    }
    return this.#closing;
  }

  async #run(): Promise<void> {
    const o = this.#o;
    const stop = this.#stop.signal;
    const runUntilWall = o.runForMs === undefined ? Infinity : this.#wallStartMs + o.runForMs;
    const batcher = o.speed === 'max' && (o.batchSize ?? 1) > 1 ? new BackfillBatcher(o.batchSize ?? 1) : undefined;
    let lastYieldMs = this.#timers.now();
    while (!stop.aborted) {
      if (this.#timers.now() - lastYieldMs > 50) {
        // Flat out, sends may all resolve without I/O (a fast transport): let timers and signals run.
        await new Promise((resolve) => setImmediate(resolve));
        lastYieldMs = this.#timers.now();
      }
      if (this.#timers.now() >= runUntilWall) {
        this.#stoppedBy = 'run-for';
        break;
      }
      const nextMs = this.#engine.peekMs();
      if (nextMs === undefined) break;
      const waitMs = Math.min((this.#pacer as Pacer).wallTimeFor(nextMs), runUntilWall) - this.#timers.now();
      if (waitMs > 0) {
        // Sleep until the reading is due; a command that changes the schedule wakes us early.
        if (this.#wake.signal.aborted) this.#wake = new AbortController();
        await this.#timers.sleep(waitMs, AbortSignal.any([stop, this.#wake.signal]));
        continue;
      }
      const due = this.#engine.popDue();
      if (!due) break;
      for (const message of due.messages) {
        if (stop.aborted) break;
        if (this.#timers.now() >= runUntilWall) {
          this.#stoppedBy = 'run-for';
          break;
        }
        if (batcher && !message.backlog) {
          const ready = batcher.add(message);
          if (ready) await this.#sender.dispatch(ready, stop, this.#limiter);
          continue;
        }
        // A link-loss backlog keeps its own batches; what the batcher holds for the station goes first.
        const pending = batcher?.take(message.stationId);
        if (pending) await this.#sender.dispatch(pending, stop, this.#limiter);
        await this.#sender.dispatch(message, stop, this.#limiter);
      }
    }
    for (const pending of batcher?.takeAll() ?? []) await this.#sender.dispatch(pending, stop, this.#limiter);
  }

  async #onCommand(delivery: CommandDelivery): Promise<StationCommandAck | undefined> {
    const nowMs = this.#timers.now();
    const simNowMs = Math.max(this.#engine.nowMs, this.#pacer?.simTimeAt(nowMs) ?? this.#engine.nowMs);
    const outcome = applyStationCommand(delivery, this.#engine, nowMs, simNowMs);
    this.#commands.received += 1;
    if (outcome.applied) {
      this.#commands.applied += 1;
      this.#wake.abort();
      this.#log.info(
        { stationId: delivery.stationId, commandId: outcome.ack?.id, intervalS: outcome.intervalS },
        'station sampling interval changed',
      );
    } else {
      this.#commands.refused += 1;
      this.#log.warn({ stationId: delivery.stationId, reason: outcome.ack?.message }, 'station command refused');
    }
    return outcome.ack;
  }

  #snapshot(): ProgressSnapshot {
    const simMs = this.#engine.nowMs;
    return {
      simMs,
      fromMs: this.#o.fromMs,
      toMs: this.#o.toMs,
      readingsAcked: this.#sender.counts().readingsAcked,
      failed: this.#sender.counts().messagesFailed + this.#sender.counts().messagesRefused,
      inFlight: this.#sender.inFlight,
      eventsInjected: this.#eventsInjected(simMs),
      eventsTotal: this.#eventStarts.length,
      p50Ms: this.#sender.latency.quantileMs(0.5),
      p99Ms: this.#sender.latency.quantileMs(0.99),
    };
  }

  #eventsInjected(simMs: number): number {
    let n = 0;
    while (n < this.#eventStarts.length && (this.#eventStarts[n] as number) <= simMs) n += 1;
    return n;
  }

  async #finish(): Promise<SimulationSummary> {
    const o = this.#o;
    await this.#sender.drain(o.drainTimeoutMs ?? 15_000);
    try {
      await o.transport.close();
    } catch (err) {
      // The summary still comes: what was sent was sent.
      this.#log.warn({ err }, 'transport close failed');
    }
    const wallMs = Math.max(1, this.#timers.now() - this.#wallStartMs);
    const counts = this.#sender.counts();
    const latency = this.#sender.latency;
    const summary: SimulationSummary = {
      transport: o.transport.name,
      stations: o.stations.length,
      seed: o.seed,
      fromMs: o.fromMs,
      reachedMs: this.#engine.nowMs,
      wallMs,
      stoppedBy: this.#stoppedBy,
      ...counts,
      readingsPerS: (counts.readingsAcked * 1000) / wallMs,
      latencyMs: { p50: latency.quantileMs(0.5), p99: latency.quantileMs(0.99), max: latency.maxMs, mean: latency.meanMs },
      eventsInjected: this.#eventsInjected(this.#engine.nowMs),
      eventsTotal: this.#eventStarts.length,
      commands: { ...this.#commands },
      backlogUnsent: this.#engine.backlogSize(),
      labels: { ...(o.labelsPath !== undefined ? { path: o.labelsPath } : {}), count: this.#labelsCount },
      transportCounters: o.transport.counters(),
    };
    this.#stop.abort();
    if (this.#progress) this.#progress.summary(summary);
    else this.#log.info({ summary }, 'simulate summary');
    this.#resolveFinished(summary);
    return summary;
  }
}
