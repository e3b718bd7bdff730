/**
 * HTTP ingress (issue 3 §2): POST /api/v1/readings, one reading or a batch,
 * the same JSON as MQTT. Each station authenticates with its own token and
 * may write only its own readings. 202 once the valid readings are in the
 * log, with a machine-readable reason per refused reading; 503 + Retry-After
 * under back-pressure. Refused input goes to the dead letters.
 */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { AppError, type IngestGateway } from '../../domain/index.js';
import type { StationAuthenticator } from '../../platform/station-auth.js';
import { errorResponses, RefusedReading, sendError } from '../errors.js';

const ReadingBody = Type.Object({
  stationId: Type.String(),
  ts: Type.Union([Type.String({ description: 'ISO 8601 with offset' }), Type.Integer({ description: 'epoch ms' })]),
  seq: Type.Optional(Type.Integer({ minimum: 0 })),
  values: Type.Record(Type.String(), Type.Number()),
  flags: Type.Optional(Type.Record(Type.String(), Type.String({ enum: ['N', 'F', 'M', 'S', 'D', 'C', 'T', 'B'] }))),
});

const Result = Type.Object({ accepted: Type.Integer(), rejected: Type.Array(RefusedReading) });

interface RawJson {
  readonly text: string;
  readonly value?: unknown;
  readonly error?: string;
}

export function readingsIngestRoutes(deps: { gateway: IngestGateway; auth: StationAuthenticator }): FastifyPluginAsync {
  return async (app) => {
    // Keep the raw text for the dead letters, and turn a JSON syntax error into a dead letter instead of a bare 400.
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
      const text = body as string;
      try {
        done(null, { text, value: JSON.parse(text) } satisfies RawJson);
      } catch (err) {
        done(null, { text, error: (err as Error).message } satisfies RawJson);
      }
    });

    app.post(
      '/api/v1/readings',
      {
        schema: {
          tags: ['ingest'],
          summary: 'Submit readings of the authenticated station',
          description:
            'Body: one reading or {"readings": [...]} (at most RW_INGEST_MAX_BATCH). Each reading is validated on its own; valid readings are kept even when others in the batch are refused. Validation is done by the shared ingest validator (per-reading reasons), so this schema documents the body rather than rejecting it as a whole.',
          security: [{ bearer: [] }],
          body: Type.Union([ReadingBody, Type.Object({ readings: Type.Array(ReadingBody, { maxItems: 10000 }) })]),
          response: { 202: Result, ...errorResponses(400, 403, 413, 415, 422, 503) },
        },
        // The shared validator gives per-reading reasons; a schema failure must not reject good readings of the batch.
        attachValidation: true,
        errorHandler: async (error, request, reply) => {
          const fe = error as { code?: string; message: string };
          if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
            // Dead-lettered only for an authenticated station: anonymous clients must not fill the store.
            const station = bearer(request.headers.authorization, deps.auth);
            if (station) await deps.gateway.deadLetter({ source: 'http', raw: '', code: 'RW_PAYLOAD_TOO_LARGE', message: fe.message, peer: request.ip, stationId: station });
            return sendError(reply, 413, 'RW_PAYLOAD_TOO_LARGE', `${fe.message}; split the upload into batches`);
          }
          throw error;
        },
      },
      async (request, reply) => {
        const stationId = bearer(request.headers.authorization, deps.auth);
        if (!stationId) {
          return sendError(reply, 401, 'RW_UNAUTHORIZED', 'send "Authorization: Bearer <station token>"');
        }
        const body = request.body as unknown;
        if (!isRawJson(body)) {
          // Not sent as application/json (text/plain, a form, or no body at all).
          const text = typeof body === 'string' ? body : '';
          await deps.gateway.deadLetter({ source: 'http', raw: text, code: 'RW_INVALID_PAYLOAD', message: `Content-Type ${request.headers['content-type'] ?? '(none)'} is not application/json`, stationId, peer: request.ip });
          return sendError(reply, 415, 'RW_INVALID_PAYLOAD', 'send the readings as JSON with Content-Type: application/json');
        }
        const raw = body;
        if (raw.error !== undefined) {
          await deps.gateway.deadLetter({ source: 'http', raw: raw.text, code: 'RW_INVALID_JSON', message: raw.error, stationId, peer: request.ip });
          return sendError(reply, 400, 'RW_INVALID_JSON', `body is not JSON: ${raw.error}`);
        }
        let result;
        try {
          result = await deps.gateway.submit({ source: 'http', payload: raw.value, raw: raw.text, authStationId: stationId, peer: request.ip });
        } catch (err) {
          if (err instanceof AppError && err.code === 'RW_BACKPRESSURE') {
            reply.header('retry-after', '5');
            return sendError(reply, 503, 'RW_BACKPRESSURE', 'readings log is over its high-water mark; retry after the Retry-After seconds');
          }
          throw err;
        }
        const rejected = result.rejected.map((r) => ({ ...r }));
        if (result.accepted === 0) {
          const allForbidden = rejected.length > 0 && rejected.every((r) => r.code === 'RW_FORBIDDEN_STATION');
          return sendError(reply, allForbidden ? 403 : 422, allForbidden ? 'RW_FORBIDDEN_STATION' : (rejected[0]?.code ?? 'RW_INVALID_PAYLOAD'), 'no reading was accepted; see details', rejected);
        }
        return reply.code(202).send({ accepted: result.accepted, rejected });
      },
    );
  };
}

function isRawJson(body: unknown): body is RawJson {
  return typeof body === 'object' && body !== null && typeof (body as RawJson).text === 'string';
}

function bearer(header: string | undefined, auth: StationAuthenticator): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1] ? auth.byToken(match[1])?.id : undefined;
}
