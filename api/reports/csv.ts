/**
 * CSV of readings (RFC 4180: comma-separated, CRLF line ends, fields with
 * comma, quote or line break quoted). One row per point: local time with
 * its offset, station, section, then value and flag of each parameter (a
 * value without a flag is N; no value, empty). Pure.
 */
import type { ReadingSeries } from '../queries/readings-queries.js';

/** Quotes a field when it needs it; neutralises leading = + - @ so a spreadsheet does not run it as a formula. */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** ISO 8601 in local time with its offset, e.g. `2026-11-22T08:00:00+08:00` for offset 480. */
export function isoWithOffset(ms: number, offsetMin: number): string {
  const local = new Date(ms + offsetMin * 60_000).toISOString().slice(0, 19);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

export function csvHeader(parameters: readonly string[]): string {
  return `${['time', 'station', 'section', ...parameters.flatMap((p) => [p, `${p}_flag`])].join(',')}\r\n`;
}

/** The rows of one chunk of raw points. */
export function csvRows(
  series: ReadingSeries,
  parameters: readonly string[],
  stationId: string,
  sectionId: string,
  offsetMin: number,
): string {
  let out = '';
  for (let i = 0; i < series.times.length; i++) {
    const fields = [isoWithOffset(series.times[i] as number, offsetMin), csvField(stationId), csvField(sectionId)];
    for (const p of parameters) {
      const value = series.values[p]?.[i] ?? null;
      fields.push(csvField(value), value === null ? '' : (series.flags[p]?.[i] ?? 'N'));
    }
    out += `${fields.join(',')}\r\n`;
  }
  return out;
}
