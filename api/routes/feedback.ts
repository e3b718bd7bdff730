/**
 * Feedback routes (issue 15 §5): label an alert as a real event, a false
 * alarm (with its cause) or a test; read the label; export the labelled
 * alerts (JSON or CSV) so a deployment builds its own labelled history; and
 * a section's alert history with the labels (what the desk shows). Scoped
 * like the alert routes.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError, type Registry } from '../../domain/index.js';
import {
  FALSE_ALARM_CAUSES,
  FEEDBACK_LABELS,
  type Alert,
  type AlertsService,
  type FeedbackEntry,
} from '../../platform/redis/alerts/index.js';
import { agencyOf, canSeeAlert, requireAgencyKey, type AgencyKeyStore } from '../auth/index.js';
import { isFlapping } from '../../alerts/alarms/flapping.js';
import { csvField, isoWithOffset } from '../reports/csv.js';
import { ActorSchema, actorFrom, parseTime, wire } from './alerts.js';

export interface FeedbackRoutesOptions {
  readonly service: AlertsService;
  readonly registry: Registry;
  readonly keys: AgencyKeyStore;
}

/** China Standard Time, the sections' local time, for exported times. */
const OFFSET_MIN = 480;
const DAY_MS = 86_400_000;
const EpochMs = Type.Number({ description: 'epoch milliseconds' });

const EntrySchema = Type.Object({
  label: Type.Enum(FEEDBACK_LABELS),
  cause: Type.Optional(Type.Enum(FALSE_ALARM_CAUSES)),
  note: Type.Optional(Type.String()),
  at: EpochMs,
  actor: ActorSchema,
});
const FeedbackSchema = Type.Object({ alertId: Type.String(), current: EntrySchema, history: Type.Array(EntrySchema) });

/** One alert of a history or an export, with its latest label. */
const LabelledAlertSchema = Type.Object({
  alertId: Type.String(),
  key: Type.String(),
  kind: Type.String(),
  sectionId: Type.String(),
  stationId: Type.Optional(Type.String()),
  parameters: Type.Array(Type.String()),
  maxLevel: Type.Optional(Type.String()),
  status: Type.String(),
  openedAt: EpochMs,
  resolvedAt: Type.Optional(EpochMs),
  resolveReason: Type.Optional(Type.String()),
  message: Type.String(),
  evidence: Type.Object({}, { additionalProperties: true }),
  arrival: Type.Optional(Type.Object({}, { additionalProperties: true })),
  /** Raised and cleared more than 3 times within the hour before its last change (alerts/flapping.ts). */
  flapping: Type.Boolean(),
  feedback: Type.Optional(EntrySchema),
});

const ErrorSchema = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String(), details: Type.Optional(Type.Array(Type.String())) }),
});
const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema };

const CSV_HEADER = [
  'alert_id',
  'section',
  'section_name',
  'station',
  'kind',
  'max_level',
  'parameters',
  'opened_at',
  'resolved_at',
  'resolve_reason',
  'label',
  'cause',
  'note',
  'labelled_by',
  'labelled_at',
  'key',
];

function labelled(alert: Alert, feedback: FeedbackEntry | undefined) {
  return {
    alertId: alert.id,
    key: alert.key,
    kind: alert.kind,
    sectionId: alert.sectionId,
    ...(alert.stationId !== undefined ? { stationId: alert.stationId } : {}),
    parameters: [...alert.parameters],
    ...(alert.maxLevel !== undefined ? { maxLevel: alert.maxLevel } : {}),
    status: alert.status,
    openedAt: alert.openedAt,
    ...(alert.resolved ? { resolvedAt: alert.resolved.at, resolveReason: alert.resolved.reason } : {}),
    message: alert.message,
    evidence: alert.evidence,
    ...(alert.arrival ? { arrival: alert.arrival } : {}),
    flapping: isFlapping(alert.history, alert.updatedAt),
    ...(feedback ? { feedback } : {}),
  };
}

