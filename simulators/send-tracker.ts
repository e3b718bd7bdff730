/**
 * Sends messages through a transport with a bounded in-flight window (and
 * an optional rate), and keeps what the terminal and summary report: counts
 * of acknowledged, refused and failed messages, and publish latency.
 */
import type { Logger } from 'pino';
import { InFlightWindow } from './in-flight-window.js';
import { LatencyHistogram } from './latency-histogram.js';
import type { StationMessage } from './model/station-stream.js';
import type { RateLimiter } from './rate-limiter.js';
import type { SimTimers } from './sim-timers.js';
import type { SimTransport } from './transports/transport.js';

export interface SendCounts {
  readonly messagesAcked: number;
  readonly readingsAcked: number;
  readonly messagesRefused: number;
  readonly readingsRejected: number;
  readonly messagesFailed: number;
}

/** Failures are logged at most once per this interval; the counts carry the rest. */
const FAILURE_LOG_INTERVAL_MS = 5000;

export class SendTracker {
  readonly latency = new LatencyHistogram();
  readonly #window: InFlightWindow;
  readonly #transport: SimTransport;
  readonly #log: Logger;
  readonly #timers: SimTimers;
  readonly #counts = { messagesAcked: 0, readingsAcked: 0, messagesRefused: 0, readingsRejected: 0, messagesFailed: 0 };
  #lastFailureLogMs = -Infinity;

  constructor(options: { transport: SimTransport; windowSize: number; logger: Logger; timers: SimTimers }) {
    this.#transport = options.transport;
    this.#window = new InFlightWindow(options.windowSize);
    this.#log = options.logger;
    this.#timers = options.timers;
  }

  get inFlight(): number {
    return this.#window.inFlight;
  }

  counts(): SendCounts {
    return { ...this.#counts };
  }

  /** Waits for the rate and a free slot, then sends without waiting for the acknowledgement. */
  async dispatch(message: StationMessage, signal: AbortSignal, limiter?: RateLimiter): Promise<void> {
    await limiter?.take(message.readings.length, signal);
    await this.#window.acquire(signal);
    const startedMs = performance.now();
    this.#transport.send(message).then(
      (result) => {
        this.latency.record(performance.now() - startedMs);
        if (result.ok) {
          this.#counts.messagesAcked += 1;
          this.#counts.readingsAcked += message.readings.length;
          this.#counts.readingsRejected += result.rejected ?? 0;
        } else {
          this.#counts.messagesRefused += 1;
          this.#logFailure({ stationId: message.stationId, reason: result.reason }, 'server refused readings');
        }
        this.#window.release();
      },
      (err: unknown) => {
        this.#counts.messagesFailed += 1;
        this.#logFailure({ err, stationId: message.stationId }, 'send failed');
        this.#window.release();
      },
    );
  }

  /** Resolves when every send was acknowledged, or after `timeoutMs` (logging what is left). */
  async drain(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.#window.drained(),
      new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          this.#log.warn(
            { inFlight: this.#window.inFlight, drainTimeoutMs: timeoutMs },
            'in-flight sends not acknowledged before close',
          );
          resolve();
        }, timeoutMs);
      }),
    ]);
    if (timer) clearTimeout(timer);
  }

  #logFailure(fields: Record<string, unknown>, msg: string): void {
    const now = this.#timers.now();
    if (now - this.#lastFailureLogMs < FAILURE_LOG_INTERVAL_MS) return;
    this.#lastFailureLogMs = now;
    this.#log.warn({ ...fields, refused: this.#counts.messagesRefused, failed: this.#counts.messagesFailed }, msg);
  }
}
