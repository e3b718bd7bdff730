/**
 * In-memory transport: keeps every message as topic + JSON body, acks at
 * once. For tests and for hashing a stream; commands are injected with
 * {@link MemoryTransport.deliverCommand}.
 */
import type { StationCommandAck } from '../../domain/index.js';
import type { StationMessage } from '../model/station-stream.js';
import { readingsTopic } from '../../domain/index.js';
import { encodeMessage } from './payload.js';
import type { CommandHandler, SendResult, SimTransport } from './transport.js';

export interface SentMessage {
  readonly topic: string;
  readonly payload: string;
  readonly message: StationMessage;
}

export class MemoryTransport implements SimTransport {
  readonly name = 'memory';
  readonly sent: SentMessage[] = [];
  readonly acks: StationCommandAck[] = [];
  #handler: CommandHandler | undefined;
  #closed = false;

  async start(): Promise<void> {}

  async send(message: StationMessage): Promise<SendResult> {
    if (this.#closed) throw new Error('memory transport is closed');
    this.sent.push({ topic: readingsTopic(message.sectionId, message.stationId), payload: encodeMessage(message), message });
    return { ok: true };
  }

  onCommand(handler: CommandHandler): void {
    this.#handler = handler;
  }

  /** Delivers a command as if it came from the server; returns the station's ack. */
  async deliverCommand(stationId: string, sectionId: string, payload: unknown): Promise<StationCommandAck | undefined> {
    const ack = await this.#handler?.({ stationId, sectionId, payload });
    if (ack) this.acks.push(ack);
    return ack;
  }

  counters(): Readonly<Record<string, number>> {
    return {};
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}
