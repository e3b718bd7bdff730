import { describe, expect, it } from 'vitest';
import { PeerLimiter } from '../../../ingest/hj212/index.js';

describe('PeerLimiter', () => {
  it('allows a burst, then bans the peer for banMs', () => {
    const limiter = new PeerLimiter({ burst: 3, refillPerSecond: 0, banMs: 10_000 });
    expect([1, 2, 3].map(() => limiter.charge('10.0.0.1', 0))).toEqual([true, true, true]);
    expect(limiter.charge('10.0.0.1', 0)).toBe(false);
    expect(limiter.isBanned('10.0.0.1', 9_999)).toBe(true);
    expect(limiter.isBanned('10.0.0.2', 0)).toBe(false);
    expect(limiter.isBanned('10.0.0.1', 10_000)).toBe(false);
    // After the ban the peer starts with a full budget.
    expect(limiter.charge('10.0.0.1', 10_000)).toBe(true);
  });

  it('refills over time', () => {
    const limiter = new PeerLimiter({ burst: 2, refillPerSecond: 1, banMs: 1_000 });
    limiter.charge('p', 0);
    limiter.charge('p', 0);
    expect(limiter.charge('p', 1_000)).toBe(true);
    expect(limiter.charge('p', 1_000)).toBe(false);
  });

  it('forgets peers beyond maxPeers, unbanned ones first', () => {
    const limiter = new PeerLimiter({ burst: 1, refillPerSecond: 0, banMs: 60_000, maxPeers: 3 });
    limiter.charge('banned', 0);
    limiter.charge('banned', 0);
    for (const peer of ['a', 'b', 'c', 'd']) limiter.charge(peer, 1);
    expect(limiter.trackedPeers).toBe(3);
    expect(limiter.isBanned('banned', 2)).toBe(true);
  });
});
