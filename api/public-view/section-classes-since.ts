/**
 * Hourly class points of many sections since an instant, in one InfluxQL
 * query (measurement `section_class`, docs/influxdb-schema.md), for the
 * public view's class by day.
 */
import { anyOf, SECTION_CLASS_MEASUREMENT } from '../queries/influxql.js';
import { parseDeciding, rowsOf, type InfluxReader, type SectionClassPoint } from '../queries/readings-queries.js';
import type { WaterClass } from '../../domain/index.js';

export async function sectionClassesSince(influx: InfluxReader, sectionIds: readonly string[], fromMs: number): Promise<Map<string, SectionClassPoint[]>> {
  const out = new Map<string, SectionClassPoint[]>();
  if (sectionIds.length === 0) return out;
  const q = `SELECT "class", "deciding" FROM "${SECTION_CLASS_MEASUREMENT}" WHERE ${anyOf('section', sectionIds)} AND time >= ${Math.floor(fromMs)}ms GROUP BY "section"`;
  for (const series of await influx.query(q)) {
    const sectionId = series.tags?.section;
    if (!sectionId) continue;
    const points: SectionClassPoint[] = [];
    for (const row of rowsOf(series)) {
      const cls = Number(row.class);
      if (Number.isInteger(cls) && cls >= 1 && cls <= 6) points.push({ ts: Number(row.time), cls: cls as WaterClass, deciding: parseDeciding(row.deciding) });
    }
    out.set(sectionId, points);
  }
  return out;
}
