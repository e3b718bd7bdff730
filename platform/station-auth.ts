/** Station credentials: a token per station, stored only as its SHA-256 (registry `tokenSha256`). */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Registry, Station } from '../domain/index.js';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Looks stations up by token without keeping tokens. */
export class StationAuthenticator {
  readonly #byHash = new Map<string, Station>();

  constructor(registry: Registry) {
    for (const station of registry.stations.values()) {
      if (station.tokenSha256) this.#byHash.set(station.tokenSha256, station);
    }
  }

  /** The station whose token this is, or undefined. */
  byToken(token: string): Station | undefined {
    return this.#byHash.get(sha256Hex(token));
  }

  /** Whether `token` is the token of `stationId` (constant-time compare of the hashes). */
  verify(stationId: string, token: string, registry: Registry): boolean {
    const expected = registry.station(stationId)?.tokenSha256;
    if (!expected) return false;
    const actual = Buffer.from(sha256Hex(token), 'hex');
    return timingSafeEqual(actual, Buffer.from(expected, 'hex'));
  }
}
