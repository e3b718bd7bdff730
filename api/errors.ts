/**
 * The one error shape of the API: `{ error: { code, message, details? } }`
 * with codes from domain/errors.ts (table: docs/errors.md). `details` are
 * sentences a person can read (`body.reason: must have required property
 * 'reason'`), never raw validator objects. Status codes are decided here and
 * nowhere else; 5xx answers hide internals. Routes reference the schema by
 * `$ref` ({@link errorResponses}), so the OpenAPI document holds it once.
 */
import { Type, type Static } from 'typebox';
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifyTypeProvider, RawServerDefault } from 'fastify';
import { AppError, type ErrorCode } from '../domain/index.js';

/** A reading `POST /api/v1/readings` refused, with its position in the batch and the reason (docs/errors.md). */
export const RefusedReading = Type.Object({
  index: Type.Optional(Type.Integer()),
  code: Type.String(),
  message: Type.String(),
  stationId: Type.Optional(Type.String()),
  parameter: Type.Optional(Type.String()),
});
export type Detail = string | Static<typeof RefusedReading>;

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable error code (docs/errors.md)' }),
      message: Type.String(),
      details: Type.Optional(
        Type.Array(Type.Union([Type.String(), RefusedReading]), {
          description: 'what is wrong, one finding each (the field and the rule it breaks); the refused readings of POST /api/v1/readings',
        }),
      ),
    }),
  },
  { $id: 'ErrorBody', title: 'ErrorBody', description: 'Every error answer of the API' },
);

const ErrorRef = Type.Ref('ErrorBody');

/** Error statuses a route documents, each answering {@link ErrorBody}; 401 is always among them. */
export function errorResponses<const S extends readonly number[]>(...statuses: S): Record<S[number] | 401, typeof ErrorRef> {
  return Object.fromEntries([401, ...statuses].map((status) => [status, ErrorRef])) as Record<S[number] | 401, typeof ErrorRef>;
}

const STATUS: Partial<Record<ErrorCode, number>> = {
  RW_INVALID_JSON: 400,
  RW_INVALID_PAYLOAD: 400,
  RW_BATCH_TOO_LARGE: 413,
  RW_PAYLOAD_TOO_LARGE: 413,
  RW_UNAUTHORIZED: 401,
  RW_FORBIDDEN: 403,
  RW_FORBIDDEN_STATION: 403,
  RW_NOT_FOUND: 404,
  RW_BACKPRESSURE: 503,
  RW_NOT_REPLICATED: 503,
  RW_RANGE_TOO_LARGE: 400,
  RW_TOO_MANY_POINTS: 400,
  RW_RATE_LIMITED: 429,
  RW_ALERT_RESOLVED: 409,
  RW_TASK_CLOSED: 409,
  RW_TASK_STEP_ORDER: 409,
  RW_PROBLEM_CLOSED: 409,
  RW_SILENCE_ENDED: 409,
  RW_TASK_NOT_PARTY: 422,
  RW_TRANSFER_INVALID: 422,
  RW_TRANSFER_STATE: 409,
};

/** HTTP status of an application error code. */
export function statusOf(code: ErrorCode): number {
  return STATUS[code] ?? (code.startsWith('RW_') && code !== 'RW_INTERNAL' ? 422 : 500);
}

export function sendError(reply: FastifyReply, status: number, code: string, message: string, details?: readonly Detail[]): FastifyReply {
  return reply.code(status).send({ error: { code, message, ...(details && details.length > 0 ? { details } : {}) } });
}

/** One validator finding (ajv's error object) as a sentence: `params.id: must NOT have fewer than 1 characters`. */
interface Finding {
  readonly instancePath?: string;
  readonly message?: string;
  readonly params?: Record<string, unknown>;
}

/** The validator's findings as readable lines: where (request part and field) and which rule. */
export function validationDetails(context: string | undefined, findings: readonly Finding[]): string[] {
  return findings.map((f) => {
    const path = (f.instancePath ?? '').split('/').filter(Boolean).join('.');
    const where = [context, path].filter(Boolean).join('.') || 'request';
    const allowed = Array.isArray(f.params?.allowedValues) ? ` (${(f.params.allowedValues as unknown[]).join(', ')})` : '';
    return `${where}: ${f.message ?? 'is invalid'}${allowed}`;
  });
}

/** fastify error handler: AppError by its code, fastify's own errors by theirs, the rest as 500. */
export function errorHandler(error: FastifyError | AppError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof AppError) {
    const status = statusOf(error.code);
    const pushBack = error.code === 'RW_BACKPRESSURE' || error.code === 'RW_NOT_REPLICATED';
    if (pushBack) reply.header('retry-after', '5');
    if (status >= 500 && !pushBack) {
      request.log.error({ err: error }, 'request failed');
      return sendError(reply, status, error.code, 'internal error; see the server log');
    }
    return sendError(reply, status, error.code, error.message, error.details);
  }
  const fe = error as FastifyError;
  if (fe.validation) {
    const context = fe.validationContext;
    return sendError(reply, 400, 'RW_INVALID_PAYLOAD', `request ${context ?? ''} is invalid: ${fe.message}`.replace('  ', ' '), validationDetails(context, fe.validation));
  }
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendError(reply, 413, 'RW_PAYLOAD_TOO_LARGE', fe.message);
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return sendError(reply, 415, 'RW_INVALID_PAYLOAD', 'send Content-Type: application/json');
  if (fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY') return sendError(reply, 400, 'RW_INVALID_JSON', fe.message);
  if (fe.statusCode === 429) return sendError(reply, 429, 'RW_RATE_LIMITED', fe.message);
  if (fe.statusCode && fe.statusCode < 500) return sendError(reply, fe.statusCode, fe.code ?? 'RW_INVALID_PAYLOAD', fe.message);
  request.log.error({ err: error }, 'request failed');
  return sendError(reply, 500, 'RW_INTERNAL', 'internal error; see the server log');
}

/**
 * The error conventions on an app: the handler above, the 404 of unknown
 * routes, and the {@link ErrorBody} schema the routes' `$ref`s point to.
 * `buildApp` calls it; so does a test that builds a bare fastify app from
 * route plugins.
 */
export function useErrorShape<L extends FastifyBaseLogger, P extends FastifyTypeProvider>(
  app: FastifyInstance<RawServerDefault, FastifyRequest['raw'], FastifyReply['raw'], L, P>,
): void {
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => sendError(reply, 404, 'RW_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`));
  app.addSchema(ErrorBody);
}
