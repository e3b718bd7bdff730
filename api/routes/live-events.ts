/**
 * Live events over Server-Sent Events (`GET /api/v1/events`), fed by the
 * event-log hub (platform/redis/live-events.ts). The SSE `id` is the stream
 * entry id: a client reconnecting with `Last-Event-ID` gets what it missed,
 * then live events. Written by hand on the raw response (no SSE package).
 */
import { Type } from 'typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { Registry } from '../../domain/index.js';
import type { LoggedEvent } from '../../platform/redis/alerts/index.js';
import type { LiveEventHub } from '../../platform/redis/live-events.js';
import { agencyOf, canSeeEvent, type AgencyKeyStore } from '../auth/index.js';
import { errorResponses } from '../errors.js';
import { agencyRoutes } from './agency-routes.js';

export interface LiveEventsRouteOptions {
  readonly hub: LiveEventHub;
  readonly registry: Registry;
  readonly keys: AgencyKeyStore;
  /** Comment line sent this often to keep proxies from closing an idle stream. @defaultValue 15000 */
  readonly heartbeatMs?: number;
}

function sseFrame(entry: LoggedEvent): string {
  return `id: ${entry.id}\nevent: ${entry.event.type}\ndata: ${JSON.stringify(entry.event)}\n\n`;
}

/** `GET /api/v1/events`: the SSE stream of alert and task transitions the calling agency may see. */
export const liveEventsRoute: FastifyPluginAsync<LiveEventsRouteOptions> = async (plain, options) => {
  // EventSource cannot set headers, so this route alone also takes `?key=`.
  const app = agencyRoutes(plain, { keys: options.keys, registry: options.registry, tags: ['alerts'], allowQueryKey: true });

  app.get(
    '/api/v1/events',
    {
      schema: {
        summary: 'Live stream (server-sent events) of the alert and task transitions the agency may see',
        description:
          'Each event has an id (resumable: send it back as the Last-Event-ID header, or as ?lastEventId=). EventSource cannot send headers, so this route also takes the agency key as ?key= (redacted in logs).',
        querystring: Type.Object({ key: Type.Optional(Type.String()), lastEventId: Type.Optional(Type.String()) }),
        response: {
          200: { description: 'text/event-stream of JSON events', content: { 'text/event-stream': { schema: Type.String() } } },
          ...errorResponses(),
        },
      },
    },
    async (request, reply) => {
      const { agency } = agencyOf(request);
      const header = request.headers['last-event-id'];
      const query = request.query;
      const lastEventId =
        typeof header === 'string' ? header : typeof query.lastEventId === 'string' ? query.lastEventId : undefined;

      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      raw.write('retry: 3000\n\n');

      let closed = false;
      let unsubscribe: (() => void) | undefined;
      const heartbeat = setInterval(() => raw.write(': ping\n\n'), options.heartbeatMs ?? 15_000);
      const cleanup = (): void => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        unsubscribe?.();
      };
      request.raw.on('close', cleanup);
      raw.on('close', cleanup);
      raw.on('error', cleanup);

      const send = (entry: LoggedEvent): void => {
        if (closed || !canSeeEvent(options.registry, agency.id, entry.event)) return;
        raw.write(sseFrame(entry));
      };
      try {
        unsubscribe = await options.hub.subscribe(lastEventId, send);
        if (closed) unsubscribe();
      } catch (err) {
        request.log.error({ err }, 'live events subscription failed');
        cleanup();
        raw.end();
      }
    },
  );
};
