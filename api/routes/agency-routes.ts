/**
 * The preamble every route plugin behind an agency key shares, written once:
 * the key check (401 before anything else), the OpenAPI tags and bearer
 * security of every route in the plugin, and, for operator routes, the
 * operator check (403 before the query is validated, so a non-operator
 * learns nothing). Routes then declare only what is theirs.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError, type Registry } from '../../domain/index.js';
import { agencyOf, requireAgencyKey, type AgencyKeyStore } from '../auth/index.js';
import type { OperatorPolicy } from './operators.js';

export interface AgencyRoutesOptions {
  readonly keys: AgencyKeyStore;
  readonly registry: Registry;
  /** OpenAPI tags of every route of the plugin. */
  readonly tags: readonly string[];
  /** Also accept `?key=` (EventSource). @defaultValue false */
  readonly allowQueryKey?: boolean;
  /** Only operators (./operators.ts); `what` names the routes in the 403 message. */
  readonly operators?: { readonly policy: OperatorPolicy; readonly what: string };
}


function typed(app: FastifyInstance) {
  return app.withTypeProvider<TypeBoxTypeProvider>();
}

/** The app of a route plugin behind an agency key, with TypeBox types for the routes. */
export type AgencyApp = ReturnType<typeof agencyRoutes>;

/** Call first in a route plugin; returns the plugin's app with TypeBox types for the routes. */
export function agencyRoutes(app: FastifyInstance, options: AgencyRoutesOptions) {
  requireAgencyKey(app, {
    keys: options.keys,
    registry: options.registry,
    ...(options.allowQueryKey ? { allowQueryKey: true } : {}),
  });
  const operators = options.operators;
  if (operators)
    app.addHook('onRequest', async (request) => {
      const context = agencyOf(request);
      if (!operators.policy(context))
        throw new AppError('RW_FORBIDDEN', `${operators.what} are for operators; ${context.agency.id} is not one`);
    });
  app.addHook('onRoute', (route) => {
    const schema = (route.schema ??= {}) as { tags?: string[]; security?: unknown[] };
    schema.tags ??= [...options.tags];
    schema.security ??= [{ bearer: [] }];
  });
  return typed(app);
}

/** The preamble of operator routes (dead letters, station diagnostics): `what` names them in the tag and the 403. */
export function operatorRoutes(
  app: FastifyInstance,
  options: { keys: AgencyKeyStore; registry: Registry; isOperator: OperatorPolicy; what: string },
) {
  const { keys, registry, isOperator: policy, what } = options;
  return agencyRoutes(app, { keys, registry, tags: [`${what} (operators)`], operators: { policy, what } });
}
