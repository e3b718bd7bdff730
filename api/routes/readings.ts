/**
 * Reading routes (issue 8 §2): latest reading and current class per station
 * and section, reading history per station (time range, parameters,
 * downsampling with `interval=1h` → hourly means through InfluxQL
 * GROUP BY time()), and section class history with period attainment. Limits
 * on range and number of points are checked before a query runs and answer
 * 400 with `RW_RANGE_TOO_LARGE` / `RW_TOO_MANY_POINTS`. Scoped like the
 * registry: a station or section outside the key's jurisdiction is 403.
 */
import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from 'typebox';
import { systemClock, type Clock, type Registry, type Section, type WaterClass } from '../../domain/index.js';
import { agencyOf, type AgencyKeyStore } from '../auth/index.js';
import { errorResponses, sendError } from '../errors.js';
import { classAttainment } from '../queries/class-attainment.js';
import { sectionCurrentClass } from '../queries/current-class.js';
import type { Aggregate } from '../queries/influxql.js';
import { ReadingsQueries, type InfluxReader, type StationLatest } from '../queries/readings-queries.js';
import {
  bucketOffsetMs,
  checkLimits,
  DEFAULT_RANGE_LIMITS,
  parseInterval,
  parseRange,
  type RangeLimits,
} from '../queries/time-range.js';
import { sectionVisibleTo, stationVisibleTo, visibleSections } from '../queries/visibility.js';
import { ClassHistorySchema, HistoryQuery, LatestRoute, HistorySchema, SectionStatusSchema, StationLatestSchema } from '../schemas/readings.js';
import { currentClassView, stationLatestView } from '../views/readings.js';
import { stationView } from '../views/registry.js';
import { agencyRoutes } from './agency-routes.js';
import { orRefuse, parametersAsked, rangeWithin } from './filters.js';

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
const Errors = errorResponses(400, 403, 404);
const StationParams = Type.Object({ stationId: Type.String({ minLength: 1, maxLength: 128 }) });
const SectionParams = Type.Object({ sectionId: Type.String({ minLength: 1, maxLength: 128 }) });

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

  return async (plain) => {
    const app = agencyRoutes(plain, { keys: options.keys, registry, tags: ['readings'] });

    app.get('/api/v1/latest', { schema: LatestRoute }, async (request) => ({
      at: clock.now(),
      sections: await statusOf(visibleSections(registry, agencyOf(request).agency.id, request.query.river)),
    }));

    app.get(
      '/api/v1/sections/:sectionId/latest',
      {
        schema: {
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
        const parameters = parametersAsked(station, q.parameters);
        const asked = orRefuse(parseRange(q.from, q.to, clock.now(), DAY_MS));
        const interval = q.interval !== undefined && q.interval !== '' ? orRefuse(parseInterval(q.interval, limits)) : undefined;
        if (!interval && q.aggregate !== undefined)
          return sendError(reply, 400, 'RW_INVALID_PAYLOAD', 'aggregate needs an interval (e.g. interval=1h)');
        const range = orRefuse(checkLimits(asked, interval, limits));
        const aggregate: Aggregate = q.aggregate ?? 'mean';
        const series = interval
          ? await queries.downsampled(
              station.id,
              parameters,
              range,
              { ms: interval.ms, offsetMs: bucketOffsetMs(interval.ms, tzOffsetMin) },
              aggregate,
            )
          : await queries.raw(station.id, parameters, range, limits.maxPoints + 1);
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
          from: range.fromMs,
          to: range.toMs,
          ...(interval ? { interval: interval.text, aggregate } : {}),
          parameters: parameters,
          times: series.times,
          values: series.values,
          flags: series.flags,
          flagged: series.flagged,
          targetLimits: Object.fromEntries(Object.entries(limitsOfTarget).filter(([p]) => parameters.includes(p))),
        };
      },
    );

    app.get(
      '/api/v1/sections/:sectionId/class-history',
      {
        schema: {
          summary: 'Hourly class of a section (from analytics) and attainment of its target over the range',
          description: `Range default: the last 7 days; at most ${limits.maxRangeMs / DAY_MS} days.`,
          params: SectionParams,
          querystring: Type.Object({ from: Type.Optional(Type.String()), to: Type.Optional(Type.String()) }),
          response: { 200: ClassHistorySchema, ...Errors },
        },
      },
      async (request) => {
        const section = sectionVisibleTo(registry, agencyOf(request).agency.id, request.params.sectionId);
        const range = rangeWithin(request.query, clock.now(), 7 * DAY_MS, limits, { text: '1h', ms: 3_600_000 });
        const points = await queries.sectionClassHistory(section.id, range, limits.maxPoints);
        const attainment = classAttainment(points, section.targetClass, range);
        return {
          sectionId: section.id,
          targetClass: section.targetClass,
          from: range.fromMs,
          to: range.toMs,
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