export const feedbackRoutes: FastifyPluginAsyncTypebox<FeedbackRoutesOptions> = async (app, options) => {
  const { service, registry } = options;
  requireAgencyKey(app, { keys: options.keys, registry });

  async function visibleAlert(agencyId: string, alertId: string): Promise<Alert> {
    const alert = await service.getAlert(alertId);
    if (!alert) throw new AppError('RW_NOT_FOUND', `no alert ${alertId}`);
    if (!canSeeAlert(registry, agencyId, alert))
      throw new AppError('RW_FORBIDDEN', `alert ${alertId} is at a section where ${agencyId} is not a party`);
    return alert;
  }

  app.post(
    '/api/v1/alerts/:id/feedback',
    {
      schema: {
        summary: 'Label an alert: real event, false alarm (with cause) or test; the latest label counts',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) }),
        body: Type.Object({
          label: Type.Enum(FEEDBACK_LABELS),
          cause: Type.Optional(Type.Enum(FALSE_ALARM_CAUSES)),
          note: Type.Optional(Type.String({ maxLength: 2000 })),
          name: Type.Optional(Type.String({ maxLength: 200 })),
        }),
        response: { 200: FeedbackSchema, ...errors },
      },
    },
    async (request) => {
      const { agency } = agencyOf(request);
      const alert = await visibleAlert(agency.id, request.params.id);
      const b = request.body;
      const input = { label: b.label, ...(b.cause ? { cause: b.cause } : {}), ...(b.note ? { note: b.note } : {}) };
      return wire(await service.feedback.record(alert, input, actorFrom(agency.id, b.name)));
    },
  );

  app.get(
    '/api/v1/alerts/:id/feedback',
    {
      schema: {
        summary: 'The labels given to an alert, latest first in `current`',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) }),
        response: { 200: FeedbackSchema, ...errors },
      },
    },
    async (request) => {
      const alert = await visibleAlert(agencyOf(request).agency.id, request.params.id);
      const feedback = await service.feedback.get(alert.id);
      if (!feedback) throw new AppError('RW_NOT_FOUND', `alert ${alert.id} has no feedback yet; label it with POST …/feedback`);
      return wire(feedback);
    },
  );

  app.get(
    '/api/v1/feedback',
    {
      schema: {
        summary: 'Export the labelled alerts (labelled in the period) as JSON or CSV',
        querystring: Type.Object({
          from: Type.Optional(Type.String({ description: 'ISO 8601 or epoch ms; default 90 days ago' })),
          to: Type.Optional(Type.String({ description: 'ISO 8601 or epoch ms; default now' })),
          section: Type.Optional(Type.String()),
          format: Type.Optional(Type.Enum(['json', 'csv'], { default: 'json' })),
          lang: Type.Optional(Type.Enum(['zh', 'en'], { default: 'zh' })),
          unlabelled: Type.Optional(Type.Boolean({ description: 'also every alert opened in the period, labelled or not' })),
        }),
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
      const lang = q.lang ?? 'zh';
      const time = (ms: number | undefined) => (ms === undefined ? '' : isoWithOffset(ms, OFFSET_MIN));
      let csv = `${CSV_HEADER.join(',')}\r\n`;
      for (const i of items) {
        const section = registry.section(i.sectionId);
        const by = i.feedback?.actor.agencyId ? registry.agencies.get(i.feedback.actor.agencyId) : undefined;
        csv += `${[
          csvField(i.alertId),
          csvField(i.sectionId),
          csvField(section ? section.name[lang] : ''),
          csvField(i.stationId),
          csvField(i.kind),
          csvField(i.maxLevel),
          csvField(i.parameters.join(' ')),
          time(i.openedAt),
          time(i.resolvedAt),
          csvField(i.resolveReason),
          csvField(i.feedback?.label),
          csvField(i.feedback?.cause),
          csvField(i.feedback?.note),
          csvField(by ? by.name[lang] : i.feedback?.actor.agencyId),
          time(i.feedback?.at),
          csvField(i.key),
        ].join(',')}\r\n`;
      }
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="alert-feedback.csv"`)
        .send(csv);
    },
  );

  app.get(
    '/api/v1/sections/:sectionId/alert-history',
    {
      schema: {
        summary: 'Alerts of a section in a period (default the last 30 days), newest first, with their feedback labels',
        params: Type.Object({ sectionId: Type.String({ minLength: 1, maxLength: 128 }) }),
        querystring: Type.Object({
          from: Type.Optional(Type.String()),
          to: Type.Optional(Type.String()),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
        }),
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
