/**
 * An in-memory IngestGateway for the HJ 212 server tests and bench. The real gateway (validation,
 * readings log on Redis, dead-letter store) is being built in parallel by the lead; the end-to-end
 * test through the real pipeline (readings in InfluxDB, reaching analytics) is the lead's to add.
 * This fake records what the server hands over and can simulate backpressure and a slow log.
 */
import { AppError, type ErrorCode } from '../../../domain/errors.js';
import type { IngestGateway, ReadingPayload, Submission, SubmitResult } from '../../../domain/ports.js';
import type { IngressKind } from '../../../domain/reading.js';

export interface RecordedDeadLetter {
  source: IngressKind;
  raw: string;
  code: ErrorCode;
  message: string;
  stationId?: string;
  peer?: string;
}

export class FakeGateway implements IngestGateway {
  readonly submissions: Submission[] = [];
  readonly deadLetters: RecordedDeadLetter[] = [];
  /** Wall-clock time each accepted submission became "durable". */
  readonly durableAt: number[] = [];
  mode: 'ok' | 'backpressure' = 'ok';
  delayMs = 0;
  readingCount = 0;
  /** Keep submissions (tests) or only count them (bench). */
  record = true;
  /** Keep dead letters, or only count them (a long garbage flood makes tens of thousands). */
  recordDeadLetters = true;
  deadLetterCount = 0;

  async submit(submission: Submission): Promise<SubmitResult> {
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.mode === 'backpressure') throw new AppError('RW_BACKPRESSURE');
    const readings = (submission.payload as { readings: ReadingPayload[] }).readings;
    this.readingCount += readings.length;
    if (this.record) {
      this.submissions.push(submission);
      this.durableAt.push(Date.now());
    }
    return { accepted: readings.length, rejected: [] };
  }

  async deadLetter(entry: RecordedDeadLetter): Promise<void> {
    this.deadLetterCount++;
    if (this.record && this.recordDeadLetters) this.deadLetters.push(entry);
  }

  readings(): ReadingPayload[] {
    return this.submissions.flatMap((s) => (s.payload as { readings: ReadingPayload[] }).readings);
  }
}
