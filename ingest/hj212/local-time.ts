/**
 * HJ 212 timestamps (`DataTime=yyyyMMddHHmmss`, `QN=yyyyMMddHHmmsszzz`) carry no offset: they are the
 * station's local time (China: UTC+8). These helpers convert with an explicit offset in minutes.
 */

/** UTC+8, the offset of every Chinese station unless configured otherwise. */
export const CHINA_OFFSET_MINUTES = 480;

const MINUTE_MS = 60_000;

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** Formats epoch ms as local `yyyyMMddHHmmss` (or `yyyyMMddHHmmsszzz` with `withMs`). */
export function formatLocalTime(epochMs: number, offsetMinutes: number, withMs = false): string {
  const d = new Date(epochMs + offsetMinutes * MINUTE_MS);
  const text =
    pad(d.getUTCFullYear(), 4) +
    pad(d.getUTCMonth() + 1, 2) +
    pad(d.getUTCDate(), 2) +
    pad(d.getUTCHours(), 2) +
    pad(d.getUTCMinutes(), 2) +
    pad(d.getUTCSeconds(), 2);
  return withMs ? text + pad(d.getUTCMilliseconds(), 3) : text;
}

/**
 * Parses local `yyyyMMddHHmmss` (14 digits) or `yyyyMMddHHmmsszzz` (17 digits) to epoch ms.
 * Returns undefined for anything else, including impossible dates such as 20240230.
 */
export function parseLocalTime(text: string, offsetMinutes: number): number | undefined {
  if (!/^\d{14}(\d{3})?$/.test(text)) return undefined;
  const year = Number(text.slice(0, 4));
  const month = Number(text.slice(4, 6));
  const day = Number(text.slice(6, 8));
  const hour = Number(text.slice(8, 10));
  const minute = Number(text.slice(10, 12));
  const second = Number(text.slice(12, 14));
  const ms = text.length === 17 ? Number(text.slice(14, 17)) : 0;
  const local = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const check = new Date(local);
  // Date.UTC rolls 30 February over into March; a round trip catches impossible dates.
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    check.getUTCHours() !== hour ||
    check.getUTCMinutes() !== minute ||
    check.getUTCSeconds() !== second
  ) {
    return undefined;
  }
  return local - offsetMinutes * MINUTE_MS;
}
