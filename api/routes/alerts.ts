/**
 * Alert routes: list and filter, detail with history, acknowledge, resolve
 * with a reason. Every route needs an agency API key and is scoped to the
 * sections the agency is a party of (or a superior of a party); an alert
 * outside that scope answers 403.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ALERT_LEVELS, AppError, type AlertLevel, type Registry } from '../../domain/index.js';
import {
  ALERT_STATUSES,
  ALERT_TRANSITION_TYPES,
  summaryOf,
  type Actor,
  type Alert,
  type AlertsService,
  type AlertStatus,
} from '../../platform/redis/alerts/index.js';
import { agencyOf, canSeeAlert, requireAgencyKey, type AgencyKeyStore } from '../auth/index.js';

export interface AlertsRoutesOptions {
  readonly service: AlertsService;
  readonly registry: Registry;
  readonly keys: AgencyKeyStore;
}

const EpochMs = Type.Number({ description: 'epoch milliseconds' });

export const ActorSchema = Type.Object({
  kind: Type.Enum(['analytics', 'system', 'agency']),
  agencyId: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
});

const AlertTransitionSchema = Type.Object({
  id: Type.String(),
  seq: Type.Integer(),
  type: Type.Enum(ALERT_TRANSITION_TYPES),
  at: EpochMs,
  actor: ActorSchema,
  level: Type.Optional(Type.Enum(ALERT_LEVELS)),
  fromLevel: Type.Optional(Type.Enum(ALERT_LEVELS)),
  reason: Type.Optional(Type.String()),
  details: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]))),
});

const AlertSummarySchema = Type.Object({
  id: Type.String(),
  key: Type.String(),
  episode: Type.Integer(),
  kind: Type.String(),
  sectionId: Type.String(),
  riverId: Type.Optional(Type.String()),
  stationId: Type.Optional(Type.String()),
  parameters: Type.Array(Type.String()),
  level: Type.Optional(Type.Enum(ALERT_LEVELS)),
  maxLevel: Type.Optional(Type.Enum(ALERT_LEVELS)),
  status: Type.Enum(ALERT_STATUSES),
  clearedAt: Type.Optional(EpochMs),
  firstSeen: EpochMs,
  lastSeen: EpochMs,
  occurrences: Type.Integer(),
  message: Type.String(),
  evidence: Type.Object({}, { additionalProperties: true }),
  arrival: Type.Optional(Type.Object({ fromTs: EpochMs, peakTs: EpochMs, toTs: EpochMs, originSectionId: Type.String() })),
  openedAt: EpochMs,
  updatedAt: EpochMs,
  acknowledged: Type.Optional(Type.Object({ at: EpochMs, actor: ActorSchema })),
  resolved: Type.Optional(Type.Object({ at: EpochMs, actor: ActorSchema, reason: Type.String() })),
  reminders: Type.Integer(),
});

const AlertDetailSchema = Type.Object({ ...AlertSummarySchema.properties, history: Type.Array(AlertTransitionSchema) });

const ErrorSchema = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String(), details: Type.Optional(Type.Array(Type.String())) }),
});

const ListQuery = Type.Object({
  status: Type.Optional(Type.String({ description: `comma-separated: ${ALERT_STATUSES.join(', ')}` })),
  level: Type.Optional(Type.String({ description: `comma-separated: ${ALERT_LEVELS.join(', ')}` })),
  section: Type.Optional(Type.String()),
  river: Type.Optional(Type.String()),
  from: Type.Optional(Type.String({ description: 'alerts active at or after: ISO 8601 or epoch ms' })),
  to: Type.Optional(Type.String({ description: 'alerts opened at or before: ISO 8601 or epoch ms' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
});

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });
const ResolveBody = Type.Object({
  reason: Type.String({ minLength: 1, maxLength: 2000 }),
  name: Type.Optional(Type.String({ maxLength: 200 })),
});

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };

/** Parses a comma-separated filter; refuses values outside `allowed`. */
export function parseList<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T[] | undefined {
  if (value === undefined || value === '') return undefined;
  const items = value.split(',').map((s) => s.trim());
  const bad = items.filter((s) => !(allowed as readonly string[]).includes(s));
  if (bad.length > 0)
    throw new AppError('RW_INVALID_PAYLOAD', `${name}: unknown value(s) ${bad.join(', ')}; allowed: ${allowed.join(', ')}`);
  return items as T[];
}

