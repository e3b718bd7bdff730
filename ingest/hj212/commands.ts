/**
 * Commands in flight to stations, matched to their answers by QN: the station answers a request
 * with 9011 (`QnRtn`, 1 = ready to execute) and, once done, with 9012 (`ExeRtn`, 1 = success)
 * (domain-facts.md §3.4).
 */
import type { Clock } from '../../domain/clock.js';
import type { StationCommand, StationCommandAck } from '../../domain/ports.js';
import { describeExeRtn, describeQnRtn, EXE_RTN, QN_RTN } from './return-codes.js';

/** The outcome of a command sent over HJ 212: the domain ack plus the protocol's own codes. */
export interface Hj212CommandResult extends StationCommandAck {
  readonly sectionId: string;
  readonly type: StationCommand['type'];
  /** The value sent as `RtdInterval`, when the command was sent. */
  readonly intervalS?: number;
  /** QN of the command packet, when it was sent. */
  readonly qn?: string;
  readonly qnRtn?: number;
  readonly exeRtn?: number;
}

interface InFlight {
  readonly mn: string;
  readonly command: StationCommand;
  readonly intervalS: number;
  readonly resolve: (result: Hj212CommandResult) => void;
  readonly timer: NodeJS.Timeout;
  qnRtn?: number;
}

export class PendingCommands {
  readonly #clock: Clock;
  readonly #inFlight = new Map<string, InFlight>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Commands waiting for an answer. */
  get size(): number {
    return this.#inFlight.size;
  }

  /** Builds a result that never reached the station (not connected, expired, ...). */
  notSent(command: StationCommand, message: string): Hj212CommandResult {
    return {
      id: command.id,
      stationId: command.stationId,
      sectionId: command.sectionId,
      type: command.type,
      ok: false,
      message,
      ts: this.#clock.now(),
    };
  }

  /** Registers a command sent with `qn`; resolves with its outcome or a timeout, never rejects. */
  register(qn: string, mn: string, command: StationCommand, intervalS: number, timeoutMs: number): Promise<Hj212CommandResult> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const entry = this.#inFlight.get(qn);
        const message =
          entry?.qnRtn === undefined
            ? `no answer within ${timeoutMs} ms`
            : `accepted (QnRtn=1) but no execution result within ${timeoutMs} ms`;
        this.#finish(qn, false, message);
      }, timeoutMs);
      timer.unref();
      this.#inFlight.set(qn, { mn, command, intervalS, resolve, timer });
    });
  }

  /** A 9011 arrived; returns false when it answers no command of ours. */
  onRequestResponse(mn: string, qn: string | undefined, qnRtn: number): boolean {
    const entry = qn === undefined ? undefined : this.#inFlight.get(qn);
    if (!entry || entry.mn !== mn || qn === undefined) return false;
    entry.qnRtn = qnRtn;
    if (qnRtn !== QN_RTN.ready) this.#finish(qn, false, `refused: QnRtn=${qnRtn} (${describeQnRtn(qnRtn)})`);
    return true;
  }

  /** A 9012 arrived; returns false when it answers no command of ours. */
  onExecutionResult(mn: string, qn: string | undefined, exeRtn: number): boolean {
    const entry = qn === undefined ? undefined : this.#inFlight.get(qn);
    if (!entry || entry.mn !== mn || qn === undefined) return false;
    this.#finish(qn, exeRtn === EXE_RTN.success, `ExeRtn=${exeRtn} (${describeExeRtn(exeRtn)})`, exeRtn);
    return true;
  }

  /** Ends one command in flight with `message` (could not be written). */
  abort(qn: string, message: string): void {
    this.#finish(qn, false, message);
  }

  /** Ends every command in flight with `message` (server closing). */
  failAll(message: string): void {
    for (const qn of [...this.#inFlight.keys()]) this.#finish(qn, false, message);
  }

  #finish(qn: string, ok: boolean, message: string, exeRtn?: number): void {
    const entry = this.#inFlight.get(qn);
    if (!entry) return;
    this.#inFlight.delete(qn);
    clearTimeout(entry.timer);
    const { command } = entry;
    entry.resolve({
      id: command.id,
      stationId: command.stationId,
      sectionId: command.sectionId,
      type: command.type,
      ok,
      message,
      ts: this.#clock.now(),
      intervalS: entry.intervalS,
      qn,
      ...(entry.qnRtn === undefined ? {} : { qnRtn: entry.qnRtn }),
      ...(exeRtn === undefined ? {} : { exeRtn }),
    });
  }
}
