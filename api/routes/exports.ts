/**
 * Exports (issue 8 §4): CSV of a station's readings over a period, streamed
 * a day at a time so a year of minute data never sits in memory; and the
 * section report for the joint meeting (class attainment, exceedances,
 * alerts, tasks) as printable HTML, or as JSON. Scoped like every read route.
 */
import { Readable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { systemClock, type Clock, type ParameterTable, type Registry } from '../../domain/index.js';
import { agencyOf, type AgencyKeyStore } from '../auth/index.js';
import { errorResponses } from '../errors.js';
import { ReadingsQueries, type InfluxReader } from '../queries/readings-queries.js';
import type { RangeLimits, TimeRange } from '../queries/time-range.js';
import { sectionVisibleTo, stationVisibleTo } from '../queries/visibility.js';
import { csvHeader, csvRows } from '../reports/csv.js';
import { renderSectionReport } from '../reports/section-report-html.js';
import { buildSectionReport, type AlertsReader } from '../reports/section-report.js';
import { agencyRoutes } from './agency-routes.js';
import { parametersAsked, rangeWithin } from './filters.js';

export interface ExportRoutesOptions {
  readonly registry: Registry;
  readonly parameters: ParameterTable;
  readonly keys: AgencyKeyStore;
  readonly influx: InfluxReader;
  /** The alerts side (AlertsService) for the report's alerts and tasks; without it those parts say so. */
  readonly alerts?: AlertsReader;
  readonly clock?: Clock;
  /** @defaultValue 480 (China Standard Time) */
  readonly tzOffsetMin?: number;
  /** Longest CSV export. @defaultValue 366 days */
  readonly maxExportRangeMs?: number;
  /** Longest report period. @defaultValue 400 days */
  readonly maxReportRangeMs?: number;
}

const DAY_MS = 86_400_000;
/** Rows per InfluxQL query of the export (a day of one reading a second). */
const ROWS_PER_QUERY = 86_400;

const Errors = errorResponses(400, 403, 404);

function compact(ms: number, offsetMin: number): string {
  return new Date(ms + offsetMin * 60_000).toISOString().slice(0, 10).replace(/-/g, '');
}

export function exportRoutes(options: ExportRoutesOptions): FastifyPluginAsync {
  const { registry } = options;
  const clock = options.clock ?? systemClock;
  const tzOffsetMin = options.tzOffsetMin ?? 480;
  const queries = new ReadingsQueries(options.influx);
  const limitsFor = (maxMs: number): RangeLimits => ({
    maxRawRangeMs: maxMs,
    maxRangeMs: maxMs,
    maxPoints: Number.MAX_SAFE_INTEGER,
    minIntervalMs: 60_000,
  });
  const exportLimits = limitsFor(options.maxExportRangeMs ?? 366 * DAY_MS);
  const reportLimits = limitsFor(options.maxReportRangeMs ?? 400 * DAY_MS);

  async function* csvChunks(
    stationId: string,
    sectionId: string,
    parameters: readonly string[],
    range: TimeRange,
  ): AsyncGenerator<string> {
    yield csvHeader(parameters);
    for (let from = range.fromMs; from < range.toMs; from += DAY_MS) {
      const dayEnd = Math.min(from + DAY_MS, range.toMs);
      // A full page may not be the whole day (sub-second data): go on after its last point.
      for (let pageFrom = from; pageFrom < dayEnd;) {
        const series = await queries.raw(stationId, parameters, { fromMs: pageFrom, toMs: dayEnd }, ROWS_PER_QUERY);
        if (series.times.length > 0) yield csvRows(series, parameters, stationId, sectionId, tzOffsetMin);
        if (series.times.length < ROWS_PER_QUERY) break;
        pageFrom = (series.times[series.times.length - 1] as number) + 1;
      }
    }
  }

  return async (plain) => {
    const app = agencyRoutes(plain, { keys: options.keys, registry, tags: ['exports'] });

    app.get(
      '/api/v1/stations/:stationId/readings.csv',
      {
        schema: {
          summary: 'CSV of a station’s readings over a period (streamed)',
          description: `Columns: time (local, ISO 8601 with offset), station, section, then value and flag of each parameter. Range default: the last 24 h; at most ${(options.maxExportRangeMs ?? 366 * DAY_MS) / DAY_MS} days.`,
          params: Type.Object({ stationId: Type.String({ minLength: 1, maxLength: 128 }) }),
          querystring: Type.Object({
            from: Type.Optional(Type.String()),
            to: Type.Optional(Type.String()),
            parameters: Type.Optional(Type.String({ description: 'comma-separated; default all of the station' })),
          }),
          response: {
            200: { description: 'RFC 4180 CSV, UTF-8', content: { 'text/csv': { schema: Type.String() } } },
            ...Errors,
          },
        },
      },
      async (request, reply) => {
        const { station, section } = stationVisibleTo(registry, agencyOf(request).agency.id, request.params.stationId);
        const q = request.query;
        const asked = parametersAsked(station, q.parameters);
        const range = rangeWithin(q, clock.now(), DAY_MS, exportLimits);
        const filename = `${station.id}_${compact(range.fromMs, tzOffsetMin)}-${compact(range.toMs - 1, tzOffsetMin)}.csv`;
        const stream = Readable.from(csvChunks(station.id, section.id, asked, range));
        stream.on('error', (err) => request.log.error({ err, stationId: station.id }, 'CSV export failed mid-stream'));
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`)
          .header('cache-control', 'no-store')
          .send(stream);
      },
    );

    app.get(
      '/api/v1/sections/:sectionId/report',
      {
        schema: {
          summary: 'Section report for the joint meeting: class attainment, exceedances, alerts and tasks over a period',
          description:
            'format=html (default) gives a page that prints on A4; format=json the same data. Period default: the last 30 days.',
          params: Type.Object({ sectionId: Type.String({ minLength: 1, maxLength: 128 }) }),
          querystring: Type.Object({
            from: Type.Optional(Type.String()),
            to: Type.Optional(Type.String()),
            lang: Type.Enum(['zh', 'en'], { default: 'zh' }),
            format: Type.Enum(['html', 'json'], { default: 'html' }),
          }),
          response: {
            200: {
              description: 'The report',
              content: {
                'text/html': { schema: Type.String() },
                'application/json': { schema: Type.Object({}, { additionalProperties: true }) },
              },
            },
            ...Errors,
          },
        },
      },
      async (request, reply) => {
        const section = sectionVisibleTo(registry, agencyOf(request).agency.id, request.params.sectionId);
        const q = request.query;
        const range = rangeWithin(q, clock.now(), 30 * DAY_MS, reportLimits);
        const report = await buildSectionReport({
          registry,
          queries,
          alerts: options.alerts,
          section,
          range: range,
          nowMs: clock.now(),
        });
        reply.header('cache-control', 'no-store');
        if (q.format === 'json') {
          return reply.type('application/json; charset=utf-8').send(
            JSON.stringify({
              ...report,
              alerts: report.alerts?.map(({ history: _h, ...rest }) => rest),
              tasks: report.tasks?.map(({ history: _h, ...rest }) => rest),
            }),
          );
        }
        const html = renderSectionReport(report, {
          lang: q.lang,
          registry,
          parameters: options.parameters,
          origin: `${request.protocol}://${request.host}`,
          tzOffsetMin,
        });
        return reply.type('text/html; charset=utf-8').send(html);
      },
    );
  };
}
