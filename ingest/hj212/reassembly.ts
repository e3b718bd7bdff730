/**
 * Split uploads (Flag bit D, PNUM/PNO; HJ 212-2017 C.49/C.50). The standard's data logger sends each part
 * with its own QN and waits for that part's 9014 before sending the next, so every part is handled (and
 * answered) on its own as it arrives; nothing is held back. What later parts need from earlier ones is the
 * context: the `DataTime` their pollutant items belong to, when a part carries none. This keeps that
 * context per message, keyed by MN + CN + PNUM (the QN differs per part), bounded in count and age. Pure:
 * the caller passes the time.
 */
import type { Hj212Packet } from './packet.js';

export interface ReassemblyOptions {
  /** Forget a message whose next part has not come for this long. @defaultValue 60_000 */
  readonly timeoutMs?: number;
  /** Messages in progress at once, per connection; the oldest is forgotten beyond. @defaultValue 16 */
  readonly maxMessages?: number;
}

/** What is known of the message a part belongs to. */
export interface SplitPart {
  /** DataTime the part's items belong to when it carries none (from an earlier part). */
  readonly inheritedDataTime: string | undefined;
  /** Whether the earlier part (PNO - 1) was seen; false for PNO 1. */
  readonly follows: boolean;
}

interface Progress {
  dataTime: string | undefined;
  lastPno: number;
  lastSeenMs: number;
}

export class Reassembler {
  readonly #timeoutMs: number;
  readonly #maxMessages: number;
  readonly #messages = new Map<string, Progress>();

  constructor(options: ReassemblyOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#maxMessages = options.maxMessages ?? 16;
  }

  /** Messages in progress. */
  get pendingMessages(): number {
    return this.#messages.size;
  }

  /** The context of a part about to be handled. */
  context(packet: Hj212Packet, nowMs: number): SplitPart {
    this.expire(nowMs);
    const progress = this.#messages.get(key(packet));
    if (!progress || packet.pno === undefined || packet.pno <= 1) return { inheritedDataTime: undefined, follows: false };
    return { inheritedDataTime: progress.dataTime, follows: progress.lastPno === packet.pno - 1 };
  }

  /** Records a handled part and the DataTime its items ended on; forgets the message after its last part. */
  record(packet: Hj212Packet, lastDataTime: string | undefined, nowMs: number): void {
    const { pnum, pno } = packet;
    if (pnum === undefined || pno === undefined) return;
    const k = key(packet);
    if (pno >= pnum) {
      this.#messages.delete(k);
      return;
    }
    const progress = this.#messages.get(k);
    this.#messages.delete(k); // Map order is recency order
    this.#messages.set(k, {
      dataTime: lastDataTime ?? (pno > 1 ? progress?.dataTime : undefined),
      lastPno: pno,
      lastSeenMs: nowMs,
    });
    while (this.#messages.size > this.#maxMessages) {
      const oldest = this.#messages.keys().next().value as string;
      this.#messages.delete(oldest);
    }
  }

  /** Forgets messages whose parts stopped coming. */
  expire(nowMs: number): void {
    for (const [k, progress] of this.#messages) {
      if (nowMs - progress.lastSeenMs >= this.#timeoutMs) this.#messages.delete(k);
    }
  }

  /** Forgets everything (connection closed). */
  clear(): void {
    this.#messages.clear();
  }
}

function key(packet: Hj212Packet): string {
  return `${packet.mn}|${packet.cn}|${packet.pnum ?? 0}`;
}

/** The last `DataTime=` value in a CP data area, if any. */
export function lastDataTime(cp: string): string | undefined {
  const at = cp.lastIndexOf('DataTime=');
  if (at < 0 || (at > 0 && cp[at - 1] !== ';' && cp[at - 1] !== ',')) return undefined;
  const end = cp.slice(at + 9).search(/[;,]/);
  return end < 0 ? cp.slice(at + 9) : cp.slice(at + 9, at + 9 + end);
}
