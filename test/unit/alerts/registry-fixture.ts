/**
 * A small registry for the alerts tests: one province with two cities; city
 * c1 has counties k1a and k1b, city c2 has county k2. River r1 flows
 * up (k1a) → bd-city (k1a | k1b: two counties of one city) → mid (k1b) →
 * bd-prov (k1b | k2: counties of different cities) → low (k2).
 */
import { buildRegistry } from '../../../config/registry-loader.js';
import type { AlertEvent, Registry } from '../../../domain/index.js';

export const SECRETS: Record<string, string> = {
  p1: 'secret-province-p1-0123456789',
  c1: 'secret-city-c1-0123456789ab',
  c2: 'secret-city-c2-0123456789ab',
  k1a: 'secret-county-k1a-0123456789',
  k1b: 'secret-county-k1b-0123456789',
  k2: 'secret-county-k2-0123456789a',
};

/** Builds the test registry; with `webhookBase`, every agency gets `${webhookBase}/hook/${id}`. */
export function testRegistry(webhookBase?: string): Registry {
  const agency = (id: string, level: string, parent?: string) => ({
    id,
    level,
    ...(parent ? { parent } : {}),
    name: { zh: id, en: id },
    ...(webhookBase ? { webhook: { url: `${webhookBase}/hook/${id}`, secret: SECRETS[id] } } : {}),
  });
  const section = (
    id: string,
    positionKm: number,
    sides: { agency: string } | { agencies: { upstream: string; downstream: string } },
    next?: string,
  ) => ({
    id,
    river: 'r1',
    name: { zh: id, en: id },
    positionKm,
    coordinates: { lat: 30, lon: 120 + positionKm / 100 },
    targetClass: 'III',
    ...sides,
    ...(next ? { downstream: { section: next, distanceKm: 10, velocityMps: 0.5 } } : {}),
  });
  const station = (id: string, sectionId: string) => ({
    id,
    section: sectionId,
    parameters: ['tp', 'nh3n'],
    samplingIntervalS: 300,
  });
  const result = buildRegistry({
    agencies: [
      agency('p1', 'province'),
      agency('c1', 'city', 'p1'),
      agency('c2', 'city', 'p1'),
      agency('k1a', 'county', 'c1'),
      agency('k1b', 'county', 'c1'),
      agency('k2', 'county', 'c2'),
    ],
    rivers: [{ id: 'r1', name: { zh: 'r1', en: 'River One' } }],
    sections: [
      section('up', 0, { agency: 'k1a' }, 'bd-city'),
      section('bd-city', 10, { agencies: { upstream: 'k1a', downstream: 'k1b' } }, 'mid'),
      section('mid', 20, { agency: 'k1b' }, 'bd-prov'),
      section('bd-prov', 30, { agencies: { upstream: 'k1b', downstream: 'k2' } }, 'low'),
      section('low', 40, { agency: 'k2' }),
    ],
    stations: [
      station('S-UP', 'up'),
      station('S-BC', 'bd-city'),
      station('S-MID', 'mid'),
      station('S-BP-1', 'bd-prov'),
      station('S-BP-2', 'bd-prov'),
      station('S-LOW', 'low'),
    ],
  });
  if (!result.ok) throw new Error(`test registry invalid: ${result.problems.join('; ')}`);
  return result.registry;
}

/** An alert event with defaults. */
export function alertEvent(overrides: Partial<AlertEvent> & Pick<AlertEvent, 'ts'>): AlertEvent {
  return {
    type: 'raise',
    key: 'exceedance:bd-prov:tp',
    kind: 'exceedance',
    level: 'yellow',
    sectionId: 'bd-prov',
    stationId: 'S-BP-1',
    parameters: ['tp'],
    message: 'total phosphorus above class III',
    evidence: { values: { tp: 0.25 }, limit: { tp: 0.2 } },
    ...overrides,
  };
}
