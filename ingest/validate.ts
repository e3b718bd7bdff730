/**
 * Validation shared by every ingress (issue 3 §3). Returns the readings that
 * may enter the log and a rejection per refused reading or value; it never
 * throws on outside data.
 *
 * Reading-level problems (schema, station, topic, credentials, timestamp)
 * refuse the whole reading. Value-level problems (unknown parameter, not
 * finite, out of range, bad flag) refuse that value only: a pH probe reading
 * 15 should not cost the station its dissolved-oxygen value. A reading left
 * with no valid value is refused as a whole.
 */
import {
  isDataFlag,
  type DataFlag,
  type ErrorCode,
  type ParameterTable,
  type Reading,
  type Registry,
  type Rejection,
  type Submission,
} from '../domain/index.js';

export interface ValidationLimits {
  /** @defaultValue 300000 */
  readonly maxFutureMs: number;
  /** @defaultValue 30 days */
  readonly maxAgeMs: number;
  /** @defaultValue 1000 */
  readonly maxBatch: number;
}

export interface ValidationContext {
  readonly registry: Registry;
  readonly parameters: ParameterTable;
  readonly limits: ValidationLimits;
  readonly now: number;
}

export interface ValidationResult {
  readonly readings: Reading[];
  readonly rejections: Rejection[];
}

// ISO 8601 date-time with a mandatory offset (Z or ±hh:mm), as the contract requires.
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates one submission (one reading or `{ readings: [...] }`). */
export function validateSubmission(submission: Submission, ctx: ValidationContext): ValidationResult {
  const { payload } = submission;
  if (!isPlainObject(payload)) {
    return whole('RW_INVALID_PAYLOAD', 'payload must be a JSON object: one reading or {"readings": [...]}');
  }
  let items: unknown[];
  if ('readings' in payload) {
    const list = payload.readings;
    if (!Array.isArray(list)) return whole('RW_INVALID_PAYLOAD', '"readings" must be an array of readings');
    if (list.length === 0) return whole('RW_NO_VALUES', '"readings" is empty');
    if (list.length > ctx.limits.maxBatch) {
      return whole('RW_BATCH_TOO_LARGE', `batch holds ${list.length} readings; at most ${ctx.limits.maxBatch} per submission`);
    }
    items = list;
  } else {
    items = [payload];
  }
  const readings: Reading[] = [];
  const rejections: Rejection[] = [];
  for (let index = 0; index < items.length; index++) {
    validateOne(items[index], index, submission, ctx, readings, rejections);
  }
  return { readings, rejections };
}

function whole(code: ErrorCode, message: string): ValidationResult {
  return { readings: [], rejections: [{ code, message }] };
}

