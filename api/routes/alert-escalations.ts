/**
 * The escalation plan of the calling agency's unacknowledged alerts (issue
 * 15 §4), so the desk sees who is told next and when: the reminder
 * interval of the alert's level, the chain above the section's lead, and
 * the coming reminders with the agency each one adds. Acknowledging an
 * alert empties its plan.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Registry } from '../../domain/index.js';
import { escalationPlan } from '../../alerts/alert-escalation.js';
import type { AlertsService } from '../../alerts/index.js';
import { agencyOf, canSeeAlert, requireAgencyKey, type AgencyKeyStore } from '../auth/index.js';

export interface AlertEscalationsRoutesOptions {
  readonly service: AlertsService;
  readonly registry: Registry;
  readonly keys: AgencyKeyStore;
}

const ErrorSchema = Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String() }) });

export const alertEscalationsRoutes: FastifyPluginAsyncTypebox<AlertEscalationsRoutesOptions> = async (app, options) => {
  const { service, registry } = options;
  requireAgencyKey(app, { keys: options.keys, registry });

  app.get(
    '/api/v1/alert-escalations',
    {
      schema: {
        summary: 'Who is told next, and when, about each unacknowledged alert the agency may see',
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                alertId: Type.String(),
                doubtful: Type.Optional(
                  Type.Enum(['offline', 'fault-flags', 'flat-line', 'spikes'], {
                    description: 'its station is offline or faulty: re-notified, but it does not climb the chain',
                  }),
                ),
                intervalMs: Type.Integer({ description: 'reminder interval of the alert’s level; 0 = no reminders' }),
                chain: Type.Array(Type.String(), { description: 'superiors of the section’s lead, nearest first' }),
                next: Type.Array(
                  Type.Object({
                    reminder: Type.Integer(),
                    at: Type.Number({ description: 'epoch ms' }),
                    adds: Type.Optional(Type.String({ description: 'agency this reminder escalates to' })),
                    addsName: Type.Optional(Type.Object({ zh: Type.String(), en: Type.String() })),
                  }),
                ),
              }),
            ),
          }),
          401: ErrorSchema,
        },
      },
    },
    async (request) => {
      const { agency } = agencyOf(request);
      const { items } = await service.listAlerts({
        status: ['open'],
        visible: (a) => canSeeAlert(registry, agency.id, a),
        limit: 500,
        offset: 0,
      });
      const doubts = await Promise.all(items.map((a) => service.inhibition.doubtOf(a)));
      return {
        items: items.map((a, i) => {
          const doubtful = doubts[i];
          const planned = escalationPlan(a, registry, service.config);
          // A doubtful alert is re-notified but does not climb (alerts/inhibition.ts).
          const plan = doubtful ? { ...planned, next: planned.next.filter((n) => n.adds === undefined) } : planned;
          return {
            alertId: a.id,
            ...(doubtful ? { doubtful } : {}),
            intervalMs: plan.intervalMs,
            chain: plan.chain,
            next: plan.next.map((n) => {
              const name = n.adds === undefined ? undefined : registry.agencies.get(n.adds)?.name;
              return {
                reminder: n.reminder,
                at: n.at,
                ...(n.adds !== undefined ? { adds: n.adds } : {}),
                ...(name ? { addsName: { zh: name.zh, en: name.en } } : {}),
              };
            }),
          };
        }),
      };
    },
  );
};
