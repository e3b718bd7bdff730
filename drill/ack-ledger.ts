/**
 * What the simulated gateways were told: every reading (station + ts) they
 * sent, and the ones the platform acknowledged (MQTT PUBACK from the broker,
 * HTTP 202, HJ 212 9014) with when. DESIGN.md "Guarantees": an acknowledged
 * reading must end up in InfluxDB.
 */

export type IngressPath = 'mqtt' | 'http' | 'hj212';

export interface AckRecord {
  readonly stationId: string;
  readonly ts: number;
  readonly path: IngressPath;
  /** First time the gateway sent it, epoch ms. */
  readonly sentAt: number;
  /** First acknowledgement, epoch ms. */
  readonly ackedAt: number;
  /** Sends until acknowledged (1 = first try). */
  readonly attempts: number;
}

/** A push-back answer seen by a gateway (HTTP 503 + Retry-After). */
export interface PushBack {
  readonly at: number;
  readonly path: IngressPath;
  readonly status: number;
  readonly retryAfterS: number | undefined;
}

export function readingKey(stationId: string, ts: number): string {
  return `${stationId}@${ts}`;
}

export class AckLedger {
  readonly #sent = new Map<string, { stationId: string; ts: number; path: IngressPath; sentAt: number }>();
  readonly #acked = new Map<string, AckRecord>();
  readonly #refused = new Map<string, string>();
  readonly #ackTimes: Record<IngressPath, number[]> = { mqtt: [], http: [], hj212: [] };
  readonly pushBacks: PushBack[] = [];

  recordSent(stationId: string, ts: number, path: IngressPath): void {
    const key = readingKey(stationId, ts);
    if (!this.#sent.has(key)) this.#sent.set(key, { stationId, ts, path, sentAt: Date.now() });
  }

  /** When a gateway first sent the reading, or undefined if never. */
  firstSentAt(stationId: string, ts: number): number | undefined {
    return this.#sent.get(readingKey(stationId, ts))?.sentAt;
  }

  recordAck(stationId: string, ts: number, path: IngressPath, sentAt: number, attempts: number): void {
    const key = readingKey(stationId, ts);
    const now = Date.now();
    this.#ackTimes[path].push(now);
    if (!this.#acked.has(key)) this.#acked.set(key, { stationId, ts, path, sentAt, ackedAt: now, attempts });
  }

  /** The platform refused the reading with a reason (not an acknowledgement). */
  recordRefused(stationId: string, ts: number, reason: string): void {
    this.#refused.set(readingKey(stationId, ts), reason);
  }

  recordPushBack(pushBack: PushBack): void {
    this.pushBacks.push(pushBack);
  }

  get sentCount(): number {
    return this.#sent.size;
  }

  get ackedCount(): number {
    return this.#acked.size;
  }

  acked(): IterableIterator<AckRecord> {
    return this.#acked.values();
  }

  isAcked(stationId: string, ts: number): boolean {
    return this.#acked.has(readingKey(stationId, ts));
  }

  wasSent(stationId: string, ts: number): boolean {
    return this.#sent.has(readingKey(stationId, ts));
  }

  refused(): ReadonlyMap<string, string> {
    return this.#refused;
  }

  /** Acknowledgement times of one path (every ack, repeats included), ascending. */
  ackTimes(path: IngressPath): readonly number[] {
    return this.#ackTimes[path];
  }

  /** The first acknowledgement on `path` at or after `fromMs`, or undefined. */
  firstAckAfter(path: IngressPath, fromMs: number): number | undefined {
    const times = this.#ackTimes[path];
    let lo = 0;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((times[mid] as number) < fromMs) lo = mid + 1;
      else hi = mid;
    }
    return times[lo];
  }

  /** Acknowledged readings per station: station → set of ts. */
  ackedByStation(): Map<string, Set<number>> {
    const out = new Map<string, Set<number>>();
    for (const r of this.#acked.values()) {
      let set = out.get(r.stationId);
      if (!set) out.set(r.stationId, (set = new Set()));
      set.add(r.ts);
    }
    return out;
  }
}
