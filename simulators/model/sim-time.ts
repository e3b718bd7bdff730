/**
 * Time arithmetic for the simulator: duration strings, timestamps with an
 * offset, solar hour and season. Pure.
 */

export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: SECOND_MS, m: MINUTE_MS, h: HOUR_MS, d: DAY_MS, w: 7 * DAY_MS };

/**
 * Parses a duration such as `90s`, `1h30m`, `2d`, `500ms`, `-6h` or a bare
 * number of seconds. Returns milliseconds, or undefined when it is not one.
 */
export function parseDurationMs(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) ? text * SECOND_MS : undefined;
  const trimmed = text.trim();
  if (/^[+-]?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * SECOND_MS;
  const match = /^([+-]?)((?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+)$/.exec(trimmed);
  if (!match) return undefined;
  const sign = match[1] === '-' ? -1 : 1;
  let total = 0;
  for (const part of (match[2] as string).matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)) {
    total += Number(part[1]) * (UNIT_MS[part[2] as string] as number);
  }
  return sign * total;
}

/** Parses `+08:00` / `-05:30` / `Z` into minutes east of UTC. */
export function parseOffsetMinutes(text: string): number | undefined {
  if (text === 'Z') return 0;
  const match = /^([+-])(\d{2}):?(\d{2})$/.exec(text);
  if (!match) return undefined;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === '-' ? -minutes : minutes;
}

/**
 * A time that is either absolute (ISO 8601 with an offset, or epoch ms) or
 * relative to `baseMs` (a duration, e.g. `90s`, `-6h`), or `now`.
 */
export function resolveTimeMs(text: string | number, baseMs: number, nowMs: number): number | undefined {
  if (typeof text === 'number') return baseMs + text * SECOND_MS;
  const trimmed = text.trim();
  if (trimmed === 'now') return nowMs;
  const relative = parseDurationMs(trimmed);
  if (relative !== undefined) return baseMs + relative;
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(trimmed)) {
    const ms = Date.parse(trimmed);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/** `2026-11-22T08:00:00+08:00` (milliseconds shown only when not zero). */
export function formatIsoWithOffset(ms: number, offsetMinutes: number): string {
  const local = new Date(ms + offsetMinutes * MINUTE_MS);
  const millis = local.getUTCMilliseconds();
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return (
    `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}` +
    (millis === 0 ? '' : `.${pad(millis, 3)}`) +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

/** Human duration for status lines: `3d 04:05:06`. */
export function formatDuration(ms: number): string {
  const totalS = Math.max(0, Math.floor(ms / SECOND_MS));
  const days = Math.floor(totalS / 86400);
  const rest = totalS % 86400;
  const hms = `${pad(Math.floor(rest / 3600))}:${pad(Math.floor((rest % 3600) / 60))}:${pad(rest % 60)}`;
  return days > 0 ? `${days}d ${hms}` : hms;
}

/** Local solar hour in [0, 24) at a longitude: what photosynthesis and heating follow. */
export function solarHour(ms: number, lonDeg: number): number {
  const hours = ms / HOUR_MS + lonDeg / 15;
  return ((hours % 24) + 24) % 24;
}

/** Day of the year in [0, 365.25), fractional, UTC. */
export function dayOfYear(ms: number): number {
  const date = new Date(ms);
  const start = Date.UTC(date.getUTCFullYear(), 0, 1);
  return (ms - start) / DAY_MS;
}

/** Smallest multiple of `stepMs` (counted from the epoch shifted by `offsetMs`) that is ≥ `ms`. */
export function ceilToStep(ms: number, stepMs: number, offsetMs = 0): number {
  return Math.ceil((ms + offsetMs) / stepMs) * stepMs - offsetMs;
}
