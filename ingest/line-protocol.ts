/**
 * InfluxDB schema of readings (docs/influxdb-schema.md): measurement
 * `water_quality`, tags station/section/river, one float field per parameter,
 * a string field `<param>_flag` for each non-N flag, `seq` and `source`.
 * Timestamps in ms. The same reading written twice is the same point (same
 * series and time), so repeats change nothing.
 */
import type { Reading } from '../domain/index.js';

export const READINGS_MEASUREMENT = 'water_quality';

function escapeTag(value: string): string {
  return value.replace(/[,= \\]/g, (c) => `\\${c}`);
}

function escapeFieldKey(value: string): string {
  return value.replace(/[,= \\]/g, (c) => `\\${c}`);
}

function escapeString(value: string): string {
  return value.replace(/["\\]/g, (c) => `\\${c}`);
}

/** Formats a float so InfluxDB stores it as a float even when it is whole. */
function float(value: number): string {
  return Number.isInteger(value) ? `${value}.0` : String(value);
}

export function readingToLine(reading: Reading, riverId: string): string {
  const fields: string[] = [];
  for (const [key, value] of Object.entries(reading.values)) fields.push(`${escapeFieldKey(key)}=${float(value)}`);
  for (const [key, flag] of Object.entries(reading.flags)) fields.push(`${escapeFieldKey(key)}_flag="${escapeString(flag)}"`);
  if (reading.seq !== undefined) fields.push(`seq=${reading.seq}i`);
  fields.push(`source="${reading.source}"`);
  return `${READINGS_MEASUREMENT},river=${escapeTag(riverId)},section=${escapeTag(reading.sectionId)},station=${escapeTag(reading.stationId)} ${fields.join(',')} ${reading.ts}`;
}
