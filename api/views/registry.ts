/** The registry as the API answers it: an agency reference, a section with its parties, a station with its target limits. */
import type { Static } from 'typebox';
import { limitFor, type Agency, type Registry, type Section, type Station } from '../../domain/index.js';
import type { AgencyRefSchema, ClassLimitSchema, SectionSchema, StationSchema } from '../schemas/registry.js';

export function agencyRef(agency: Agency | undefined, fallbackId: string): Static<typeof AgencyRefSchema> {
  return agency
    ? { id: agency.id, level: agency.level, name: agency.name }
    : { id: fallbackId, level: 'county', name: { zh: fallbackId, en: fallbackId } };
}

export function sectionView(registry: Registry, section: Section): Static<typeof SectionSchema> {
  const lead = registry.leadAgency(registry.partiesOf(section));
  return {
    id: section.id,
    name: section.name,
    riverId: section.riverId,
    positionKm: section.positionKm,
    lat: section.lat,
    lon: section.lon,
    targetClass: section.targetClass,
    waterBody: section.waterBody,
    boundary: section.boundary,
    drinkingWater: section.drinkingWater,
    upstreamAgency: agencyRef(registry.agencies.get(section.upstreamAgencyId), section.upstreamAgencyId),
    downstreamAgency: agencyRef(registry.agencies.get(section.downstreamAgencyId), section.downstreamAgencyId),
    ...(lead ? { leadAgency: agencyRef(lead, lead.id) } : {}),
    ...(section.downstream ? { downstream: { ...section.downstream } } : {}),
    stationIds: registry.stationsOf(section.id).map((s) => s.id),
  };
}

export function stationView(registry: Registry, station: Station): Static<typeof StationSchema> {
  const section = registry.section(station.sectionId);
  const targetLimits: Record<string, Static<typeof ClassLimitSchema>> = {};
  if (section) {
    for (const p of station.parameters) {
      const limit = limitFor(p, section.targetClass, section.waterBody);
      if (limit) targetLimits[p] = { ...limit };
    }
  }
  return {
    id: station.id,
    sectionId: station.sectionId,
    riverId: section?.riverId ?? '',
    name: station.name,
    parameters: [...station.parameters],
    samplingIntervalS: station.samplingIntervalS,
    targetLimits,
  };
}
