/**
 * Reading routes (issue 8 §2): latest reading and current class per station
 * and section, reading history per station (time range, parameters,
 * downsampling with `interval=1h` → hourly means through InfluxQL
 * GROUP BY time()), and section class history with period attainment. Limits
 * on range and number of points are checked before a query runs and answer
 * 400 with `RW_RANGE_TOO_LARGE` / `RW_TOO_MANY_POINTS`. Scoped like the
 * registry: a station or section outside the key's jurisdiction is 403.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import {
  CLASS_LABELS,
  systemClock,
  type Clock,
  type Registry,
  type Section,
  type Station,
  type WaterClass,
} from '../../domain/index.js';
import { agencyOf, requireAgencyKey, type AgencyKeyStore } from '../auth/index.js';
import { sendError } from '../errors.js';
import { classAttainment } from '../queries/class-attainment.js';
import { sectionCurrentClass, stationClass, type SectionCurrentClass } from '../queries/current-class.js';
import { AGGREGATES, type Aggregate } from '../queries/influxql.js';
import { ReadingsQueries, type InfluxReader, type StationLatest } from '../queries/readings-queries.js';
import {
  bucketOffsetMs,
  checkLimits,
  DEFAULT_RANGE_LIMITS,
  parseInterval,
  parseRange,
  type Parsed,
  type RangeLimits,
} from '../queries/time-range.js';
import { sectionVisibleTo, stationVisibleTo, visibleSections } from '../queries/visibility.js';
import { ClassLimitSchema, stationView } from './registry.js';

export interface ReadingsRoutesOptions {
  readonly registry: Registry;
  readonly keys: AgencyKeyStore;
  readonly influx: InfluxReader;
  readonly clock?: Clock;
  readonly limits?: Partial<RangeLimits>;
  /** Offset of local time from UTC, for daily buckets starting at local midnight. @defaultValue 480 (China Standard Time) */
  readonly tzOffsetMin?: number;
  /** A class or reading older than this is stale (analytics writes hourly). @defaultValue 2 h */
  readonly freshMs?: number;
}

const DAY_MS = 86_400_000;
const Nullable = (schema: ReturnType<typeof Type.Number>) => Type.Union([schema, Type.Null()]);
const Label = Type.Object({ zh: Type.String(), en: Type.String() });

export const CurrentClassSchema = Type.Object({
  class: Type.Integer({ minimum: 1, maximum: 6, description: '1–5 = I–V, 6 = worse than V (劣V)' }),
  label: Label,
  deciding: Type.Array(Type.String(), { description: 'parameters that decided the class' }),
  at: Type.Number({ description: 'time of the class point or reading, epoch ms' }),
  source: Type.Enum(['analytics', 'latest-readings']),
  meetsTarget: Type.Boolean(),
});

