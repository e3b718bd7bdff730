/** Schemas of the registry routes (api/routes/registry.ts), also used by the readings routes: agencies, rivers, sections, stations, parameters. */
import { Type } from 'typebox';
import { errorResponses } from '../errors.js';
import { Name } from './common.js';

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

export const ParameterSchema = Type.Object({
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

/** `GET /api/v1/me`: the agency of the key, whether it is an operator, what it may see. */
export const MeRoute = {
  summary: 'The agency of the presented key and what it may do',
  response: {
    200: Type.Object({
      agency: Type.Object({ ...AgencyRefSchema.properties, parentId: Type.Optional(Type.String()) }),
      operator: Type.Boolean({ description: 'may read and replay dead letters' }),
      riverIds: Type.Array(Type.String()),
      sectionIds: Type.Array(Type.String()),
    }),
    ...errorResponses(400, 403, 404),
  },
};
