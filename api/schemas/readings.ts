/** Schemas of the readings routes (api/routes/readings.ts): current class, latest readings, history, class history. */
import { Type } from 'typebox';
import { AGGREGATES } from '../queries/influxql.js';
import { errorResponses } from '../errors.js';
import { Name } from './common.js';
import { ClassLimitSchema } from './registry.js';

const Nullable = (schema: ReturnType<typeof Type.Number>) => Type.Union([schema, Type.Null()]);

export const CurrentClassSchema = Type.Object({
  class: Type.Integer({ minimum: 1, maximum: 6, description: '1–5 = I–V, 6 = worse than V (劣V)' }),
  label: Name,
  deciding: Type.Array(Type.String(), { description: 'parameters that decided the class' }),
  at: Type.Number({ description: 'time of the class point or reading, epoch ms' }),
  source: Type.Enum(['analytics', 'latest-readings']),
  meetsTarget: Type.Boolean(),
});

export const ParameterReadingSchema = Type.Object({
  value: Type.Number(),
  flag: Type.String({ description: 'HJ 212 data flag; N = normal' }),
  class: Type.Optional(Type.Integer({ minimum: 1, maximum: 6 })),
  limit: Type.Optional(ClassLimitSchema),
  exceedsTarget: Type.Boolean(),
});

export const StationLatestSchema = Type.Object({
  stationId: Type.String(),
  sectionId: Type.String(),
  ts: Type.Number({ description: 'measurement time, epoch ms' }),
  class: Type.Optional(Type.Integer({ minimum: 1, maximum: 6 })),
  deciding: Type.Array(Type.String()),
  parameters: Type.Record(Type.String(), ParameterReadingSchema),
});

export const SectionStatusSchema = Type.Object({
  sectionId: Type.String(),
  targetClass: Type.Integer({ minimum: 1, maximum: 5 }),
  current: Type.Optional(CurrentClassSchema),
  stations: Type.Array(Type.Object({ stationId: Type.String(), latest: Type.Optional(StationLatestSchema) })),
});

export const HistoryQuery = Type.Object({
  from: Type.Optional(Type.String({ description: 'ISO 8601 with offset or epoch ms; default: `to` minus 24 h' })),
  to: Type.Optional(Type.String({ description: 'ISO 8601 with offset or epoch ms; default: now' })),
  parameters: Type.Optional(Type.String({ description: 'comma-separated parameter keys; default: all of the station' })),
  interval: Type.Optional(Type.String({ description: 'downsample: 15m, 1h, 1d …; omitted = raw points' })),
  aggregate: Type.Optional(Type.Enum([...AGGREGATES], { description: 'with interval; default mean' })),
});

export const HistorySchema = Type.Object({
  stationId: Type.String(),
  sectionId: Type.String(),
  from: Type.Number(),
  to: Type.Number(),
  interval: Type.Optional(Type.String()),
  aggregate: Type.Optional(Type.String()),
  parameters: Type.Array(Type.String()),
  times: Type.Array(Type.Number(), { description: 'epoch ms; bucket start when downsampled' }),
  values: Type.Record(Type.String(), Type.Array(Nullable(Type.Number())), { description: 'per parameter, aligned with times' }),
  flags: Type.Record(Type.String(), Type.Array(Type.Union([Type.String(), Type.Null()])), {
    description: 'raw: non-N flag per point, for parameters that have any',
  }),
  flagged: Type.Record(Type.String(), Type.Array(Type.Integer()), {
    description: 'downsampled: flagged values per bucket (they are in the aggregate), for parameters that have any',
  }),
  targetLimits: Type.Record(Type.String(), ClassLimitSchema),
});

export const ClassHistorySchema = Type.Object({
  sectionId: Type.String(),
  targetClass: Type.Integer(),
  from: Type.Number(),
  to: Type.Number(),
  times: Type.Array(Type.Number()),
  classes: Type.Array(Type.Integer({ minimum: 1, maximum: 6 })),
  deciding: Type.Array(Type.Array(Type.String())),
  attainment: Type.Object({
    evaluated: Type.Integer(),
    periodHours: Type.Integer(),
    coverage: Type.Number(),
    byClass: Type.Record(Type.String(), Type.Integer()),
    meetingTarget: Type.Integer(),
    attainmentRate: Type.Optional(Type.Number()),
  }),
});

/** `GET /api/v1/latest`: every visible section's current class and latest readings. */
export const LatestRoute = {
  summary: 'Current class and latest readings of every visible section, upstream to downstream',
  querystring: Type.Object({ river: Type.Optional(Type.String({ maxLength: 128 })) }),
  response: { 200: Type.Object({ at: Type.Number(), sections: Type.Array(SectionStatusSchema) }), ...errorResponses(400, 403, 404) },
};
