/**
 * Marks of the calling agency's active alerts (issue 15 §2, §4, §5): the
 * escalation plan, so the desk sees who is told next and when (the reminder
 * interval of the alert's level, the chain above the section's lead, the
 * coming reminders with the agency each one adds; acknowledging empties
 * it), whether it is doubtful (its station offline or faulty), and whether
 * it is flapping.
 */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { escalationPlan } from '../../alerts/alarms/alert-escalation.js';
import { isFlapping } from '../../alerts/alarms/flapping.js';
import { agencyOf, canSeeAlert } from '../auth/index.js';
import { errorResponses } from '../errors.js';
import { agencyRoutes } from './agency-routes.js';
import type { AlertsRoutesOptions } from './alerts.js';

/** The alerts service, the registry and the agency keys, as for the alert routes. */
export type AlertEscalationsRoutesOptions = AlertsRoutesOptions;

export const alertEscalationsRoutes: FastifyPluginAsync<AlertEscalationsRoutesOptions> = async (plain, options) => {
  const { service, registry } = options;
  const app = agencyRoutes(plain, { keys: options.keys, registry, tags: ['alerts'] });

  app.get(
    '/api/v1/alert-escalations',
    {
      schema: {
        summary: 'Marks of the active alerts the agency may see: who is told next and when (unacknowledged ones), doubtful, flapping',
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                alertId: Type.String(),
                flapping: Type.Boolean({ description: 'raised and cleared more than 3 times within the last hour' }),
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
          ...errorResponses(),
        },
      },
    },
    async (request) => {
      const { agency } = agencyOf(request);
      const { items } = await service.listAlerts({
        status: ['open', 'acknowledged'],
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
            flapping: isFlapping(a.history, Date.now()),
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
