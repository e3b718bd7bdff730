/**
 * Loads the registry file and validates it as a whole: schema, duplicate ids,
 * unknown references, cycles (agency tree and rivers), boundary sections whose
 * two sides are one agency, stations on missing sections. Every problem is
 * collected, so one start lists them all.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { Value } from 'typebox/value';
import {
  AppError,
  ParameterTable,
  Registry,
  type Agency,
  type River,
  type Section,
  type Station,
  type TargetClass,
} from '../domain/index.js';
import { RegistryFileSchema, type RegistryFile, type SectionFileEntry } from './registry-schema.js';

const ROMAN: Record<string, TargetClass> = { I: 1, II: 2, III: 3, IV: 4, V: 5 };

export type RegistryResult = { ok: true; registry: Registry } | { ok: false; problems: string[] };

/** Reads and validates a registry file; throws `RW_REGISTRY_INVALID` listing every problem. */
export function loadRegistryFile(path: string, parameters = new ParameterTable()): Registry {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new AppError('RW_REGISTRY_INVALID', `cannot read registry file ${path}: set RW_REGISTRY_FILE to an existing file`, { cause: err });
  }
  let raw: unknown;
  try {
    raw = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new AppError('RW_REGISTRY_INVALID', `registry file ${path} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const result = buildRegistry(raw, parameters);
  if (!result.ok) {
    throw new AppError('RW_REGISTRY_INVALID', `registry ${path} has ${result.problems.length} problem(s):\n  - ${result.problems.join('\n  - ')}`, {
      details: result.problems,
    });
  }
  return result.registry;
}

/** Pure: validates parsed registry data and resolves it into the domain model. */
export function buildRegistry(raw: unknown, parameters = new ParameterTable()): RegistryResult {
  if (!Value.Check(RegistryFileSchema, raw)) {
    const problems = [...Value.Errors(RegistryFileSchema, raw)].slice(0, 50).map((e) => `${e.instancePath || '/'}: ${e.message}`);
    return { ok: false, problems };
  }
  const file: RegistryFile = raw;
  const problems: string[] = [];

  findDuplicates('agency', file.agencies, problems);
  findDuplicates('river', file.rivers, problems);
  findDuplicates('section', file.sections, problems);
  findDuplicates('station', file.stations, problems);

  const agencyIds = new Set(file.agencies.map((a) => a.id));
  const riverIds = new Set(file.rivers.map((r) => r.id));
  const sectionsById = new Map(file.sections.map((s) => [s.id, s]));

  for (const agency of file.agencies) {
    if (agency.parent !== undefined && !agencyIds.has(agency.parent)) {
      problems.push(`agency ${agency.id}: parent "${agency.parent}" is not an agency`);
    }
  }
  findAgencyCycles(file, problems);

  for (const section of file.sections) {
    const where = `section ${section.id}`;
    if (!riverIds.has(section.river)) problems.push(`${where}: river "${section.river}" is not a river`);
    const sides = sidesOf(section);
    if (!sides) {
      problems.push(`${where}: give either "agency" (one jurisdiction) or "agencies: {upstream, downstream}" (boundary section), not ${section.agency && section.agencies ? 'both' : 'neither'}`);
    } else {
      for (const id of [sides.upstream, sides.downstream]) {
        if (!agencyIds.has(id)) problems.push(`${where}: agency "${id}" is not an agency`);
      }
      if (section.agencies && section.agencies.upstream === section.agencies.downstream) {
        problems.push(`${where}: boundary section has the same agency "${section.agencies.upstream}" on both sides; use "agency" for a section inside one jurisdiction`);
      }
    }
    if (section.downstream) {
      const next = sectionsById.get(section.downstream.section);
      if (!next) problems.push(`${where}: downstream section "${section.downstream.section}" is not a section`);
      else if (next.id === section.id) problems.push(`${where}: is its own downstream section`);
    }
  }
  findRiverCycles(file, problems);

  for (const station of file.stations) {
    const where = `station ${station.id}`;
    if (!sectionsById.has(station.section)) problems.push(`${where}: section "${station.section}" is not a section`);
    for (const key of station.parameters) {
      if (!parameters.has(key)) problems.push(`${where}: parameter "${key}" is unknown (known: ${parameters.keys().join(', ')})`);
    }
    if (new Set(station.parameters).size !== station.parameters.length) problems.push(`${where}: parameters listed twice`);
  }
  const mns = new Map<string, string>();
  for (const station of file.stations) {
    if (!station.hj212) continue;
    const other = mns.get(station.hj212.mn);
    if (other !== undefined) problems.push(`station ${station.id}: HJ 212 MN "${station.hj212.mn}" is also used by station ${other}`);
    else mns.set(station.hj212.mn, station.id);
  }

  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, registry: resolve(file) };
}

function sidesOf(section: SectionFileEntry): { upstream: string; downstream: string } | undefined {
  if (section.agency !== undefined && section.agencies === undefined) return { upstream: section.agency, downstream: section.agency };
  if (section.agencies !== undefined && section.agency === undefined) return section.agencies;
  return undefined;
}

function findDuplicates(kind: string, items: readonly { id: string }[], problems: string[]): void {
  const seen = new Set<string>();
  const reported = new Set<string>();
  for (const { id } of items) {
    if (seen.has(id) && !reported.has(id)) {
      problems.push(`duplicate ${kind} id "${id}"`);
      reported.add(id);
    }
    seen.add(id);
  }
}

function findAgencyCycles(file: RegistryFile, problems: string[]): void {
  const parent = new Map(file.agencies.map((a) => [a.id, a.parent]));
  const reported = new Set<string>();
  for (const agency of file.agencies) {
    const path: string[] = [];
    let current: string | undefined = agency.id;
    while (current !== undefined && !path.includes(current)) {
      path.push(current);
      current = parent.get(current);
    }
    if (current !== undefined) {
      const cycle = path.slice(path.indexOf(current));
      const key = [...cycle].sort().join(',');
      if (!reported.has(key)) {
        reported.add(key);
        problems.push(`agencies form a cycle: ${[...cycle, current].join(' > ')}`);
      }
    }
  }
}

function findRiverCycles(file: RegistryFile, problems: string[]): void {
  const next = new Map(file.sections.map((s) => [s.id, s.downstream?.section]));
  const river = new Map(file.sections.map((s) => [s.id, s.river]));
  const reported = new Set<string>();
  for (const section of file.sections) {
    const path: string[] = [];
    let current: string | undefined = section.id;
    while (current !== undefined && next.has(current) && !path.includes(current)) {
      path.push(current);
      current = next.get(current);
    }
    if (current !== undefined && path.includes(current)) {
      const cycle = path.slice(path.indexOf(current));
      const key = [...cycle].sort().join(',');
      if (!reported.has(key) && cycle.length > 1) {
        reported.add(key);
        problems.push(`river ${river.get(current)}: sections form a cycle: ${[...cycle, current].join(' → ')}`);
      }
    }
  }
  for (const s of file.sections) {
    const nextId = s.downstream?.section;
    const nextRiver = nextId === undefined ? undefined : river.get(nextId);
    // A tributary may flow into another river; record it but do not refuse it.
    if (nextRiver !== undefined && nextRiver === s.river) {
      const nextSection = file.sections.find((x) => x.id === nextId);
      if (nextSection && nextSection.positionKm <= s.positionKm) {
        problems.push(`section ${s.id}: downstream section ${nextId} is not further from the source (${nextSection.positionKm} km ≤ ${s.positionKm} km)`);
      }
    }
  }
}

function resolve(file: RegistryFile): Registry {
  const agencies: Agency[] = file.agencies.map((a) => ({
    id: a.id,
    level: a.level,
    parentId: a.parent,
    name: a.name,
    contacts: a.contacts ?? [],
    webhook: a.webhook,
  }));
  const sections: Section[] = file.sections.map((s) => {
    const sides = sidesOf(s) as { upstream: string; downstream: string };
    return {
      id: s.id,
      name: s.name,
      riverId: s.river,
      positionKm: s.positionKm,
      lat: s.coordinates.lat,
      lon: s.coordinates.lon,
      targetClass: typeof s.targetClass === 'number' ? (s.targetClass as TargetClass) : (ROMAN[s.targetClass] as TargetClass),
      waterBody: s.waterBody ?? 'river',
      upstreamAgencyId: sides.upstream,
      downstreamAgencyId: sides.downstream,
      boundary: sides.upstream !== sides.downstream,
      drinkingWater: s.drinkingWater ?? false,
      downstream: s.downstream ? { sectionId: s.downstream.section, distanceKm: s.downstream.distanceKm, velocityMps: s.downstream.velocityMps } : undefined,
    };
  });
  const rivers: River[] = file.rivers.map((r) => ({
    id: r.id,
    name: r.name,
    sectionIds: sections
      .filter((s) => s.riverId === r.id)
      .sort((a, b) => a.positionKm - b.positionKm)
      .map((s) => s.id),
  }));
  const stations: Station[] = file.stations.map((s) => ({
    id: s.id,
    sectionId: s.section,
    name: s.name ?? { zh: s.id, en: s.id },
    parameters: s.parameters,
    samplingIntervalS: s.samplingIntervalS,
    hj212: s.hj212,
    tokenSha256: s.tokenSha256,
  }));
  return new Registry({ agencies, rivers, sections, stations });
}
