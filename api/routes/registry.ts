/**
 * Registry read routes (issue 8 §2): the calling agency, parameters, rivers,
 * sections from upstream to downstream with target class, boundary flag and
 * the agencies on both sides, and stations — only what the agency's key may
 * see (DESIGN.md "Guarantees"). A known id outside the jurisdiction answers
 * 403, an unknown one 404.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import {
  AppError,
  limitFor,
  type Agency,
  type ParameterTable,
  type Registry,
  type Section,
  type Station,
} from '../../domain/index.js';
import { agencyOf, requireAgencyKey, type AgencyKeyStore } from '../auth/index.js';
import { sectionVisibleTo, stationVisibleTo, visibleRivers, visibleSections, visibleStations } from '../queries/visibility.js';
import { topLevelOperators, type OperatorPolicy } from './operators.js';

export interface RegistryRoutesOptions {
  readonly registry: Registry;
  readonly parameters: ParameterTable;
  readonly keys: AgencyKeyStore;
  /** @defaultValue {@link topLevelOperators} */
  readonly isOperator?: OperatorPolicy;
}

const Name = Type.Object({ zh: Type.String(), en: Type.String() });
export const AgencyRefSchema = Type.Object({
  id: Type.String(),
  level: Type.Enum(['national', 'basin', 'province', 'city', 'county']),
  name: Name,
});
export const ClassLimitSchema = Type.Object({
  kind: Type.Enum(['upper', 'lower', 'range']),
  value: Type.Optional(Type.Number()),
  min: Type.Optional(Type.Number()),
  max: Type.Optional(Type.Number()),
});

export const SectionSchema = Type.Object({
  id: Type.String(),
  name: Name,
  riverId: Type.String(),
  positionKm: Type.Number({ description: 'distance from the source' }),
  lat: Type.Number(),
  lon: Type.Number(),
  targetClass: Type.Integer({ minimum: 1, maximum: 5, description: 'GB 3838 target class, 1–5 = I–V' }),
  waterBody: Type.Enum(['river', 'lake']),
  boundary: Type.Boolean({ description: 'the two sides belong to different jurisdictions' }),
  drinkingWater: Type.Boolean(),
  upstreamAgency: AgencyRefSchema,
  downstreamAgency: AgencyRefSchema,
  leadAgency: Type.Optional(AgencyRefSchema),
  downstream: Type.Optional(Type.Object({ sectionId: Type.String(), distanceKm: Type.Number(), velocityMps: Type.Number() })),
  stationIds: Type.Array(Type.String()),
});

export const StationSchema = Type.Object({
  id: Type.String(),
  sectionId: Type.String(),
  riverId: Type.String(),
  name: Name,
  parameters: Type.Array(Type.String()),
  samplingIntervalS: Type.Integer(),
  targetLimits: Type.Record(Type.String(), ClassLimitSchema, {
    description: "limits of the section's target class, per parameter that has one",
  }),
});

export const RiverSchema = Type.Object({
  id: Type.String(),
  name: Name,
  sectionIds: Type.Array(Type.String(), { description: 'visible sections, upstream to downstream' }),
});

const ParameterSchema = Type.Object({
  key: Type.String(),
  nameZh: Type.String(),
  nameEn: Type.String(),
  unit: Type.String(),
  hj212Code: Type.String(),
  limitKind: Type.Enum(['upper', 'lower', 'range', 'none']),
});

export const PageQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
});

function page<T extends Parameters<typeof Type.Array>[0]>(item: T) {
  return Type.Object({ items: Type.Array(item), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() });
}

const Errors = {
  400: Type.Ref('ErrorBody'),
  401: Type.Ref('ErrorBody'),
  403: Type.Ref('ErrorBody'),
  404: Type.Ref('ErrorBody'),
};

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

