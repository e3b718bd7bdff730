/**
 * Synthetic stations for load runs (issue 7 §6): `count` stations spread
 * round-robin over the registry's sections, each with a token and an HJ 212
 * MN derived from its id. The server must run with the extended registry
 * (write it with registryToFile / `--load-registry-out`) so it knows them.
 * Tokens are predictable (`load-<id>`): for load tests only.
 */
import { createHash } from 'node:crypto';
import { Registry, type Station } from '../domain/index.js';
import { CANONICAL_PARAMETERS } from '../domain/index.js';

export interface LoadFleet {
  readonly registry: Registry;
  readonly stations: readonly Station[];
  readonly tokens: ReadonlyMap<string, string>;
}

export interface LoadFleetOptions {
  /** @defaultValue 300 */
  readonly samplingIntervalS?: number;
  /** @defaultValue 'LOAD' */
  readonly idPrefix?: string;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The registry with `count` synthetic stations added, and those stations with their tokens. */
export function buildLoadFleet(base: Registry, count: number, options: LoadFleetOptions = {}): LoadFleet {
  const sections = [...base.sections.values()];
  if (sections.length === 0) throw new Error('load mode needs at least one section in the registry');
  const prefix = options.idPrefix ?? 'LOAD';
  const width = Math.max(6, String(count).length);
  const stations: Station[] = [];
  const tokens = new Map<string, string>();
  for (let i = 1; i <= count; i++) {
    const section = sections[(i - 1) % sections.length] as (typeof sections)[number];
    const id = `${prefix}${String(i).padStart(width, '0')}`;
    const token = `load-${id.toLowerCase()}`;
    tokens.set(id, token);
    stations.push({
      id,
      sectionId: section.id,
      name: { zh: `负载站${i}`, en: `Load station ${i}` },
      parameters: CANONICAL_PARAMETERS.map((p) => p.key),
      samplingIntervalS: options.samplingIntervalS ?? 300,
      hj212: { mn: `RWLD${String(i).padStart(20, '0')}`, password: sha256Hex(id).slice(0, 6) },
      tokenSha256: sha256Hex(token),
    });
  }
  const registry = new Registry({
    agencies: [...base.agencies.values()],
    rivers: [...base.rivers.values()],
    sections,
    stations: [...base.stations.values(), ...stations],
  });
  return { registry, stations, tokens };
}
