/**
 * Silence routes (issue 15 §1): create, list, show, change and end
 * silences and maintenance windows. Scoped like alerts: an agency creates,
 * sees, changes and ends silences only at sections where it is a party (or
 * a superior of a party). Each silence carries its audit trail (who
 * created, changed and ended it) and the alerts it holds back right now.
 */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import type { AlertKind } from '../../domain/index.js';
import { windowAt, type Silence } from '../../platform/redis/alerts/index.js';
import { agencyOf, canSeeAlert } from '../auth/index.js';
import { errorResponses } from '../errors.js';
import { idParams, wire } from '../schemas/common.js';
import { Matcher, Recurrence, SilenceActor as Name, SilenceSchema, Time } from '../schemas/silences.js';
import { callerOf, optionalName } from './acting-on.js';
import { agencyRoutes } from './agency-routes.js';
import type { AlertsRoutesOptions } from './alerts.js';
import { given, parseTime } from './filters.js';

/** The alerts service, the registry and the agency keys, as for the alert routes. */
export type SilencesRoutesOptions = AlertsRoutesOptions;

const errors = errorResponses(400, 403, 404, 409);

/** A time of a body, given as ISO 8601 or epoch ms. */
const timeOf = (name: string, value: string | number | undefined) => (value === undefined ? undefined : parseTime(name, String(value)));
const IdParams = idParams(64);

export const silencesRoutes: FastifyPluginAsync<SilencesRoutesOptions> = async (plain, options) => {
  const silences = options.service.silences;
  const app = agencyRoutes(plain, { keys: options.keys, registry: options.registry, tags: ['silences'] });

  async function view(s: Silence) {
    return wire({
      ...s,
      silencingNow: windowAt(s, Date.now()) !== undefined,
      heldAlertIds: await silences.store.held(s.id),
    });
  }

  app.post(
    '/api/v1/silences',
    {
      schema: {
        summary: 'Silence alerts matching a section, station, parameter and/or kind, once or weekly',
        body: Type.Object({
          matcher: Matcher,
          startsAt: Type.Optional(Time),
          endsAt: Time,
          reason: Type.String({ minLength: 1, maxLength: 2000 }),
          recurrence: Type.Optional(Recurrence),
          name: Name,
        }),
        response: { 200: SilenceSchema, ...errors },
      },
    },
    async (request) => {
      const { agencyId, actor } = callerOf(request);
      const b = request.body;
      const silence = {
        matcher: { ...b.matcher, ...(b.matcher.kind ? { kind: b.matcher.kind as AlertKind } : {}) },
        ...given({ startsAt: timeOf('startsAt', b.startsAt), recurrence: b.recurrence }),
        endsAt: timeOf('endsAt', b.endsAt) as number,
        reason: b.reason,
      };
      return view(await silences.create(agencyId, silence, actor(b.name)));
    },
  );

  app.get(
    '/api/v1/silences',
    {
      schema: {
        summary: 'Silences at the calling agency’s sections, newest first',
        querystring: Type.Object({
          state: Type.Optional(Type.Enum(['active', 'all'], { default: 'active', description: 'active: not yet over' })),
        }),
        response: { 200: Type.Object({ items: Type.Array(SilenceSchema) }), ...errors },
      },
    },
    async (request) => ({
      items: await Promise.all((await silences.list(callerOf(request).agencyId, request.query.state !== 'all')).map(view)),
    }),
  );

  app.get(
    '/api/v1/silenced-alerts',
    {
      schema: {
        summary:
          'Active alerts held back now, each with the silence, `maintenance.{stationId}` window or inhibiting section-level alert holding it',
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                alertId: Type.String(),
                silenceId: Type.String(),
                maintenanceStationId: Type.Optional(Type.String()),
                inhibitedByAlertId: Type.Optional(Type.String({ description: 'the section-level alert this duplicate waits behind' })),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { agency } = agencyOf(request);
      const items = [];
      for (const alert of await options.service.alerts.getMany(await options.service.alerts.activeIds())) {
        if (!canSeeAlert(options.registry, agency.id, alert)) continue;
        const silenceId = await silences.store.heldBy(alert.id);
        if (!silenceId) continue;
        const maintenance = silenceId.startsWith('maintenance.') ? silenceId.slice('maintenance.'.length) : undefined;
        const inhibitor = silenceId.startsWith('inhibit.') ? silenceId.slice('inhibit.'.length) : undefined;
        items.push({
          alertId: alert.id,
          silenceId,
          ...(maintenance ? { maintenanceStationId: maintenance } : {}),
          ...(inhibitor ? { inhibitedByAlertId: inhibitor } : {}),
        });
      }
      return { items };
    },
  );

  app.get(
    '/api/v1/silences/:id',
    { schema: { summary: 'One silence with its audit trail', params: IdParams, response: { 200: SilenceSchema, ...errors } } },
    async (request) => view(await silences.get(callerOf(request).agencyId, request.params.id)),
  );

  app.patch(
    '/api/v1/silences/:id',
    {
      schema: {
        summary: 'Change the end or the reason of a silence not yet over',
        params: IdParams,
        body: Type.Object({ endsAt: Type.Optional(Time), reason: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })), name: Name }),
        response: { 200: SilenceSchema, ...errors },
      },
    },
    async (request) => {
      const { agencyId, actor } = callerOf(request);
      const b = request.body;
      const changes = given({ endsAt: timeOf('endsAt', b.endsAt), reason: b.reason });
      return view(await silences.change(agencyId, request.params.id, changes, actor(b.name)));
    },
  );

  app.post(
    '/api/v1/silences/:id/end',
    {
      schema: {
        summary: 'End a silence now; alerts it held back whose condition still holds are notified now',
        params: IdParams,
        response: { 200: SilenceSchema, ...errors },
      },
    },
    async (request) => {
      const { agencyId, actor } = callerOf(request);
      return view(await silences.end(agencyId, request.params.id, actor(optionalName(request.body))));
    },
  );
};

