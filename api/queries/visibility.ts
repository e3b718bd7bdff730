/**
 * What an agency may see of the registry (DESIGN.md "Guarantees": the
 * sections where it is a party, and its subordinates'), in river order
 * (upstream to downstream). Pure, over the registry's own
 * `canSeeSection` rule so the API and the alerts side agree.
 */
import { AppError, type Registry, type River, type Section, type Station } from '../../domain/index.js';

/** Sections the agency may see, river by river from upstream to downstream. */
export function visibleSections(registry: Registry, agencyId: string, riverId?: string): Section[] {
  const out: Section[] = [];
  for (const river of registry.rivers.values()) {
    if (riverId !== undefined && river.id !== riverId) continue;
    for (const sectionId of river.sectionIds) {
      const section = registry.section(sectionId);
      if (section && registry.canSeeSection(agencyId, section.id)) out.push(section);
    }
  }
  return out;
}

/** Rivers with at least one visible section, each with only its visible section ids (in order). */
export function visibleRivers(registry: Registry, agencyId: string): { river: River; sectionIds: string[] }[] {
  const out: { river: River; sectionIds: string[] }[] = [];
  for (const river of registry.rivers.values()) {
    const sectionIds = river.sectionIds.filter((id) => registry.canSeeSection(agencyId, id));
    if (sectionIds.length > 0) out.push({ river, sectionIds });
  }
  return out;
}

/** Stations on visible sections, in river order. */
export function visibleStations(
  registry: Registry,
  agencyId: string,
  filter: { riverId?: string; sectionId?: string } = {},
): Station[] {
  return visibleSections(registry, agencyId, filter.riverId)
    .filter((s) => filter.sectionId === undefined || s.id === filter.sectionId)
    .flatMap((s) => registry.stationsOf(s.id));
}

/** The section if the agency may see it; `RW_NOT_FOUND` (404) or `RW_FORBIDDEN` (403) otherwise. */
export function sectionVisibleTo(registry: Registry, agencyId: string, sectionId: string): Section {
  const section = registry.section(sectionId);
  if (!section) throw new AppError('RW_NOT_FOUND', `no section ${sectionId}`);
  if (!registry.canSeeSection(agencyId, sectionId))
    throw new AppError('RW_FORBIDDEN', `section ${sectionId} is outside the jurisdiction of ${agencyId}`);
  return section;
}

/** The station and its section if the agency may see them; `RW_NOT_FOUND` or `RW_FORBIDDEN` otherwise. */
export function stationVisibleTo(
  registry: Registry,
  agencyId: string,
  stationId: string,
): { station: Station; section: Section } {
  const station = registry.station(stationId);
  if (!station) throw new AppError('RW_NOT_FOUND', `no station ${stationId}`);
  const section = registry.section(station.sectionId);
  if (!section) throw new AppError('RW_NOT_FOUND', `station ${stationId} is on no known section`);
  if (!registry.canSeeSection(agencyId, section.id))
    throw new AppError('RW_FORBIDDEN', `station ${stationId} is outside the jurisdiction of ${agencyId}`);
  return { station, section };
}
