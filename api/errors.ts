/**
 * The one error shape of the API: `{ error: { code, message, details? } }`
 * with codes from domain/errors.ts (table: docs/errors.md). Status codes are
 * decided here and nowhere else; 5xx answers hide internals.
 */
import { Type } from 'typebox';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorCode } from '../domain/index.js';
import { ALERTS_ERROR_STATUS } from './auth/error-status.js';

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable error code (docs/errors.md)' }),
      message: Type.String(),
      details: Type.Optional(Type.Array(Type.Unknown())),
    }),
  },
  { $id: 'ErrorBody' },
);

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
  ...ALERTS_ERROR_STATUS,
};

/** HTTP status of an application error code. */
export function statusOf(code: ErrorCode): number {
  return STATUS[code] ?? (code.startsWith('RW_') && code !== 'RW_INTERNAL' ? 422 : 500);
}

export function sendError(reply: FastifyReply, status: number, code: string, message: string, details?: readonly unknown[]): FastifyReply {
  return reply.code(status).send({ error: { code, message, ...(details && details.length > 0 ? { details } : {}) } });
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
    return sendError(reply, 400, 'RW_INVALID_PAYLOAD', `request ${fe.validationContext ?? ''} is invalid: ${fe.message}`.replace('  ', ' '), fe.validation);
  }
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendError(reply, 413, 'RW_PAYLOAD_TOO_LARGE', fe.message);
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return sendError(reply, 415, 'RW_INVALID_PAYLOAD', 'send Content-Type: application/json');
  if (fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY') return sendError(reply, 400, 'RW_INVALID_JSON', fe.message);
  if (fe.statusCode === 429) return sendError(reply, 429, 'RW_RATE_LIMITED', fe.message);
  if (fe.statusCode && fe.statusCode < 500) return sendError(reply, fe.statusCode, fe.code ?? 'RW_INVALID_PAYLOAD', fe.message);
  request.log.error({ err: error }, 'request failed');
  return sendError(reply, 500, 'RW_INTERNAL', 'internal error; see the server log');
}
