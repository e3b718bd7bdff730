/**
 * The InfluxDB schema in one file (docs/influxdb-schema.md): the three
 * measurements RiverWatch writes, and the escaping of line protocol.
 * - `water_quality`: tags river, section, station; a float field per
 *   parameter, `<param>_flag` string fields for non-N flags, `seq`, `source`.
 * - `section_class`: tags river, section; fields `class` (integer 1–6) and
 *   `deciding` (string), one point per section and hour.
 * - `alert`: tags river, section, kind, level, key; fields `opened`, `id`.
 * Timestamps are epoch ms everywhere.
 */

export const READINGS_MEASUREMENT = 'water_quality';
export const SECTION_CLASS_MEASUREMENT = 'section_class';
export const ALERT_MEASUREMENT = 'alert';

const NEEDS_ESCAPE = /[,= \\]/;

/** A tag key or value, or a field key, escaped for line protocol. */
export function escapeTag(value: string): string {
  return NEEDS_ESCAPE.test(value) ? value.replace(/[,= \\]/g, (c) => `\\${c}`) : value;
}

/** The inside of a string field value, escaped for line protocol. */
export function escapeString(value: string): string {
  return value.replace(/["\\]/g, (c) => `\\${c}`);
}

/** A string field value, quoted. */
export function stringField(value: string): string {
  return `"${escapeString(value)}"`;
}

/** The line of one section's class for an hour. */
export function sectionClassLine(p: { sectionId: string; riverId: string; ts: number; cls: number; deciding: readonly string[] }): string {
  return `${SECTION_CLASS_MEASUREMENT},river=${escapeTag(p.riverId)},section=${escapeTag(p.sectionId)} class=${Math.round(p.cls)}i,deciding=${stringField(p.deciding.join(','))} ${Math.floor(p.ts)}`;
}