const ParameterReadingSchema = Type.Object({
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

const HistoryQuery = Type.Object({
  from: Type.Optional(Type.String({ description: 'ISO 8601 with offset or epoch ms; default: `to` minus 24 h' })),
  to: Type.Optional(Type.String({ description: 'ISO 8601 with offset or epoch ms; default: now' })),
  parameters: Type.Optional(Type.String({ description: 'comma-separated parameter keys; default: all of the station' })),
  interval: Type.Optional(Type.String({ description: 'downsample: 15m, 1h, 1d …; omitted = raw points' })),
  aggregate: Type.Optional(Type.Enum([...AGGREGATES], { description: 'with interval; default mean' })),
});

const HistorySchema = Type.Object({
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

const ClassHistorySchema = Type.Object({
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

const Errors = { 400: Type.Ref('ErrorBody'), 401: Type.Ref('ErrorBody'), 403: Type.Ref('ErrorBody'), 404: Type.Ref('ErrorBody') };
const StationParams = Type.Object({ stationId: Type.String({ minLength: 1, maxLength: 128 }) });
const SectionParams = Type.Object({ sectionId: Type.String({ minLength: 1, maxLength: 128 }) });

export function currentClassView(current: SectionCurrentClass): Static<typeof CurrentClassSchema> {
  return {
    class: current.cls,
    label: CLASS_LABELS[current.cls],
    deciding: [...current.deciding],
    at: current.at,
    source: current.source,
    meetsTarget: current.meetsTarget,
  };
}

export function stationLatestView(latest: StationLatest, section: Section): Static<typeof StationLatestSchema> {
  const evaluated = stationClass(latest, section);
  const parameters: Static<typeof StationLatestSchema>['parameters'] = {};
  for (const [key, p] of Object.entries(evaluated.parameters)) {
    parameters[key] = {
      value: p.value,
      flag: p.flag,
      ...(p.cls === undefined ? {} : { class: p.cls }),
      ...(p.limit ? { limit: { ...p.limit } } : {}),
      exceedsTarget: p.exceedsTarget,
    };
  }
  return {
    stationId: latest.stationId,
    sectionId: section.id,
    ts: latest.ts,
    ...(evaluated.cls === undefined ? {} : { class: evaluated.cls }),
    deciding: [...evaluated.deciding],
    parameters,
  };
}

/** Answers a refused range or interval with 400 and its code. */
function refuse(reply: FastifyReply, failure: Exclude<Parsed<unknown>, { ok: true }>): FastifyReply {
  return sendError(reply, 400, failure.code, failure.message);
}

export function readingsRoutes(options: ReadingsRoutesOptions): FastifyPluginAsync {
  const { registry } = options;
  const clock = options.clock ?? systemClock;
  const limits: RangeLimits = { ...DEFAULT_RANGE_LIMITS, ...options.limits };
  const tzOffsetMin = options.tzOffsetMin ?? 480;
  const freshMs = options.freshMs ?? 2 * 3_600_000;
  const queries = new ReadingsQueries(options.influx);
  const parametersOf = (stationId: string): readonly string[] => registry.station(stationId)?.parameters ?? [];

  /** Status of sections: current class and each station's latest reading, in two InfluxQL queries. */
  async function statusOf(sections: readonly Section[]): Promise<Static<typeof SectionStatusSchema>[]> {
    const stations = sections.flatMap((s) => registry.stationsOf(s.id));
    const [latest, classes] = await Promise.all([
      queries.latest(
        stations.map((s) => s.id),
        parametersOf,
      ),
      queries.latestSectionClass(sections.map((s) => s.id)),
    ]);
    const now = clock.now();
    return sections.map((section) => {
      const own = registry.stationsOf(section.id);
      const readings = own.map((s) => latest.get(s.id)).filter((l): l is StationLatest => l !== undefined);
      const current = sectionCurrentClass(section, classes.get(section.id), readings, now, freshMs);
      return {
        sectionId: section.id,
        targetClass: section.targetClass,
        ...(current ? { current: currentClassView(current) } : {}),
        stations: own.map((s) => {
          const l = latest.get(s.id);
          return { stationId: s.id, ...(l ? { latest: stationLatestView(l, section) } : {}) };
        }),
      };
    });
  }

  function parametersFor(
    station: Station,
    text: string | undefined,
  ): { ok: true; value: string[] } | { ok: false; message: string } {
    if (text === undefined || text.trim() === '') return { ok: true, value: [...station.parameters] };
    const asked = [
      ...new Set(
        text
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean),
      ),
    ];
    const unknown = asked.filter((p) => !station.parameters.includes(p));
    if (unknown.length > 0)
      return {
        ok: false,
        message: `parameters: ${unknown.join(', ')} not measured at ${station.id}; it measures ${station.parameters.join(', ')}`,
      };
    return { ok: true, value: asked };
  }

  return async (plain) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    requireAgencyKey(app, { keys: options.keys, registry });
    const tags = ['readings'];
    const security = [{ bearer: [] }];

    app.get(
      '/api/v1/latest',
      {
        schema: {
          tags,
          security,
          summary: 'Current class and latest readings of every visible section, upstream to downstream',
          querystring: Type.Object({ river: Type.Optional(Type.String({ maxLength: 128 })) }),
          response: { 200: Type.Object({ at: Type.Number(), sections: Type.Array(SectionStatusSchema) }), ...Errors },
        },
      },
      async (request) => ({
        at: clock.now(),
        sections: await statusOf(visibleSections(registry, agencyOf(request).agency.id, request.query.river)),
      }),
    );

    app.get(
      '/api/v1/sections/:sectionId/latest',
      {
        schema: {
          tags,
          security,
          summary: 'Current class and latest readings of one section',
          params: SectionParams,
          response: { 200: SectionStatusSchema, ...Errors },
        },
      },
      async (request) => {
        const section = sectionVisibleTo(registry, agencyOf(request).agency.id, request.params.sectionId);
        return (await statusOf([section]))[0] as Static<typeof SectionStatusSchema>;
      },
    );

    app.get(
      '/api/v1/stations/:stationId/latest',
      {
        schema: {
          tags,
          security,
          summary: 'Latest reading of a station with the class of each value and of the whole',
          description: 'Answers 404 RW_NOT_FOUND when the station has sent nothing yet.',
          params: StationParams,
          response: { 200: StationLatestSchema, ...Errors },
        },
      },
      async (request, reply) => {
        const { station, section } = stationVisibleTo(registry, agencyOf(request).agency.id, request.params.stationId);
        const latest = (await queries.latest([station.id], parametersOf)).get(station.id);
        if (!latest) return sendError(reply, 404, 'RW_NOT_FOUND', `station ${station.id} has no readings yet`);
        return stationLatestView(latest, section);
      },
    );

    app.get(
      '/api/v1/stations/:stationId/readings',
      {
        schema: {
          tags,
          security,
          summary: 'Reading history of a station, raw or downsampled',
          description: `Raw points for at most ${limits.maxRawRangeMs / DAY_MS} days; with interval (e.g. 1h = hourly means) up to ${limits.maxRangeMs / DAY_MS} days. At most ${limits.maxPoints} points per answer. Too long a range: 400 RW_RANGE_TOO_LARGE; too many points: 400 RW_TOO_MANY_POINTS. Daily buckets start at local midnight.`,
          params: StationParams,
          querystring: HistoryQuery,
          response: { 200: HistorySchema, ...Errors },
        },
      },
      async (request, reply) => {
        const { station, section } = stationVisibleTo(registry, agencyOf(request).agency.id, request.params.stationId);
        const q = request.query;
        const parameters = parametersFor(station, q.parameters);
        if (!parameters.ok) return sendError(reply, 400, 'RW_INVALID_PAYLOAD', parameters.message);
        const range = parseRange(q.from, q.to, clock.now(), DAY_MS);
        if (!range.ok) return refuse(reply, range);
        let interval;
        if (q.interval !== undefined && q.interval !== '') {
          const parsed = parseInterval(q.interval, limits);
          if (!parsed.ok) return refuse(reply, parsed);
          interval = parsed.value;
        } else if (q.aggregate !== undefined) {
          return sendError(reply, 400, 'RW_INVALID_PAYLOAD', 'aggregate needs an interval (e.g. interval=1h)');
        }
        const checked = checkLimits(range.value, interval, limits);
        if (!checked.ok) return refuse(reply, checked);
        const aggregate: Aggregate = q.aggregate ?? 'mean';
        const series = interval
          ? await queries.downsampled(
              station.id,
              parameters.value,
              range.value,
              { ms: interval.ms, offsetMs: bucketOffsetMs(interval.ms, tzOffsetMin) },
              aggregate,
            )
          : await queries.raw(station.id, parameters.value, range.value, limits.maxPoints + 1);
        if (series.times.length > limits.maxPoints) {
          return sendError(
            reply,
            400,
            'RW_TOO_MANY_POINTS',
            `more than ${limits.maxPoints} raw points in this range; use interval (e.g. interval=1h for hourly means) or a shorter range`,
          );
        }
        const limitsOfTarget = stationView(registry, station).targetLimits;
        return {
          stationId: station.id,
          sectionId: section.id,
          from: range.value.fromMs,
          to: range.value.toMs,
          ...(interval ? { interval: interval.text, aggregate } : {}),
          parameters: parameters.value,
          times: series.times,
          values: series.values,
          flags: series.flags,
          flagged: series.flagged,
          targetLimits: Object.fromEntries(Object.entries(limitsOfTarget).filter(([p]) => parameters.value.includes(p))),
        };
      },
    );

    app.get(
      '/api/v1/sections/:sectionId/class-history',
      {
        schema: {
          tags,
          security,
          summary: 'Hourly class of a section (from analytics) and attainment of its target over the range',
          description: `Range default: the last 7 days; at most ${limits.maxRangeMs / DAY_MS} days.`,
          params: SectionParams,
          querystring: Type.Object({ from: Type.Optional(Type.String()), to: Type.Optional(Type.String()) }),
          response: { 200: ClassHistorySchema, ...Errors },
        },
      },
      async (request, reply) => {
        const section = sectionVisibleTo(registry, agencyOf(request).agency.id, request.params.sectionId);
        const range = parseRange(request.query.from, request.query.to, clock.now(), 7 * DAY_MS);
        if (!range.ok) return refuse(reply, range);
        const checked = checkLimits(range.value, { text: '1h', ms: 3_600_000 }, limits);
        if (!checked.ok) return refuse(reply, checked);
        const points = await queries.sectionClassHistory(section.id, range.value, limits.maxPoints);
        const attainment = classAttainment(points, section.targetClass, range.value);
        return {
          sectionId: section.id,
          targetClass: section.targetClass,
          from: range.value.fromMs,
          to: range.value.toMs,
          times: points.map((p) => p.ts),
          classes: points.map((p) => p.cls as WaterClass),
          deciding: points.map((p) => [...p.deciding]),
          attainment: {
            evaluated: attainment.evaluated,
            periodHours: attainment.periodHours,
            coverage: attainment.coverage,
            byClass: { ...attainment.byClass },
            meetingTarget: attainment.meetingTarget,
            ...(attainment.attainmentRate === undefined ? {} : { attainmentRate: attainment.attainmentRate }),
          },
        };
      },
    );
  };
}
