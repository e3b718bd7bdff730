/**
 * Stable error codes. The table with meaning and what to do is docs/errors.md;
 * never reuse a retired code.
 */
export const ERROR_CODES = {
  RW_CONFIG_INVALID: 'configuration is invalid',
  RW_REGISTRY_INVALID: 'registry is invalid',
  RW_INVALID_JSON: 'payload is not valid UTF-8 JSON',
  RW_INVALID_PAYLOAD: 'payload does not match the reading schema',
  RW_PAYLOAD_TOO_LARGE: 'payload is larger than allowed',
  RW_BATCH_TOO_LARGE: 'batch holds more readings than allowed',
  RW_UNKNOWN_STATION: 'station is not in the registry',
  RW_WRONG_TOPIC: 'station is not on the section named in the topic, or topic is malformed',
  RW_FORBIDDEN_STATION: 'credentials do not belong to this station',
  RW_UNKNOWN_PARAMETER: 'parameter is unknown or not measured by this station',
  RW_NOT_FINITE: 'value is not a finite number',
  RW_OUT_OF_RANGE: 'value is outside the physically plausible range',
  RW_TS_FUTURE: 'timestamp is too far in the future',
  RW_TS_TOO_OLD: 'timestamp is older than the accepted horizon',
  RW_TS_INVALID: 'timestamp is not ISO 8601 with an offset or epoch milliseconds',
  RW_INVALID_FLAG: 'data flag is not one of N F M S D C T B',
  RW_NO_VALUES: 'reading carries no values',
  RW_BACKPRESSURE: 'readings log is above its high-water mark; retry later',
  // Redis with replicas (issue 16): acknowledged means held by a replica too.
  RW_NOT_REPLICATED: 'no Redis replica confirmed the write in time; retry later',
  RW_UNAUTHORIZED: 'missing or invalid credentials',
  RW_FORBIDDEN: 'not allowed for these credentials',
  RW_NOT_FOUND: 'no such resource',
  // Read API (issue 8): limits of history queries.
  RW_RANGE_TOO_LARGE: 'time range is longer than allowed for this query',
  RW_TOO_MANY_POINTS: 'the answer would hold more points than allowed',
  RW_HJ212_FRAME: 'HJ 212 frame is malformed',
  RW_HJ212_CRC: 'HJ 212 CRC does not match',
  RW_HJ212_UNKNOWN_CODE: 'HJ 212 pollutant code is not mapped to a parameter',
  RW_HJ212_AUTH: 'HJ 212 MN unknown or password wrong',
  RW_SERVICE_START: 'a local service (Redis, Mosquitto, InfluxDB) did not start',
  RW_RATE_LIMITED: 'too many requests; slow down and retry after the indicated time',
  RW_INTERNAL: 'internal error',
  // Alerts and joint monitoring (issue 6).
  RW_ALERT_RESOLVED: 'alert is already resolved',
  RW_TASK_CLOSED: 'joint-monitoring task is closed',
  RW_TASK_STEP_ORDER: 'on-site step is out of order or already recorded',
  RW_TASK_NOT_PARTY: 'agency is not a party of this task',
  RW_PROBLEM_CLOSED: 'ledger problem is already closed out',
  // Transfer with feedback (issue 18).
  RW_TRANSFER_INVALID: 'transfer is not allowed: unknown or same agency, or the subject is closed',
  RW_TRANSFER_STATE: 'transfer is not in a state that allows this answer',
  // Silences and maintenance windows (issue 15).
  RW_SILENCE_ENDED: 'silence has already ended',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Base error with a stable code; `cause` wraps the underlying failure. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: readonly string[];

  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown; details?: readonly string[] }) {
    super(message ?? ERROR_CODES[code], options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = options?.details ?? [];
  }
}
