/**
 * HTTP status of the error codes the alerts, tasks and events routes raise,
 * for the API's error handler (the lead's app maps codes to status there;
 * `alertsErrorHandler` is the same mapping for apps built from these plugins
 * alone, e.g. in tests).
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ERROR_CODES, type ErrorCode } from '../../domain/index.js';

export const ALERTS_ERROR_STATUS: Partial<Record<ErrorCode, number>> = {
  RW_INVALID_PAYLOAD: 400,
  RW_UNAUTHORIZED: 401,
  RW_FORBIDDEN: 403,
  RW_NOT_FOUND: 404,
  RW_ALERT_RESOLVED: 409,
  RW_TASK_CLOSED: 409,
  RW_TASK_STEP_ORDER: 409,
  RW_PROBLEM_CLOSED: 409,
  RW_SILENCE_ENDED: 409,
  RW_TASK_NOT_PARTY: 422,
  RW_TRANSFER_INVALID: 422,
  RW_TRANSFER_STATE: 409,
};

export interface ErrorBody {
  error: { code: string; message: string; details?: readonly string[] };
}

/** `{ error: { code, message, details? } }` with the status for an error; 5xx hide internals. */
export function errorResponse(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof AppError) {
    const status = ALERTS_ERROR_STATUS[err.code] ?? 500;
    if (status >= 500) return { status, body: { error: { code: 'RW_INTERNAL', message: ERROR_CODES.RW_INTERNAL } } };
    return {
      status,
      body: { error: { code: err.code, message: err.message, ...(err.details.length > 0 ? { details: err.details } : {}) } },
    };
  }
  const fastifyError = err as Partial<FastifyError>;
  if (fastifyError.validation) {
    return {
      status: 400,
      body: { error: { code: 'RW_INVALID_PAYLOAD', message: fastifyError.message ?? ERROR_CODES.RW_INVALID_PAYLOAD } },
    };
  }
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode < 500) {
    return {
      status: fastifyError.statusCode,
      body: { error: { code: 'RW_INVALID_PAYLOAD', message: fastifyError.message ?? 'bad request' } },
    };
  }
  return { status: 500, body: { error: { code: 'RW_INTERNAL', message: ERROR_CODES.RW_INTERNAL } } };
}

/** A fastify error handler with the mapping above. */
export function alertsErrorHandler(err: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = errorResponse(err);
  if (status >= 500) request.log.error({ err }, 'request failed');
  void reply.status(status).send(body);
}
