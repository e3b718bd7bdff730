/** What the simulated HJ 212 data logger is given (options), what it sends (readings) and what it reports back (results, refusals, events). */
import type { Clock } from '../../domain/clock.js';
import type { ParameterTable } from '../../domain/parameters.js';
import { describeQnRtn, type Hj212Packet } from '../../ingest/hj212/index.js';

export interface Hj212ClientOptions {
  readonly host: string;
  readonly port: number;
  /** The station's MN and password, as in the registry. */
  readonly mn: string;
  readonly pw: string;
  /** System code. @defaultValue '21' (surface water) */
  readonly st?: string;
  /** Maps canonical keys to HJ 212 codes. @defaultValue the canonical parameters */
  readonly parameters?: ParameterTable;
  /** Local time of `DataTime` and `QN`. @defaultValue 480 (UTC+8) */
  readonly timezoneOffsetMinutes?: number;
  /** Wait this long for a 9014 before resending the same packet. @defaultValue 5_000 */
  readonly ackTimeoutMs?: number;
  /** Sends of one upload (first + resends) before giving up. @defaultValue 3 */
  readonly maxAttempts?: number;
  /** Delay before reconnecting after the connection is lost. @defaultValue 1_000 */
  readonly reconnectDelayMs?: number;
  /** Data segments longer than this are split into PNUM/PNO parts. @defaultValue 1024 */
  readonly maxDataBytes?: number;
  /** Real-time data interval before any 1062 command. @defaultValue 300 */
  readonly realtimeIntervalS?: number;
  /** Applies a new real-time interval (CN 1062); false or a throw answers ExeRtn=2. */
  readonly onIntervalCommand?: (intervalS: number) => boolean | Promise<boolean>;
  readonly clock?: Clock;
}

/** One reading to upload, keyed by canonical parameter keys. */
export interface ClientReading {
  /** Epoch ms of the measurement; written as local `DataTime`. */
  readonly ts: number;
  readonly values: Readonly<Record<string, number>>;
  /** HJ 212 data flags per key; a missing flag is sent as N. */
  readonly flags?: Readonly<Record<string, string>>;
}

/** A confirmed upload. */
export interface UploadResult {
  readonly qn: string;
  readonly attempts: number;
  /** From the first send to the 9014. */
  readonly latencyMs: number;
  /** The 9014 packet as received (its CRC was checked by the framer). */
  readonly responseRaw: string;
}

/** The platform refused an upload with a 9011 (QnRtn ≠ 1); the protocol's code is kept. */
export class Hj212RefusedError extends Error {
  readonly qnRtn: number;
  constructor(qnRtn: number) {
    super(`HJ 212 upload refused: QnRtn=${qnRtn} (${describeQnRtn(qnRtn)})`);
    this.name = 'Hj212RefusedError';
    this.qnRtn = qnRtn;
  }
}

/** No 9014 after every attempt. */
export class Hj212AckTimeoutError extends Error {
  constructor(qn: string, attempts: number) {
    super(`HJ 212 upload ${qn}: no data response after ${attempts} attempts`);
    this.name = 'Hj212AckTimeoutError';
  }
}

export interface Hj212ClientEvents {
  connect: [];
  disconnect: [];
  /** A 1062 command changed the real-time interval. */
  interval: [intervalS: number];
  /** A 1012 set this logger's time (`yyyyMMddHHmmss`, platform local time). */
  time: [systemTime: string];
  /** Any packet from the platform (after its CRC was checked). */
  packet: [packet: Hj212Packet, raw: string];
}