function validateOne(
  item: unknown,
  index: number,
  submission: Submission,
  ctx: ValidationContext,
  readings: Reading[],
  rejections: Rejection[],
): void {
  if (!isPlainObject(item)) return void rejectReading(rejections, index, 'RW_INVALID_PAYLOAD', 'a reading must be a JSON object');
  const stationId = item.stationId;
  if (typeof stationId !== 'string' || stationId.length === 0 || stationId.length > 64) {
    return void rejectReading(rejections, index, 'RW_INVALID_PAYLOAD', '"stationId" must be a non-empty string');
  }
  const station = ctx.registry.station(stationId);
  if (!station) return void rejectReading(rejections, index, 'RW_UNKNOWN_STATION', `station "${stationId}" is not in the registry`, stationId);
  if (submission.authStationId !== undefined && submission.authStationId !== stationId) {
    return void rejectReading(rejections, index, 'RW_FORBIDDEN_STATION', `credentials of station "${submission.authStationId}" cannot write readings of "${stationId}"`, stationId);
  }
  if (submission.topic) {
    if (submission.topic.stationId !== stationId) {
      return void rejectReading(rejections, index, 'RW_WRONG_TOPIC', `reading of "${stationId}" published on the topic of station "${submission.topic.stationId}"`, stationId);
    }
    if (submission.topic.sectionId !== station.sectionId) {
      return void rejectReading(rejections, index, 'RW_WRONG_TOPIC', `station "${stationId}" is on section "${station.sectionId}", not "${submission.topic.sectionId}"`, stationId);
    }
  }

  const ts = parseTimestamp(item.ts);
  if (ts === undefined) return void rejectReading(rejections, index, 'RW_TS_INVALID', '"ts" must be ISO 8601 with an offset or epoch milliseconds', stationId);
  if (ts > ctx.now + ctx.limits.maxFutureMs) {
    return void rejectReading(rejections, index, 'RW_TS_FUTURE', `"ts" is ${Math.round((ts - ctx.now) / 1000)} s in the future (at most ${ctx.limits.maxFutureMs / 1000} s); check the gateway clock`, stationId);
  }
  if (ts < ctx.now - ctx.limits.maxAgeMs) {
    return void rejectReading(rejections, index, 'RW_TS_TOO_OLD', `"ts" is older than the accepted horizon of ${Math.round(ctx.limits.maxAgeMs / 86400000)} days`, stationId);
  }

  let seq: number | undefined;
  if (item.seq !== undefined) {
    if (typeof item.seq !== 'number' || !Number.isSafeInteger(item.seq) || item.seq < 0) {
      return void rejectReading(rejections, index, 'RW_INVALID_PAYLOAD', '"seq" must be a non-negative integer', stationId);
    }
    seq = item.seq;
  }
  if (!isPlainObject(item.values)) return void rejectReading(rejections, index, 'RW_INVALID_PAYLOAD', '"values" must be an object of parameter: number', stationId);
  if (item.flags !== undefined && !isPlainObject(item.flags)) {
    return void rejectReading(rejections, index, 'RW_INVALID_PAYLOAD', '"flags" must be an object of parameter: flag', stationId);
  }
  const rawFlags = (item.flags ?? {}) as Record<string, unknown>;

  const values: Record<string, number> = {};
  const flags: Record<string, DataFlag> = {};
  let kept = 0;
  // No closure or Set per reading: this loop runs for every value of every reading (issue 14 profile).
  const measured = station.parameters;
  for (const key of Object.keys(item.values)) {
    const value = item.values[key];
    if (!ctx.parameters.has(key)) {
      rejectValue(rejections, index, stationId, key, 'RW_UNKNOWN_PARAMETER', `parameter "${truncate(key)}" is unknown`);
      continue;
    }
    if (!measured.includes(key)) {
      rejectValue(rejections, index, stationId, key, 'RW_UNKNOWN_PARAMETER', `station "${stationId}" does not measure "${key}"`);
      continue;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      rejectValue(rejections, index, stationId, key, 'RW_NOT_FINITE', `"${key}" must be a finite number, got ${describe(value)}`);
      continue;
    }
    const spec = ctx.parameters.get(key);
    if (spec && (value < spec.plausibleMin || value > spec.plausibleMax)) {
      rejectValue(rejections, index, stationId, key, 'RW_OUT_OF_RANGE', `"${key}" = ${value} is outside ${spec.plausibleMin}–${spec.plausibleMax} ${spec.unit}`.trim());
      continue;
    }
    const flag = rawFlags[key];
    if (flag !== undefined && !isDataFlag(flag)) {
      rejectValue(rejections, index, stationId, key, 'RW_INVALID_FLAG', `flag of "${key}" must be one of N F M S D C T B`);
      continue;
    }
    values[key] = value;
    if (flag !== undefined && flag !== 'N') flags[key] = flag;
    kept++;
  }
  for (const key of Object.keys(rawFlags)) {
    // Own keys only: "constructor" or "toString" must not pass as a parameter with a value.
    if (!Object.hasOwn(item.values as object, key)) {
      rejections.push({ code: 'RW_UNKNOWN_PARAMETER', message: `flag given for "${truncate(key)}", which has no value`, index, stationId, parameter: key });
    }
  }
  if (kept === 0) {
    if (Object.keys(item.values).length === 0) rejectReading(rejections, index, 'RW_NO_VALUES', 'reading carries no values', stationId);
    return;
  }
  const reading: Reading = {
    stationId,
    sectionId: station.sectionId,
    ts,
    ...(seq === undefined ? {} : { seq }),
    values,
    flags,
    source: submission.source,
    receivedAt: ctx.now,
  };
  readings.push(reading);
}

// A function of the module, not a closure per reading: under tsx each closure also costs a __name call (issue 14 profile).
function rejectReading(rejections: Rejection[], index: number, code: ErrorCode, message: string, stationId?: string): void {
  rejections.push(stationId === undefined ? { code, message, index } : { code, message, index, stationId });
}

function rejectValue(rejections: Rejection[], index: number, stationId: string, parameter: string, code: ErrorCode, message: string): void {
  rejections.push({ code, message, index, stationId, parameter });
}

/** Epoch ms from ISO 8601 with an offset or epoch milliseconds; undefined when neither. */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  }
  if (typeof value !== 'string' || value.length > 40 || !ISO_WITH_OFFSET.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * A short description of an outside value for a message. Never serialises
 * the value: a deeply nested one would overflow the stack (found by the fuzzer).
 */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the text "${truncate(value)}"`;
  return truncate(String(value));
}

function truncate(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
