/**
 * Ports: the interfaces stages depend on. Adapters in platform/ implement
 * them; detectors and policies get them injected and never import I/O
 * libraries (STYLE.md).
 */
import type { ErrorCode } from './errors.js';
import type { AlertEvent } from './alert-event.js';
import type { IngressKind, Reading } from './reading.js';

/** A reading as a gateway sends it (DESIGN.md "Readings over MQTT"), before validation. */
export interface ReadingPayload {
  stationId: string;
  /** ISO 8601 with an offset, or epoch milliseconds. */
  ts: string | number;
  seq?: number;
  values: Record<string, number>;
  flags?: Record<string, string>;
}

/** One thing a gateway sent, as the ingress saw it. */
export interface Submission {
  readonly source: IngressKind;
  /** Parsed body: one reading, or `{ readings: [...] }`. */
  readonly payload: unknown;
  /** The raw bytes as text, kept in the dead letters when something is refused. */
  readonly raw: string;
  /** Section and station named by the MQTT topic, when the ingress has one. */
  readonly topic?: { readonly sectionId: string; readonly stationId: string };
  /** The station the credentials belong to; readings of any other station are refused. */
  readonly authStationId?: string;
  /** Peer address or client id, for the dead letters and logs. */
  readonly peer?: string;
}

/** Why one reading (or the whole submission, `index` undefined) was refused. */
export interface Rejection {
  readonly code: ErrorCode;
  readonly message: string;
  /** Position in the batch; undefined when the whole submission was refused. */
  readonly index?: number;
  readonly stationId?: string;
  /** Set when one value of a reading was refused and the rest of the reading went on. */
  readonly parameter?: string;
}

export interface SubmitResult {
  readonly accepted: number;
  readonly rejected: readonly Rejection[];
}

/**
 * The one door into the pipeline, shared by MQTT, HTTP and HJ 212: validates,
 * appends the valid readings to the readings log (durable when the promise
 * resolves) and puts the rest in the dead letters. Rejects with
 * `AppError('RW_BACKPRESSURE')` when the log is over its high-water mark,
 * in which case nothing was appended and the sender should retry.
 */
export interface IngestGateway {
  submit(submission: Submission): Promise<SubmitResult>;
  /** Records input refused before it became a submission (bad frame, unknown HJ 212 code, ...). */
  deadLetter(entry: { source: IngressKind; raw: string; code: ErrorCode; message: string; stationId?: string; peer?: string }): Promise<void>;
}

/** Durable, ordered log of accepted readings (a Redis stream in production). */
export interface ReadingsLog {
  append(readings: readonly Reading[]): Promise<void>;
  /** Whether ingress should push back (entries not yet acknowledged by every group ≥ high-water mark). */
  isOverHighWater(): Promise<boolean>;
}

/** A command to a station (DESIGN.md: `wq/{sectionId}/{stationId}/commands`). */
export interface StationCommand {
  /** Unique id, echoed in the station's ack. */
  readonly id: string;
  readonly stationId: string;
  readonly sectionId: string;
  /** `measure-now`: a verification measurement of `parameters` as soon as the analyser can (issue 13 §4). */
  readonly type: 'set-sampling-interval' | 'restore-sampling-interval' | 'measure-now';
  readonly intervalS?: number;
  /** For `measure-now`: the parameters to measure again. */
  readonly parameters?: readonly string[];
  /** Epoch ms after which the station should drop the command unexecuted. */
  readonly expiresAt: number;
}

export interface StationCommandAck {
  readonly id: string;
  readonly stationId: string;
  readonly ok: boolean;
  readonly message?: string;
  readonly ts: number;
}

/**
 * Sends commands to stations (MQTT `wq/{sectionId}/{stationId}/commands`,
 * QoS 1). Resolves once the command left for the broker; the station's
 * answer comes separately as a {@link StationCommandAck}.
 */
export interface StationCommander {
  send(cmd: StationCommand): Promise<void>;
}

/** One readings-log entry: the readings of one coalesced append to one partition. */
export interface LogEntry {
  readonly id: string;
  readonly partition: number;
  readonly readings: readonly Reading[];
}

/** A consumer of the readings log through its own group (at-least-once: ack after the work is done). */
export interface ReadingsLogReader {
  /** Next entries: own pending ones first after a restart, then new ones, blocking up to `blockMs`. */
  next(blockMs?: number): Promise<LogEntry[]>;
  ack(entries: readonly LogEntry[]): Promise<void>;
}

/** Where analytics hands its alert events; durable and idempotent per event when the promise resolves. */
export interface AlertSink {
  publish(events: readonly AlertEvent[]): Promise<void>;
}

/** Checkpoints of analytics state per section (JSON-safe snapshots). */
export interface SnapshotStore {
  load(sectionIds: readonly string[]): Promise<Map<string, unknown>>;
  save(snapshots: ReadonlyMap<string, unknown>): Promise<void>;
}

/** Stored readings for warm starts. */
export interface ReadingHistory {
  readingsSince(stationIds: readonly string[], fromTs: number): Promise<Reading[]>;
}

/** Writes the class of a section at a time (InfluxDB measurement `section_class`). */
export interface SectionClassWriter {
  writeSectionClass(points: readonly { sectionId: string; riverId: string; ts: number; cls: number; deciding: readonly string[] }[]): Promise<void>;
}

/**
 * The logger the stages write to (port). pino's Logger satisfies it; stages
 * never import pino (platform/logger.ts builds the real one).
 */
export interface Logger {
  debug(obj: object, msg?: string): void;
  debug(msg: string): void;
  info(obj: object, msg?: string): void;
  info(msg: string): void;
  warn(obj: object, msg?: string): void;
  warn(msg: string): void;
  error(obj: object, msg?: string): void;
  error(msg: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

/** A labelled counter (port); prom-client's Counter satisfies it. */
export interface CounterPort<L extends string = string> {
  inc(labels: Partial<Record<L, string | number>>, value?: number): void;
  inc(value?: number): void;
  labels(labels: Partial<Record<L, string | number>>): { inc(value?: number): void };
}

/** A gauge (port); prom-client's Gauge satisfies it. */
export interface GaugePort<L extends string = string> {
  set(labels: Partial<Record<L, string | number>>, value: number): void;
  set(value: number): void;
}
