/**
 * Registry read routes (issue 8 §2): the calling agency, parameters, rivers,
 * sections from upstream to downstream with target class, boundary flag and
 * the agencies on both sides, and stations — only what the agency's key may
 * see (DESIGN.md "Guarantees"). A known id outside the jurisdiction answers
 * 403, an unknown one 404.
 */
import type { FastifyPluginAsync } from 'fastify';
import { Type, type TSchema } from 'typebox';
import { AppError, type ParameterTable, type Registry } from '../../domain/index.js';
import { agencyOf, type AgencyKeyStore } from '../auth/index.js';
import { errorResponses } from '../errors.js';
import { sectionVisibleTo, stationVisibleTo, visibleRivers, visibleSections, visibleStations } from '../queries/visibility.js';
import { pageOf } from '../schemas/common.js';
import { MeRoute, PageQuery, ParameterSchema, RiverSchema, SectionSchema, StationSchema } from '../schemas/registry.js';
import { agencyRef, sectionView, stationView } from '../views/registry.js';
import { agencyRoutes } from './agency-routes.js';
import { given, slicePage } from './filters.js';
import { topLevelOperators, type OperatorPolicy } from './operators.js';

export interface RegistryRoutesOptions {
  readonly registry: Registry;
  readonly parameters: ParameterTable;
  readonly keys: AgencyKeyStore;
  /** @defaultValue {@link topLevelOperators} */
  readonly isOperator?: OperatorPolicy;
}

const Errors = errorResponses(400, 403, 404);
const SectionParams = Type.Object({ sectionId: Type.String({ minLength: 1, maxLength: 128 }) });
const StationParams = Type.Object({ stationId: Type.String({ minLength: 1, maxLength: 128 }) });

/** Options of a route answering one record of the registry by its id. */
function oneOf<P extends TSchema, R extends TSchema>(summary: string, params: P, record: R) {
  return { schema: { summary, params, response: { 200: record, ...Errors } } };
}

export function registryRoutes(options: RegistryRoutesOptions): FastifyPluginAsync {
  const { registry } = options;
  const isOperator = options.isOperator ?? topLevelOperators;
  return async (plain) => {
    const app = agencyRoutes(plain, { keys: options.keys, registry, tags: ['registry'] });

    app.get('/api/v1/me', { schema: MeRoute }, async (request) => {
      const context = agencyOf(request);
      const { agency } = context;
      return {
        agency: { ...agencyRef(agency, agency.id), ...(agency.parentId ? { parentId: agency.parentId } : {}) },
        operator: isOperator(context),
        riverIds: visibleRivers(registry, agency.id).map((r) => r.river.id),
        sectionIds: visibleSections(registry, agency.id).map((s) => s.id),
      };
    });

    app.get(
      '/api/v1/parameters',
      {
        schema: {
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
          summary: 'Rivers with at least one visible section, each with its visible sections upstream to downstream',
          querystring: PageQuery,
          response: { 200: pageOf(RiverSchema), ...Errors },
        },
      },
      async (request) =>
        slicePage(visibleRivers(registry, agencyOf(request).agency.id), request.query, ({ river, sectionIds }) => ({
          id: river.id,
          name: river.name,
          sectionIds,
        })),
    );

    app.get(
      '/api/v1/rivers/:riverId',
      {
        schema: {
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
          summary: 'Visible sections, river by river from upstream to downstream',
          querystring: Type.Object({ ...PageQuery.properties, river: Type.Optional(Type.String({ maxLength: 128 })) }),
          response: { 200: pageOf(SectionSchema), ...Errors },
        },
      },
      async (request) =>
        slicePage(visibleSections(registry, agencyOf(request).agency.id, request.query.river), request.query, (s) =>
          sectionView(registry, s),
        ),
    );

    app.get('/api/v1/sections/:sectionId', oneOf('One section', SectionParams, SectionSchema), async (request) =>
      sectionView(registry, sectionVisibleTo(registry, agencyOf(request).agency.id, request.params.sectionId)),
    );

    app.get(
      '/api/v1/stations',
      {
        schema: {
          summary: 'Stations on visible sections, in river order',
          querystring: Type.Object({
            ...PageQuery.properties,
            river: Type.Optional(Type.String({ maxLength: 128 })),
            section: Type.Optional(Type.String({ maxLength: 128 })),
          }),
          response: { 200: pageOf(StationSchema), ...Errors },
        },
      },
      async (request) => {
        const { river, section } = request.query;
        const all = visibleStations(registry, agencyOf(request).agency.id, given({ riverId: river, sectionId: section }));
        return slicePage(all, request.query, (s) => stationView(registry, s));
      },
    );

    app.get('/api/v1/stations/:stationId', oneOf("One station, with its section's target limits", StationParams, StationSchema), async (request) =>
      stationView(registry, stationVisibleTo(registry, agencyOf(request).agency.id, request.params.stationId).station),
    );
  };
}
