/**
 * Reassembly of split messages (Flag bit D, PNUM/PNO; domain-facts.md §3.1). Parts are keyed by
 * MN + QN, joined in PNO order once all have arrived, and dropped (reported) when the rest does not
 * come within the timeout or when they would hold more memory than allowed. Pure: the caller passes
 * the time.
 */
import { FLAG_ANSWER, FLAG_SPLIT, type Hj212Packet } from './packet.js';

export interface ReassemblyOptions {
  /** Drop a message whose next part has not come for this long. @defaultValue 60_000 */
  readonly timeoutMs?: number;
  /** Messages in progress at once; the oldest is dropped beyond. @defaultValue 16 */
  readonly maxMessages?: number;
  /** Bytes of raw parts held at once; oldest messages are dropped beyond. @defaultValue 262_144 */
  readonly maxBytes?: number;
}

/** A message given up on, with its parts' raw text for the dead letters. */
export interface DroppedMessage {
  readonly mn: string;
  readonly qn: string | undefined;
  readonly reason: 'timeout' | 'evicted' | 'too-large';
  readonly partsReceived: number;
  readonly pnum: number;
  readonly raw: string;
}

export type ReassemblyOutcome =
  | { readonly kind: 'complete'; readonly packet: Hj212Packet; readonly raw: string; readonly dropped: readonly DroppedMessage[] }
  | { readonly kind: 'pending'; readonly dropped: readonly DroppedMessage[] }
  | { readonly kind: 'rejected'; readonly reason: string; readonly dropped: readonly DroppedMessage[] };

interface Pending {
  readonly mn: string;
  readonly qn: string | undefined;
  readonly pnum: number;
  readonly parts: Map<number, { packet: Hj212Packet; raw: string }>;
  bytes: number;
  lastSeenMs: number;
}

export class Reassembler {
  readonly #timeoutMs: number;
  readonly #maxMessages: number;
  readonly #maxBytes: number;
  readonly #pending = new Map<string, Pending>();
  #bytes = 0;

  constructor(options: ReassemblyOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#maxMessages = options.maxMessages ?? 16;
    this.#maxBytes = options.maxBytes ?? 262_144;
  }

  /** Messages in progress. */
  get pendingMessages(): number {
    return this.#pending.size;
  }

  /** Bytes held. */
  get pendingBytes(): number {
    return this.#bytes;
  }

  /** Adds one part (a packet with Flag bit D). */
  add(packet: Hj212Packet, raw: string, nowMs: number): ReassemblyOutcome {
    const dropped = this.expire(nowMs);
    const { pnum, pno } = packet;
    if (pnum === undefined || pno === undefined)
      return { kind: 'rejected', reason: 'packet is not split (no PNUM/PNO)', dropped };
    if (pnum === 1) return { kind: 'complete', packet: joined([packet]), raw, dropped };
    const key = `${packet.mn}|${packet.qn ?? ''}`;
    let message = this.#pending.get(key);
    if (message && message.pnum !== pnum) {
      return { kind: 'rejected', reason: `PNUM ${pnum} differs from ${message.pnum} of earlier parts`, dropped };
    }
    if (!message) {
      while (this.#pending.size >= this.#maxMessages) dropped.push(this.#drop(this.#oldestKey() as string, 'evicted'));
      message = { mn: packet.mn, qn: packet.qn, pnum, parts: new Map(), bytes: 0, lastSeenMs: nowMs };
      this.#pending.set(key, message);
    }
    const previous = message.parts.get(pno);
    const added = raw.length - (previous?.raw.length ?? 0);
    if (message.bytes + added > this.#maxBytes) {
      dropped.push(this.#drop(key, 'too-large', raw));
      return { kind: 'rejected', reason: 'split message larger than the reassembly budget', dropped };
    }
    // A resent part replaces the earlier copy.
    message.parts.set(pno, { packet, raw });
    message.bytes += added;
    this.#bytes += added;
    message.lastSeenMs = nowMs;
    // Refresh recency: Map order is the eviction order.
    this.#pending.delete(key);
    this.#pending.set(key, message);
    while (this.#bytes > this.#maxBytes) {
      const oldest = this.#oldestKey();
      if (oldest === undefined || oldest === key) break;
      dropped.push(this.#drop(oldest, 'evicted'));
    }
    if (message.parts.size < pnum) return { kind: 'pending', dropped };
    this.#remove(key);
    const ordered = [...message.parts.entries()].sort((a, b) => a[0] - b[0]).map(([, part]) => part);
    return { kind: 'complete', packet: joined(ordered.map((p) => p.packet)), raw: ordered.map((p) => p.raw).join(''), dropped };
  }

  /** Drops and returns messages whose parts stopped coming. */
  expire(nowMs: number): DroppedMessage[] {
    const dropped: DroppedMessage[] = [];
    for (const [key, message] of this.#pending) {
      if (nowMs - message.lastSeenMs >= this.#timeoutMs) dropped.push(this.#drop(key, 'timeout'));
    }
    return dropped;
  }

  /** Drops everything (connection closed) and returns what was pending. */
  clear(): DroppedMessage[] {
    return [...this.#pending.keys()].map((key) => this.#drop(key, 'timeout'));
  }

  #oldestKey(): string | undefined {
    for (const key of this.#pending.keys()) return key;
    return undefined;
  }

  #remove(key: string): Pending | undefined {
    const message = this.#pending.get(key);
    if (!message) return undefined;
    this.#pending.delete(key);
    this.#bytes -= message.bytes;
    return message;
  }

  #drop(key: string, reason: DroppedMessage['reason'], extraRaw = ''): DroppedMessage {
    const message = this.#remove(key) as Pending;
    const raw = [...message.parts.values()].map((p) => p.raw).join('') + extraRaw;
    return { mn: message.mn, qn: message.qn, reason, partsReceived: message.parts.size, pnum: message.pnum, raw };
  }
}

/** The parts as one packet: CP areas joined with `;`, no PNUM/PNO, answer wanted if any part asked. */
function joined(parts: readonly Hj212Packet[]): Hj212Packet {
  const first = parts[0] as Hj212Packet;
  const wants = parts.some((p) => (p.flag & FLAG_ANSWER) !== 0);
  return {
    ...first,
    flag: (first.flag & ~FLAG_SPLIT & ~FLAG_ANSWER) | (wants ? FLAG_ANSWER : 0),
    pnum: undefined,
    pno: undefined,
    cp: parts
      .map((p) => p.cp)
      .filter((cp) => cp.length > 0)
      .join(';'),
  };
}
