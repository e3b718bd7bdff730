/**
 * Resolves `Authorization: Bearer <key>` to an agency for every route of the
 * plugin scope it is registered in; a missing, malformed, unknown or revoked
 * key gets 401 (`RW_UNAUTHORIZED`).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, type Agency, type Registry } from '../../domain/index.js';
import type { AgencyKeyStore } from '../../platform/redis/agency-keys.js';

export interface AgencyContext {
  readonly agency: Agency;
  readonly keyId: string;
}

const contexts = new WeakMap<FastifyRequest, AgencyContext>();

export interface AgencyAuthOptions {
  readonly keys: AgencyKeyStore;
  readonly registry: Registry;
  /**
   * Also accept `?key=` (for EventSource, which cannot send headers). Keys in
   * URLs end up in access logs: enable only on the events route.
   * @defaultValue false
   */
  readonly allowQueryKey?: boolean;
}

function presentedKey(request: FastifyRequest, allowQueryKey: boolean): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
    return match?.[1];
  }
  if (allowQueryKey) {
    const key = (request.query as Record<string, unknown> | undefined)?.key;
    if (typeof key === 'string' && key.length > 0) return key;
  }
  return undefined;
}

/** Adds the key check to every route registered in `app`'s scope (call it first in a route plugin). */
export function requireAgencyKey(app: FastifyInstance, options: AgencyAuthOptions): void {
  app.addHook('onRequest', async (request) => {
    const key = presentedKey(request, options.allowQueryKey ?? false);
    if (key === undefined) throw new AppError('RW_UNAUTHORIZED', 'an agency API key is required: Authorization: Bearer <key>');
    const record = await options.keys.verify(key);
    const agency = record ? options.registry.agencies.get(record.agencyId) : undefined;
    if (!record || !agency) throw new AppError('RW_UNAUTHORIZED', 'the API key is unknown or revoked');
    contexts.set(request, { agency, keyId: record.keyId });
  });
}

/** The agency of an authenticated request. */
export function agencyOf(request: FastifyRequest): AgencyContext {
  const context = contexts.get(request);
  if (!context) throw new AppError('RW_UNAUTHORIZED', 'request is not authenticated');
  return context;
}
