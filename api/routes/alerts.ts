/**
 * Alert routes: list and filter, detail with history, acknowledge, resolve
 * with a reason. Every route needs an agency API key and is scoped to the
 * sections the agency is a party of (or a superior of a party); an alert
 * outside that scope answers 403.
 */
import type { FastifyPluginAsync } from 'fastify';
import { ALERT_LEVELS, type AlertLevel, type Registry } from '../../domain/index.js';
import { ALERT_STATUSES, summaryOf, type AlertsService, type AlertStatus } from '../../platform/redis/alerts/index.js';
import { canSeeAlert, type AgencyKeyStore } from '../auth/index.js';
import { errorResponses } from '../errors.js';
import { AlertDetailSchema, AlertListQuery, AlertSummarySchema, ResolveBody } from '../schemas/alerts.js';
import { idParams } from '../schemas/common.js';
import { actOn, alertSubject, listRoute, optionalName } from './acting-on.js';
import { agencyRoutes } from './agency-routes.js';
import { given, parseList, parseTime } from './filters.js';

export interface AlertsRoutesOptions {
  readonly service: AlertsService;
  readonly registry: Registry;
  readonly keys: AgencyKeyStore;
}

const IdParams = idParams(128);
const errors = errorResponses(400, 403, 404, 409);

export const alertsRoutes: FastifyPluginAsync<AlertsRoutesOptions> = async (plain, options) => {
  const { service, registry } = options;
  const app = agencyRoutes(plain, { keys: options.keys, registry, tags: ['alerts'] });
  const alert = alertSubject(service, registry);

  const listDoc = { summary: 'Alerts visible to the calling agency, newest first', querystring: AlertListQuery, item: AlertSummarySchema, errors };
  listRoute(app, '/api/v1/alerts', listDoc, (q, agencyId, page) => {
    const filters = given({
      status: parseList<AlertStatus>('status', q.status, ALERT_STATUSES),
      level: parseList<AlertLevel>('level', q.level, ALERT_LEVELS),
      sectionId: q.section,
      riverId: q.river,
      from: parseTime('from', q.from),
      to: parseTime('to', q.to),
    });
    return service.listAlerts({ ...filters, visible: (a) => canSeeAlert(registry, agencyId, a), ...page });
  }, summaryOf);

  app.get(
    '/api/v1/alerts/:id',
    { schema: { summary: 'One alert with its history', params: IdParams, response: { 200: AlertDetailSchema, ...errors } } },
    async (request) => actOn(request, alert, (a) => a),
  );

  app.post(
    '/api/v1/alerts/:id/ack',
    // The body is optional (`{ "name": "duty officer" }`), so it is read by hand rather than by a schema.
    { schema: { summary: 'Acknowledge an alert', params: IdParams, response: { 200: AlertDetailSchema, ...errors } } },
    async (request) => actOn(request, alert, (a, caller) => service.acknowledge(a.id, caller.actor(optionalName(request.body)))),
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
    async (request) => actOn(request, alert, (a, caller) => service.resolve(a.id, caller.actor(request.body.name), request.body.reason)),
  );
};