/** Parses a time filter given as ISO 8601 or epoch ms. */
export function parseTime(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw new AppError('RW_INVALID_PAYLOAD', `${name}: not an ISO 8601 time or epoch milliseconds`);
  return ms;
}

/** The domain types are deeply readonly; response schemas' static types are mutable. Same shape, so this is only a type view. */
export type Wire<T> = T extends readonly (infer U)[]
  ? Wire<U>[]
  : T extends object
    ? { -readonly [K in keyof T]: Wire<T[K]> }
    : T;
export function wire<T>(value: T): Wire<T> {
  return value as Wire<T>;
}

export function actorFrom(agencyId: string, name: string | undefined): Actor {
  return { kind: 'agency', agencyId, ...(name !== undefined ? { name } : {}) };
}

export const alertsRoutes: FastifyPluginAsyncTypebox<AlertsRoutesOptions> = async (app, options) => {
  const { service, registry } = options;
  requireAgencyKey(app, { keys: options.keys, registry });

  async function visibleAlert(agencyId: string, alertId: string): Promise<Alert> {
    const alert = await service.getAlert(alertId);
    if (!alert) throw new AppError('RW_NOT_FOUND', `no alert ${alertId}`);
    if (!canSeeAlert(registry, agencyId, alert))
      throw new AppError('RW_FORBIDDEN', `alert ${alertId} is at a section where ${agencyId} is not a party`);
    return alert;
  }

  app.get(
    '/api/v1/alerts',
    {
      schema: {
        summary: 'Alerts visible to the calling agency, newest first',
        querystring: ListQuery,
        response: {
          200: Type.Object({
            items: Type.Array(AlertSummarySchema),
            total: Type.Integer(),
            limit: Type.Integer(),
            offset: Type.Integer(),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { agency } = agencyOf(request);
      const q = request.query;
      const limit = q.limit ?? 50;
      const offset = q.offset ?? 0;
      const status = parseList<AlertStatus>('status', q.status, ALERT_STATUSES);
      const level = parseList<AlertLevel>('level', q.level, ALERT_LEVELS);
      const from = parseTime('from', q.from);
      const to = parseTime('to', q.to);
      const { items, total } = await service.listAlerts({
        ...(status ? { status } : {}),
        ...(level ? { level } : {}),
        ...(q.section !== undefined ? { sectionId: q.section } : {}),
        ...(q.river !== undefined ? { riverId: q.river } : {}),
        ...(from !== undefined ? { from } : {}),
        ...(to !== undefined ? { to } : {}),
        visible: (alert) => canSeeAlert(registry, agency.id, alert),
        limit,
        offset,
      });
      return { items: wire(items.map(summaryOf)), total, limit, offset };
    },
  );

  app.get(
    '/api/v1/alerts/:id',
    { schema: { summary: 'One alert with its history', params: IdParams, response: { 200: AlertDetailSchema, ...errors } } },
    async (request) => wire(await visibleAlert(agencyOf(request).agency.id, request.params.id)),
  );

  app.post(
    '/api/v1/alerts/:id/ack',
    // The body is optional (`{ "name": "duty officer" }`), so it is read by hand rather than by a schema.
    { schema: { summary: 'Acknowledge an alert', params: IdParams, response: { 200: AlertDetailSchema, ...errors } } },
    async (request) => {
      const { agency } = agencyOf(request);
      await visibleAlert(agency.id, request.params.id);
      const name = (request.body as { name?: unknown } | null | undefined)?.name;
      return wire(
        await service.acknowledge(
          request.params.id,
          actorFrom(agency.id, typeof name === 'string' ? name.slice(0, 200) : undefined),
        ),
      );
    },
  );

  app.post(
    '/api/v1/alerts/:id/resolve',
    {
      schema: {
        summary: 'Resolve an alert by hand, with a reason',
        params: IdParams,
        body: ResolveBody,
        response: { 200: AlertDetailSchema, ...errors },
      },
    },
    async (request) => {
      const { agency } = agencyOf(request);
      await visibleAlert(agency.id, request.params.id);
      return wire(await service.resolve(request.params.id, actorFrom(agency.id, request.body.name), request.body.reason));
    },
  );
};
