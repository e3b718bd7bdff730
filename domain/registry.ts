/**
 * The registry model: agencies in a tree, rivers as chains of sections,
 * stations on sections (DESIGN.md "Registry"). Built and validated by
 * config/registry-loader.ts; this file holds the resolved model and the
 * pure queries on it.
 */
import type { TargetClass, WaterBody } from './gb3838.js';

export type AgencyLevel = 'national' | 'basin' | 'province' | 'city' | 'county';

export interface BilingualName {
  readonly zh: string;
  readonly en: string;
}

export interface Contact {
  readonly name: string;
  readonly role?: string;
  readonly phone?: string;
  readonly email?: string;
}

export interface Agency {
  readonly id: string;
  readonly level: AgencyLevel;
  readonly parentId: string | undefined;
  readonly name: BilingualName;
  readonly contacts: readonly Contact[];
  readonly webhook: { readonly url: string; readonly secret: string } | undefined;
}

export interface DownstreamLink {
  readonly sectionId: string;
  readonly distanceKm: number;
  readonly velocityMps: number;
}

export interface Section {
  readonly id: string;
  readonly name: BilingualName;
  readonly riverId: string;
  readonly positionKm: number;
  readonly lat: number;
  readonly lon: number;
  readonly targetClass: TargetClass;
  readonly waterBody: WaterBody;
  readonly upstreamAgencyId: string;
  readonly downstreamAgencyId: string;
  /** Boundary section: the two sides belong to different jurisdictions. */
  readonly boundary: boolean;
  readonly drinkingWater: boolean;
  readonly downstream: DownstreamLink | undefined;
}

export interface Station {
  readonly id: string;
  readonly sectionId: string;
  readonly name: BilingualName;
  readonly parameters: readonly string[];
  readonly samplingIntervalS: number;
  /**
   * HJ 212 identity; `codes` maps pollutant codes the station's logger sends (e.g. HJ/T 212-2005 `011`)
   * to HJ 212-2017 codes, over the built-in 2005 table.
   */
  readonly hj212: { readonly mn: string; readonly password: string; readonly codes?: Readonly<Record<string, string>> } | undefined;
  /** SHA-256 hex of the station's HTTP/MQTT token; tokens themselves are never stored. */
  readonly tokenSha256: string | undefined;
}

export interface River {
  readonly id: string;
  readonly name: BilingualName;
  /** Sections from upstream to downstream (for a tree: a topological order). */
  readonly sectionIds: readonly string[];
}

/** Read-only registry with the lookups every stage needs. */
export class Registry {
  readonly agencies: ReadonlyMap<string, Agency>;
  readonly rivers: ReadonlyMap<string, River>;
  readonly sections: ReadonlyMap<string, Section>;
  readonly stations: ReadonlyMap<string, Station>;
  readonly #stationsByMn = new Map<string, Station>();
  readonly #stationsBySection = new Map<string, Station[]>();
  readonly #upstreamOf = new Map<string, Section[]>();

  constructor(parts: { agencies: Agency[]; rivers: River[]; sections: Section[]; stations: Station[] }) {
    this.agencies = new Map(parts.agencies.map((a) => [a.id, a]));
    this.rivers = new Map(parts.rivers.map((r) => [r.id, r]));
    this.sections = new Map(parts.sections.map((s) => [s.id, s]));
    this.stations = new Map(parts.stations.map((s) => [s.id, s]));
    for (const station of parts.stations) {
      if (station.hj212) this.#stationsByMn.set(station.hj212.mn, station);
      const list = this.#stationsBySection.get(station.sectionId) ?? [];
      list.push(station);
      this.#stationsBySection.set(station.sectionId, list);
    }
    for (const section of parts.sections) {
      if (!section.downstream) continue;
      const list = this.#upstreamOf.get(section.downstream.sectionId) ?? [];
      list.push(section);
      this.#upstreamOf.set(section.downstream.sectionId, list);
    }
  }

  station(id: string): Station | undefined {
    return this.stations.get(id);
  }

  section(id: string): Section | undefined {
    return this.sections.get(id);
  }

  stationByMn(mn: string): Station | undefined {
    return this.#stationsByMn.get(mn);
  }

  stationsOf(sectionId: string): readonly Station[] {
    return this.#stationsBySection.get(sectionId) ?? [];
  }

  /** Sections whose next downstream section is `sectionId`. */
  upstreamOf(sectionId: string): readonly Section[] {
    return this.#upstreamOf.get(sectionId) ?? [];
  }

  /** Sections below `sectionId`, nearest first, with cumulative distance and travel time. */
  downstreamChain(sectionId: string): { section: Section; distanceKm: number; travelS: number }[] {
    const out: { section: Section; distanceKm: number; travelS: number }[] = [];
    let current = this.sections.get(sectionId);
    let distanceKm = 0;
    let travelS = 0;
    const seen = new Set<string>();
    while (current?.downstream && !seen.has(current.id)) {
      seen.add(current.id);
      const link = current.downstream;
      const next = this.sections.get(link.sectionId);
      if (!next) break;
      distanceKm += link.distanceKm;
      travelS += (link.distanceKm * 1000) / link.velocityMps;
      out.push({ section: next, distanceKm, travelS });
      current = next;
    }
    return out;
  }

  /** The agency and its ancestors, nearest first. */
  ancestry(agencyId: string): Agency[] {
    const out: Agency[] = [];
    const seen = new Set<string>();
    let current = this.agencies.get(agencyId);
    while (current && !seen.has(current.id)) {
      seen.add(current.id);
      out.push(current);
      current = current.parentId === undefined ? undefined : this.agencies.get(current.parentId);
    }
    return out;
  }

  /**
   * Lead agency for a joint task: the lowest common superior of the parties
   * (policy.md "Escalation": city leads cross-county, province cross-city).
   */
  leadAgency(agencyIds: readonly string[]): Agency | undefined {
    return lowestCommonSuperior(this, agencyIds);
  }

  /** Whether `agencyId` is `otherId` or one of its superiors. */
  isSelfOrSuperior(agencyId: string, otherId: string): boolean {
    return this.ancestry(otherId).some((a) => a.id === agencyId);
  }

  /** The agencies that are parties of a section (its two sides; one when not a boundary). */
  partiesOf(section: Section): string[] {
    return section.boundary ? [section.downstreamAgencyId, section.upstreamAgencyId] : [section.downstreamAgencyId];
  }

  /** Whether an agency may see a section: it is a party, or a superior of a party. */
  canSeeSection(agencyId: string, sectionId: string): boolean {
    const section = this.sections.get(sectionId);
    if (!section) return false;
    return this.partiesOf(section).some((party) => this.isSelfOrSuperior(agencyId, party));
  }
}

/**
 * Lowest common superior: the deepest agency that is an ancestor-or-self of
 * every party. For one party that is the party itself; for two counties of
 * one city, the city; for a county and its own city, the city.
 */
export function lowestCommonSuperior(registry: Registry, agencyIds: readonly string[]): Agency | undefined {
  const unique = [...new Set(agencyIds)];
  const first = unique[0];
  if (first === undefined) return undefined;
  const chains = unique.map((id) => registry.ancestry(id));
  if (chains.some((c) => c.length === 0)) return undefined;
  const [head, ...rest] = chains as [Agency[], ...Agency[][]];
  const restSets = rest.map((c) => new Set(c.map((a) => a.id)));
  return head.find((candidate) => restSets.every((set) => set.has(candidate.id)));
}
