/**
 * Per-peer budget for bad input (garbage, broken frames, failed logins): a small token bucket per IP
 * address. A peer that spends it is banned for a while: its connection is closed and new ones are
 * closed at once (issue 4: "repeated garbage or failed logins close the connection and are
 * rate-limited per peer"). Pure: the caller passes the time.
 */

export interface PeerLimiterOptions {
  /** Bad events a peer may cause in a burst. @defaultValue 10 */
  readonly burst?: number;
  /** Tokens given back per second. @defaultValue 0.2 (one bad event per 5 s sustained) */
  readonly refillPerSecond?: number;
  /** How long a peer stays banned. @defaultValue 60_000 */
  readonly banMs?: number;
  /** Peers tracked at once; the least recently charged are forgotten beyond. @defaultValue 10_000 */
  readonly maxPeers?: number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
  bannedUntilMs: number;
}

export class PeerLimiter {
  readonly #burst: number;
  readonly #refillPerMs: number;
  readonly #banMs: number;
  readonly #maxPeers: number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(options: PeerLimiterOptions = {}) {
    this.#burst = options.burst ?? 10;
    this.#refillPerMs = (options.refillPerSecond ?? 0.2) / 1000;
    this.#banMs = options.banMs ?? 60_000;
    this.#maxPeers = options.maxPeers ?? 10_000;
  }

  /** Whether the peer is banned at `nowMs`. */
  isBanned(peer: string, nowMs: number): boolean {
    const bucket = this.#buckets.get(peer);
    return bucket !== undefined && bucket.bannedUntilMs > nowMs;
  }

  /**
   * Charges one bad event. Returns true while the peer is within its budget; false when this event
   * spent it, in which case the peer is now banned.
   */
  charge(peer: string, nowMs: number): boolean {
    let bucket = this.#buckets.get(peer);
    if (bucket) {
      this.#buckets.delete(peer);
      bucket.tokens = Math.min(this.#burst, bucket.tokens + (nowMs - bucket.updatedMs) * this.#refillPerMs);
      bucket.updatedMs = nowMs;
    } else {
      bucket = { tokens: this.#burst, updatedMs: nowMs, bannedUntilMs: 0 };
      this.#forgetBeyond(this.#maxPeers - 1, nowMs);
    }
    // Re-insert: Map order is least-recently-charged first.
    this.#buckets.set(peer, bucket);
    if (bucket.bannedUntilMs > nowMs) return false;
    bucket.tokens -= 1;
    if (bucket.tokens >= 0) return true;
    bucket.bannedUntilMs = nowMs + this.#banMs;
    bucket.tokens = this.#burst;
    return false;
  }

  /** Peers tracked (for tests and metrics). */
  get trackedPeers(): number {
    return this.#buckets.size;
  }

  #forgetBeyond(limit: number, nowMs: number): void {
    if (this.#buckets.size <= limit) return;
    // Forget unbanned peers first; a flood of distinct addresses must not lift an active ban cheaply.
    for (const [peer, bucket] of this.#buckets) {
      if (this.#buckets.size <= limit) return;
      if (bucket.bannedUntilMs <= nowMs) this.#buckets.delete(peer);
    }
    for (const peer of this.#buckets.keys()) {
      if (this.#buckets.size <= limit) return;
      this.#buckets.delete(peer);
    }
  }
}
