/**
 * What every simulator transport offers (MQTT, HTTP, HJ 212, in-memory):
 * send a station's message and resolve once the server acknowledged it
 * (MQTT PUBACK, HTTP 202, HJ 212 9014), and deliver commands addressed to
 * stations, publishing the station's ack.
 */
import type { StationCommandAck } from '../../domain/index.js';
import type { StationMessage } from '../model/station-stream.js';

/** A simulated station as a transport needs it: where it publishes and how it authenticates. */
export interface TransportStation {
  readonly id: string;
  readonly sectionId: string;
  /** MQTT password (username = station id) and HTTP bearer token. */
  readonly token?: string;
  readonly hj212?: { readonly mn: string; readonly password: string };
}

/** Outcome of one send: accepted (possibly with some readings refused), or refused as a whole. */
export type SendResult = { readonly ok: true; readonly rejected?: number } | { readonly ok: false; readonly reason: string };

/** A command that reached a station: its parsed body (or the raw text when it was not JSON). */
export interface CommandDelivery {
  readonly stationId: string;
  readonly sectionId: string;
  readonly payload: unknown;
}

/** Handles a command; the returned ack is sent back by the transport (undefined: nothing to send). */
export type CommandHandler = (delivery: CommandDelivery) => Promise<StationCommandAck | undefined>;

export interface SimTransport {
  /** `mqtt`, `http`, `hj212`, `memory`, `jsonl`. */
  readonly name: string;
  /** Connects; rejects with a clear reason when the server cannot be reached or refuses the credentials. */
  start(): Promise<void>;
  /**
   * Sends one message; resolves when the server acknowledged it or refused
   * it. Rejects only when the transport is closed or gave up retrying.
   */
  send(message: StationMessage): Promise<SendResult>;
  /** Registers the command handler (transports without a command channel never call it). */
  onCommand(handler: CommandHandler): void;
  /** Transport-specific counters for the summary (retries, back-pressure waits, ...). */
  counters(): Readonly<Record<string, number>>;
  /** Idempotent; waits for in-flight sends up to a bound, then disconnects. */
  close(): Promise<void>;
}
