/**
 * InfluxDB schema of readings (docs/influxdb-schema.md): measurement
 * `water_quality`, tags station/section/river, one float field per parameter,
 * a string field `<param>_flag` for each non-N flag, `seq` and `source`.
 * Timestamps in ms. The same reading written twice is the same point (same
 * series and time), so repeats change nothing.
 */
import type { Reading } from '../../domain/index.js';
import { escapeString, escapeTag, READINGS_MEASUREMENT } from './schema.js';

export { READINGS_MEASUREMENT };

/** Formats a float so InfluxDB stores it as a float even when it is whole. */
function float(value: number): string {
  return Number.isInteger(value) ? `${value}.0` : String(value);
}

// Per-reading work kept to string concatenation (issue 14 profile): the series prefix of a station
// and the escaped field keys are computed once. Both sets are bounded by the registry and parameters.
const seriesPrefixes = new Map<string, string>();
const valueKeys = new Map<string, string>();
const flagKeys = new Map<string, string>();

function seriesPrefix(riverId: string, sectionId: string, stationId: string): string {
  const key = `${riverId}\u0000${sectionId}\u0000${stationId}`;
  let prefix = seriesPrefixes.get(key);
  if (prefix === undefined) {
    prefix = `${READINGS_MEASUREMENT},river=${escapeTag(riverId)},section=${escapeTag(sectionId)},station=${escapeTag(stationId)} `;
    if (seriesPrefixes.size < 100_000) seriesPrefixes.set(key, prefix);
  }
  return prefix;
}

function fieldKey(cache: Map<string, string>, key: string, suffix: string): string {
  let escaped = cache.get(key);
  if (escaped === undefined) {
    escaped = escapeTag(key + suffix);
    if (cache.size < 10_000) cache.set(key, escaped);
  }
  return escaped;
}

export function readingToLine(reading: Reading, riverId: string): string {
  let fields = '';
  for (const key in reading.values) {
    if (!Object.hasOwn(reading.values, key)) continue;
    fields += `${fields === '' ? '' : ','}${fieldKey(valueKeys, key, '')}=${float(reading.values[key] as number)}`;
  }
  for (const key in reading.flags) {
    if (!Object.hasOwn(reading.flags, key)) continue;
    fields += `${fields === '' ? '' : ','}${fieldKey(flagKeys, key, '_flag')}="${escapeString(reading.flags[key] as string)}"`;
  }
  if (reading.seq !== undefined) fields += `${fields === '' ? '' : ','}seq=${reading.seq}i`;
  fields += `${fields === '' ? '' : ','}source="${reading.source}"`;
  return `${seriesPrefix(riverId, reading.sectionId, reading.stationId)}${fields} ${reading.ts}`;
}
