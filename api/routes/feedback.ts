/**
 * Feedback routes (issue 15 §5): label an alert as a real event, a false
 * alarm (with its cause) or a test; read the label; export the labelled
 * alerts (JSON or CSV) so a deployment builds its own labelled history; and
 * a section's alert history with the labels (what the desk shows). Scoped
 * like the alert routes.
 */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../domain/index.js';
import { agencyOf, canSeeAlert } from '../auth/index.js';
import { errorResponses } from '../errors.js';
import { feedbackCsv, labelled } from '../reports/feedback-csv.js';
import { idParams, wire } from '../schemas/common.js';
import { AlertHistoryQuery, FeedbackBody, FeedbackExportQuery, FeedbackSchema, LabelledAlertSchema } from '../schemas/feedback.js';
import { actOn, alertSubject } from './acting-on.js';
import { agencyRoutes } from './agency-routes.js';
import type { AlertsRoutesOptions } from './alerts.js';
import { parseTime } from './filters.js';

/** The alerts service, the registry and the agency keys, as for the alert routes. */
export type FeedbackRoutesOptions = AlertsRoutesOptions;

const DAY_MS = 86_400_000;
const IdParams = idParams(128);
const errors = errorResponses(400, 403, 404);

export const feedbackRoutes: FastifyPluginAsync<FeedbackRoutesOptions> = async (plain, options) => {
  const { service, registry } = options;
  const app = agencyRoutes(plain, { keys: options.keys, registry, tags: ['feedback'] });
  const alert = alertSubject(service, registry);

  app.post(
    '/api/v1/alerts/:id/feedback',
    {
      schema: {
        summary: 'Label an alert: real event, false alarm (with cause) or test; the latest label counts',
        params: IdParams,
        body: FeedbackBody,
        response: { 200: FeedbackSchema, ...errors },
      },
    },
    async (request) =>
      actOn(request, alert, (a, caller) => {
        const b = request.body;
        const input = { label: b.label, ...(b.cause ? { cause: b.cause } : {}), ...(b.note ? { note: b.note } : {}) };
        return service.feedback.record(a, input, caller.actor(b.name));
      }),
  );

  app.get(
    '/api/v1/alerts/:id/feedback',
    {
      schema: {
        summary: 'The labels given to an alert, latest first in `current`',
        params: IdParams,
        response: { 200: FeedbackSchema, ...errors },
      },
    },
    async (request) =>
      actOn(request, alert, async (a) => {
        const feedback = await service.feedback.get(a.id);
        if (!feedback) throw new AppError('RW_NOT_FOUND', `alert ${a.id} has no feedback yet; label it with POST …/feedback`);
        return feedback;
      }),
  );

  app.get(
    '/api/v1/feedback',
    {
      schema: {
        summary: 'Export the labelled alerts (labelled in the period) as JSON or CSV',
        querystring: FeedbackExportQuery,
        response: {
          200: {
            description: 'JSON `{ items }`, or RFC 4180 CSV (UTF-8, times in +08:00) with format=csv',
            content: {
              'application/json': { schema: Type.Object({ items: Type.Array(LabelledAlertSchema) }) },
              'text/csv': { schema: Type.String() },
            },
          },
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { agency } = agencyOf(request);
      const q = request.query;
      const to = parseTime('to', q.to) ?? Date.now();
      const from = parseTime('from', q.from) ?? to - 90 * DAY_MS;
      const ids = await service.feedback.exportIds(from, to, q.unlabelled === true);
      const labels = await service.feedback.currentOf(ids);
      const alerts = (await service.alerts.getMany(ids)).filter(
        (a) => canSeeAlert(registry, agency.id, a) && (q.section === undefined || a.sectionId === q.section),
      );
      const items = alerts.map((a) => labelled(a, labels.get(a.id)));
      if (q.format !== 'csv') return { items: wire(items) };
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="alert-feedback.csv"`)
        .send(feedbackCsv(items, registry, q.lang ?? 'zh'));
    },
  );

  app.get(
    '/api/v1/sections/:sectionId/alert-history',
    {
      schema: {
        summary: 'Alerts of a section in a period (default the last 30 days), newest first, with their feedback labels',
        params: Type.Object({ sectionId: Type.String({ minLength: 1, maxLength: 128 }) }),
        querystring: AlertHistoryQuery,
        response: { 200: Type.Object({ items: Type.Array(LabelledAlertSchema), total: Type.Integer() }), ...errors },
      },
    },
    async (request) => {
      const { agency } = agencyOf(request);
      const { sectionId } = request.params;
      if (!registry.section(sectionId)) throw new AppError('RW_NOT_FOUND', `no section ${sectionId}`);
      if (!registry.canSeeSection(agency.id, sectionId))
        throw new AppError('RW_FORBIDDEN', `${agency.id} is not a party of section ${sectionId}`);
      const to = parseTime('to', request.query.to) ?? Date.now();
      const from = parseTime('from', request.query.from) ?? to - 30 * DAY_MS;
      const { items, total } = await service.listAlerts({ sectionId, from, to, limit: request.query.limit ?? 100, offset: 0 });
      const labels = await service.feedback.currentOf(items.map((a) => a.id));
      return { items: wire(items.map((a) => labelled(a, labels.get(a.id)))), total };
    },
  );
};
