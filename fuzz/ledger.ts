/**
 * What the fuzzer sent and what each input should have caused, filled in by
 * the channels while they send and checked against the dead letters and
 * InfluxDB afterwards (verify.ts).
 */

export type Channel = 'mqtt' | 'http' | 'hj212';

export const CHANNELS: readonly Channel[] = ['mqtt', 'http', 'hj212'];

/**
 * Why a bad input is, by design, not expected in the dead letters: it never
 * reached RiverWatch's ingest code, or the protocol refuses it earlier.
 */
export type RefusedBeforeIngest =
  /** HTTP 401: no valid station token; refused before the body is looked at (not dead-lettered by design). */
  | 'http-401'
  /** HTTP 415: a content type the API has no parser for; fastify refuses it before the route. */
  | 'http-415'
  /** HTTP 404/405: not the readings route. */
  | 'http-404'
  /** HTTP 429: over the per-credential rate limit. */
  | 'http-429'
  /** Node's HTTP parser refused the request (400/431/413, or closed the connection). */
  | 'http-parser'
  /** The broker refused the publish (ACL: a station on another station's topic). */
  | 'broker-acl'
  /** The broker closed the connection instead of routing the publish (e.g. control characters in the topic). */
  | 'broker-malformed'
  /** A topic outside `wq/+/+/readings`: no subscriber, the broker routes it nowhere (MQTT semantics). */
  | 'mqtt-not-routed'
  /** An HJ 212 frame still incomplete when the peer closed: the framer drops it without a dead letter (finding). */
  | 'hj212-incomplete-at-close'
  /** The per-peer HJ 212 bad-input budget was spent: the connection was closed and the peer banned. */
  | 'hj212-peer-banned';

export interface BadInput {
  readonly id: number;
  readonly channel: Channel;
  readonly kind: string;
  /** How its dead letters are found: the marker in the raw payload (MQTT) or the peer address (HTTP, HJ 212). */
  readonly marker?: string;
  readonly peerIp?: string;
  /** Set when the input is, by design, not expected in the dead letters. */
  refusedBeforeIngest?: RefusedBeforeIngest;
  /** Set by the sender when the answer itself breaks a rule (5xx, a 2xx for a bad or unauthenticated input, …). */
  failure?: string;
  /** HTTP status, when there is one. */
  status?: number;
  /** What was observed on the wire, for the report (e.g. the broker closed the connection). */
  note?: string;
  /** A short, printable sample of the input for the report. */
  readonly sample: string;
}

export interface ValidReading {
  readonly channel: Channel;
  readonly stationId: string;
  readonly ts: number;
  /** PUBACK from the broker, HTTP 202 with accepted 1, or HJ 212 9014. */
  acknowledged: boolean;
  /** Why it was not acknowledged (timeout, status, …). */
  problem?: string;
}

export class Ledger {
  readonly bad: BadInput[] = [];
  readonly valid: ValidReading[] = [];
  /** Unexpected events on the fuzzer's own side (client errors), by message; not a pipeline failure. */
  readonly clientErrors = new Map<string, number>();

  /**
   * The id and marker of input `index` of a channel: fixed width (so one
   * marker never prefixes another) and independent of timing, so a seed
   * reproduces the same bytes.
   */
  markerFor(channel: Channel, index: number): { id: number; marker: string } {
    const id = (CHANNELS.indexOf(channel) + 1) * 10_000_000 + index;
    return { id, marker: `~FZ${String(id).padStart(8, '0')}~` };
  }

  addBad(input: BadInput): BadInput {
    this.bad.push(input);
    return input;
  }

  addValid(reading: ValidReading): ValidReading {
    this.valid.push(reading);
    return reading;
  }

  clientError(what: string): void {
    this.clientErrors.set(what, (this.clientErrors.get(what) ?? 0) + 1);
  }

  badOf(channel: Channel): BadInput[] {
    return this.bad.filter((b) => b.channel === channel);
  }
}

/** A printable, bounded sample of bytes (control and non-ASCII bytes escaped). */
export function sampleOf(bytes: Buffer | string, max = 120): string {
  const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  let out = '';
  for (const byte of buf.subarray(0, max)) out += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`;
  return buf.length > max ? `${out}… (${buf.length} bytes)` : out;
}

/** A task pool: runs `work` for 0..count-1 with at most `concurrency` at once, stopping early when `stop()` is true. */
export async function pool(count: number, concurrency: number, work: (index: number) => Promise<void>, stop: () => boolean): Promise<number> {
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      if (stop()) return;
      const index = next++;
      if (index >= count) return;
      await work(index);
      done++;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker));
  return done;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
