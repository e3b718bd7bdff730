/**
 * Live events over Server-Sent Events: alert and task transitions as the
 * alerts stage writes them into its event log (a Redis stream), so the
 * stream survives restarts and every API process sees every transition.
 * The SSE `id` is the stream entry id: a client reconnecting with
 * `Last-Event-ID` gets what it missed, then live events. Written by hand on
 * the raw response (no SSE package).
 */
import { Type } from 'typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Registry } from '../domain/index.js';
import { parseEntry, type LoggedEvent } from '../alerts/index.js';
import { agencyOf, canSeeEvent, requireAgencyKey, type AgencyKeyStore } from './auth/index.js';

type RawEntries = [string, [string, string[]][]][] | null;
type Listener = (entry: LoggedEvent) => void;

const REPLAY_PAGE = 500;
/** A reconnecting client gets at most this many missed events; older ones are in the alert and task history. */
const REPLAY_MAX = 10_000;
const STREAM_ID = /^\d+-\d+$/;

/** Compares two stream ids (`ms-seq`). */
export function compareStreamIds(a: string, b: string): number {
  const [am = 0n, as = 0n] = a.split('-').map(BigInt);
  const [bm = 0n, bs = 0n] = b.split('-').map(BigInt);
  return am === bm ? (as === bs ? 0 : as < bs ? -1 : 1) : am < bm ? -1 : 1;
}

/**
 * One blocking reader of the event log per process, fanning out to the
 * connected clients; replays from a given id for a reconnecting client.
 */
export class LiveEventHub {
  readonly #redis: Redis;
  readonly #streamKey: string;
  readonly #logger: Logger;
  readonly #listeners = new Set<Listener>();
  #blocking: Redis | undefined;
  #loop: Promise<void> | undefined;
  #stopped = false;
  #lastId = '0-0';

  constructor(deps: { redis: Redis; streamKey: string; logger: Logger }) {
    this.#redis = deps.redis;
    this.#streamKey = deps.streamKey;
    this.#logger = deps.logger;
  }

  async start(): Promise<void> {
    if (this.#loop) return;
    this.#stopped = false;
    this.#blocking = this.#redis.duplicate({ connectionName: 'rw-live-events' });
    const last = (await this.#redis.xrevrange(this.#streamKey, '+', '-', 'COUNT', 1))[0];
    this.#lastId = last?.[0] ?? '0-0';
    this.#loop = this.#run();
  }

  async close(): Promise<void> {
    this.#stopped = true;
    this.#blocking?.disconnect();
    await this.#loop;
    this.#loop = undefined;
    this.#blocking = undefined;
    this.#listeners.clear();
  }

  /**
   * Delivers events after `fromId` (replayed from the stream), then live
   * ones, each once and in order. Without `fromId`, live events only.
   */
  async subscribe(fromId: string | undefined, listener: Listener): Promise<() => void> {
    if (fromId === undefined || !STREAM_ID.test(fromId)) {
      this.#listeners.add(listener);
      return () => this.#listeners.delete(listener);
    }
    // Buffer live events while replaying, then hand over without gaps or repeats.
    const buffered: LoggedEvent[] = [];
    const buffer: Listener = (entry) => buffered.push(entry);
    this.#listeners.add(buffer);
    let delivered = fromId;
    try {
      let count = 0;
      for (;;) {
        const page = (await this.#redis.xrange(this.#streamKey, `(${delivered}`, '+', 'COUNT', REPLAY_PAGE)) as [
          string,
          string[],
        ][];
        for (const raw of page) {
          const entry = parseEntry(raw);
          delivered = raw[0];
          if (entry) listener(entry);
        }
        count += page.length;
        if (page.length < REPLAY_PAGE || count >= REPLAY_MAX) break;
      }
    } finally {
      this.#listeners.delete(buffer);
    }
    for (const entry of buffered) if (compareStreamIds(entry.id, delivered) > 0) listener(entry);
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      try {
        const raw = (await this.#blocking!.xread(
          'COUNT',
          500,
          'BLOCK',
          5000,
          'STREAMS',
          this.#streamKey,
          this.#lastId,
        )) as RawEntries;
        for (const item of raw?.[0]?.[1] ?? []) {
          this.#lastId = item[0];
          const entry = parseEntry(item);
          if (!entry) continue;
          for (const listener of [...this.#listeners]) {
            try {
              listener(entry);
            } catch (err) {
              this.#logger.warn({ err }, 'live event listener failed');
            }
          }
        }
      } catch (err) {
        if (this.#stopped) break;
        this.#logger.warn({ err }, 'live events read failed; retrying');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }
}

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
export const liveEventsRoute: FastifyPluginAsync<LiveEventsRouteOptions> = async (app, options) => {
  // EventSource cannot set headers, so this route alone also takes `?key=`.
  requireAgencyKey(app, { keys: options.keys, registry: options.registry, allowQueryKey: true });

  app.get(
    '/api/v1/events',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Live stream (server-sent events) of the alert and task transitions the agency may see',
        description:
          'Each event has an id (resumable: send it back as the Last-Event-ID header, or as ?lastEventId=). EventSource cannot send headers, so this route also takes the agency key as ?key= (redacted in logs).',
        security: [{ bearer: [] }],
        querystring: Type.Object({ key: Type.Optional(Type.String()), lastEventId: Type.Optional(Type.String()) }),
        response: {
          200: { description: 'text/event-stream of JSON events', content: { 'text/event-stream': { schema: Type.String() } } },
          401: Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String() }) }),
        },
      },
    },
    async (request, reply) => {
      const { agency } = agencyOf(request);
      const header = request.headers['last-event-id'];
      const query = request.query as Record<string, unknown>;
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