export function registryRoutes(options: RegistryRoutesOptions): FastifyPluginAsync {
  const { registry } = options;
  const isOperator = options.isOperator ?? topLevelOperators;
  return async (plain) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    requireAgencyKey(app, { keys: options.keys, registry });
    const tags = ['registry'];
    const security = [{ bearer: [] }];

    app.get(
      '/api/v1/me',
      {
        schema: {
          tags,
          security,
          summary: 'The agency of the presented key and what it may do',
          response: {
            200: Type.Object({
              agency: Type.Object({ ...AgencyRefSchema.properties, parentId: Type.Optional(Type.String()) }),
              operator: Type.Boolean({ description: 'may read and replay dead letters' }),
              riverIds: Type.Array(Type.String()),
              sectionIds: Type.Array(Type.String()),
            }),
            ...Errors,
          },
        },
      },
      async (request) => {
        const context = agencyOf(request);
        const { agency } = context;
        return {
          agency: { ...agencyRef(agency, agency.id), ...(agency.parentId ? { parentId: agency.parentId } : {}) },
          operator: isOperator(context),
          riverIds: visibleRivers(registry, agency.id).map((r) => r.river.id),
          sectionIds: visibleSections(registry, agency.id).map((s) => s.id),
        };
      },
    );

    app.get(
      '/api/v1/parameters',
      {
        schema: {
          tags,
          security,
          summary: 'Water-quality parameters: names, units, HJ 212 codes',
          response: { 200: Type.Object({ items: Type.Array(ParameterSchema) }), ...Errors },
        },
      },
      async () => ({
        items: options.parameters.all().map((p) => ({
          key: p.key,
          nameZh: p.nameZh,
          nameEn: p.nameEn,
          unit: p.unit,
          hj212Code: p.hj212Code,
          limitKind: p.limitKind,
        })),
      }),
    );

    app.get(
      '/api/v1/rivers',
      {
        schema: {
          tags,
          security,
          summary: 'Rivers with at least one visible section, each with its visible sections upstream to downstream',
          querystring: PageQuery,
          response: { 200: page(RiverSchema), ...Errors },
        },
      },
      async (request) => {
        const { limit, offset } = request.query;
        const all = visibleRivers(registry, agencyOf(request).agency.id).map(({ river, sectionIds }) => ({
          id: river.id,
          name: river.name,
          sectionIds,
        }));
        return { items: all.slice(offset, offset + limit), total: all.length, limit, offset };
      },
    );

    app.get(
      '/api/v1/rivers/:riverId',
      {
        schema: {
          tags,
          security,
          summary: 'One river with its visible sections (full), upstream to downstream',
          params: Type.Object({ riverId: Type.String({ minLength: 1, maxLength: 128 }) }),
          response: { 200: Type.Object({ ...RiverSchema.properties, sections: Type.Array(SectionSchema) }), ...Errors },
        },
      },
      async (request) => {
        const agencyId = agencyOf(request).agency.id;
        const river = registry.rivers.get(request.params.riverId);
        if (!river) throw new AppError('RW_NOT_FOUND', `no river ${request.params.riverId}`);
        const sections = visibleSections(registry, agencyId, river.id);
        if (sections.length === 0)
          throw new AppError('RW_FORBIDDEN', `no section of river ${river.id} is in the jurisdiction of ${agencyId}`);
        return {
          id: river.id,
          name: river.name,
          sectionIds: sections.map((s) => s.id),
          sections: sections.map((s) => sectionView(registry, s)),
        };
      },
    );

    app.get(
      '/api/v1/sections',
      {
        schema: {
          tags,
          security,
          summary: 'Visible sections, river by river from upstream to downstream',
          querystring: Type.Object({ ...PageQuery.properties, river: Type.Optional(Type.String({ maxLength: 128 })) }),
          response: { 200: page(SectionSchema), ...Errors },
        },
      },
      async (request) => {
        const { limit, offset, river } = request.query;
        const all = visibleSections(registry, agencyOf(request).agency.id, river);
        return {
          items: all.slice(offset, offset + limit).map((s) => sectionView(registry, s)),
          total: all.length,
          limit,
          offset,
        };
      },
    );

    app.get(
      '/api/v1/sections/:sectionId',
      {
        schema: {
          tags,
          security,
          summary: 'One section',
          params: Type.Object({ sectionId: Type.String({ minLength: 1, maxLength: 128 }) }),
          response: { 200: SectionSchema, ...Errors },
        },
      },
      async (request) => sectionView(registry, sectionVisibleTo(registry, agencyOf(request).agency.id, request.params.sectionId)),
    );

    app.get(
      '/api/v1/stations',
      {
        schema: {
          tags,
          security,
          summary: 'Stations on visible sections, in river order',
          querystring: Type.Object({
            ...PageQuery.properties,
            river: Type.Optional(Type.String({ maxLength: 128 })),
            section: Type.Optional(Type.String({ maxLength: 128 })),
          }),
          response: { 200: page(StationSchema), ...Errors },
        },
      },
      async (request) => {
        const { limit, offset, river, section } = request.query;
        const all = visibleStations(registry, agencyOf(request).agency.id, {
          ...(river === undefined ? {} : { riverId: river }),
          ...(section === undefined ? {} : { sectionId: section }),
        });
        return {
          items: all.slice(offset, offset + limit).map((s) => stationView(registry, s)),
          total: all.length,
          limit,
          offset,
        };
      },
    );

    app.get(
      '/api/v1/stations/:stationId',
      {
        schema: {
          tags,
          security,
          summary: "One station, with its section's target limits",
          params: Type.Object({ stationId: Type.String({ minLength: 1, maxLength: 128 }) }),
          response: { 200: StationSchema, ...Errors },
        },
      },
      async (request) =>
        stationView(registry, stationVisibleTo(registry, agencyOf(request).agency.id, request.params.stationId).station),
    );
  };
}
