/**
 * Terminal output of a simulation run: a progress bar redrawn in place on a
 * TTY, a one-line status through the logger every few seconds otherwise, and
 * a summary at the end.
 */
import type { Logger } from 'pino';
import { formatDuration, formatIsoWithOffset } from './model/sim-time.js';
import type { SimulationSummary } from './simulation-summary.js';

export interface ProgressSnapshot {
  readonly simMs: number;
  readonly fromMs: number;
  readonly toMs: number;
  readonly readingsAcked: number;
  readonly failed: number;
  readonly inFlight: number;
  readonly eventsInjected: number;
  readonly eventsTotal: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface ProgressOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressReporterOptions {
  readonly out: ProgressOutput;
  readonly logger: Logger;
  readonly tzOffsetMinutes: number;
  /** No bar or status lines (the summary is still logged). */
  readonly quiet?: boolean;
  /** @defaultValue 250 on a TTY, 5000 otherwise */
  readonly intervalMs?: number;
}

export class ProgressReporter {
  readonly #o: ProgressReporterOptions;
  readonly #tty: boolean;
  #timer: NodeJS.Timeout | undefined;
  #lastAcked = 0;
  #lastMs = 0;
  #rate = 0;
  #drawn = false;

  constructor(options: ProgressReporterOptions) {
    this.#o = options;
    this.#tty = options.out.isTTY === true;
  }

  start(snapshot: () => ProgressSnapshot): void {
    if (this.#o.quiet || this.#timer) return;
    this.#lastMs = Date.now();
    const interval = this.#o.intervalMs ?? (this.#tty ? 250 : 5000);
    this.#timer = setInterval(() => this.#report(snapshot()), interval);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#drawn) this.#o.out.write('\r\x1b[2K');
    this.#drawn = false;
  }

  #report(s: ProgressSnapshot): void {
    const now = Date.now();
    const dt = (now - this.#lastMs) / 1000;
    if (dt > 0) {
      const instant = (s.readingsAcked - this.#lastAcked) / dt;
      // Smooth the TTY figure a little; the logged line uses the plain interval rate.
      this.#rate = this.#tty ? 0.7 * this.#rate + 0.3 * instant : instant;
    }
    this.#lastAcked = s.readingsAcked;
    this.#lastMs = now;
    const simText = formatIsoWithOffset(Math.floor(s.simMs / 1000) * 1000, this.#o.tzOffsetMinutes)
      .slice(0, 19)
      .replace('T', ' ');
    const elapsed = formatDuration(s.simMs - s.fromMs);
    if (this.#tty) {
      const finite = Number.isFinite(s.toMs) && s.toMs > s.fromMs;
      const fraction = finite ? Math.min(1, Math.max(0, (s.simMs - s.fromMs) / (s.toMs - s.fromMs))) : 0;
      const width = 24;
      const bar = finite
        ? `[${'#'.repeat(Math.round(fraction * width)).padEnd(width, '.')}] ${(fraction * 100).toFixed(0).padStart(3)}% `
        : '';
      const line =
        `${bar}sim ${simText} (+${elapsed}) | sent ${s.readingsAcked.toLocaleString('en-US')} | ${Math.round(this.#rate).toLocaleString('en-US')}/s` +
        ` | events ${s.eventsInjected}/${s.eventsTotal} | p50 ${s.p50Ms.toFixed(1)} ms p99 ${s.p99Ms.toFixed(1)} ms` +
        (s.failed > 0 ? ` | failed ${s.failed}` : '');
      // A pseudo-terminal without a size reports 0 columns.
      const columns = this.#o.out.columns !== undefined && this.#o.out.columns > 40 ? this.#o.out.columns : 160;
      this.#o.out.write(`\r\x1b[2K${line.slice(0, Math.max(20, columns - 1))}`);
      this.#drawn = true;
    } else {
      this.#o.logger.info(
        {
          sim: simText,
          simElapsed: elapsed,
          readingsSent: s.readingsAcked,
          ratePerS: Math.round(this.#rate),
          eventsInjected: s.eventsInjected,
          eventsTotal: s.eventsTotal,
          p50Ms: round(s.p50Ms),
          p99Ms: round(s.p99Ms),
          inFlight: s.inFlight,
          failed: s.failed,
        },
        'simulate status',
      );
    }
  }

  /** Prints the summary (a block on a TTY) and logs it. */
  summary(summary: SimulationSummary): void {
    this.stop();
    this.#o.logger.info({ summary }, 'simulate summary');
    if (!this.#tty || this.#o.quiet) return;
    const tz = this.#o.tzOffsetMinutes;
    const lines = [
      'Simulation summary',
      `  stations          ${summary.stations} (${summary.transport})`,
      `  simulated         ${formatIsoWithOffset(summary.fromMs, tz)} → ${formatIsoWithOffset(summary.reachedMs, tz)} (${formatDuration(summary.reachedMs - summary.fromMs)})`,
      `  wall time         ${(summary.wallMs / 1000).toFixed(1)} s (stopped by ${summary.stoppedBy})`,
      `  readings sent     ${summary.readingsAcked.toLocaleString('en-US')} in ${summary.messagesAcked.toLocaleString('en-US')} messages, ${summary.readingsPerS.toFixed(1)} readings/s`,
      `  refused / failed  ${summary.messagesRefused} refused, ${summary.readingsRejected} readings rejected, ${summary.messagesFailed} failed`,
      `  publish latency   p50 ${summary.latencyMs.p50.toFixed(2)} ms, p99 ${summary.latencyMs.p99.toFixed(2)} ms, max ${summary.latencyMs.max.toFixed(2)} ms`,
      `  events injected   ${summary.eventsInjected} of ${summary.eventsTotal}`,
      `  commands          ${summary.commands.received} received, ${summary.commands.applied} applied, ${summary.commands.refused} refused`,
      ...(summary.backlogUnsent > 0
        ? [`  backlog unsent    ${summary.backlogUnsent} readings (link still down at the end)`]
        : []),
      ...(summary.labels.path ? [`  labels            ${summary.labels.count} → ${summary.labels.path}`] : []),
    ];
    this.#o.out.write(`${lines.join('\n')}\n`);
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
