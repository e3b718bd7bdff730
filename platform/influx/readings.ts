/**
 * Readings and section classes in InfluxDB as the analytics ports need them:
 * stored history for warm starts (InfluxQL), and the hourly section class
 * (measurement `section_class`, docs/influxdb-schema.md).
 */
import { isDataFlag, type DataFlag, type Reading, type ReadingHistory, type Registry, type SectionClassWriter } from '../../domain/index.js';
import { quoteString, type InfluxStore } from './client.js';
import { READINGS_MEASUREMENT, sectionClassLine } from './schema.js';

const NOT_VALUES = new Set(['time', 'river', 'section', 'station', 'seq', 'source']);

export class InfluxReadings implements ReadingHistory, SectionClassWriter {
  readonly #influx: InfluxStore;
  readonly #registry: Registry;

  constructor(influx: InfluxStore, registry: Registry) {
    this.#influx = influx;
    this.#registry = registry;
  }

  async readingsSince(stationIds: readonly string[], fromTs: number): Promise<Reading[]> {
    if (stationIds.length === 0) return [];
    const where = stationIds.map((id) => `station = ${quoteString(id)}`).join(' OR ');
    const series = await this.#influx.query(`SELECT * FROM ${READINGS_MEASUREMENT} WHERE (${where}) AND time >= ${Math.floor(fromTs)}ms ORDER BY time ASC LIMIT 200000`);
    const out: Reading[] = [];
    for (const s of series) {
      const index = new Map(s.columns.map((c, i) => [c, i]));
      for (const row of s.values) {
        const stationId = String(row[index.get('station') ?? -1] ?? '');
        const station = this.#registry.station(stationId);
        if (!station) continue;
        const values: Record<string, number> = {};
        const flags: Record<string, DataFlag> = {};
        for (const [column, i] of index) {
          const value = row[i];
          if (value === null || value === undefined || NOT_VALUES.has(column)) continue;
          if (column.endsWith('_flag')) {
            if (isDataFlag(value)) flags[column.slice(0, -5)] = value;
          } else if (typeof value === 'number') values[column] = value;
        }
        const ts = Number(row[index.get('time') ?? 0]);
        out.push({ stationId, sectionId: station.sectionId, ts, values, flags, source: 'replay', receivedAt: ts });
      }
    }
    return out;
  }

  async writeSectionClass(points: readonly { sectionId: string; riverId: string; ts: number; cls: number; deciding: readonly string[] }[]): Promise<void> {
    await this.#influx.writeLines(points.map(sectionClassLine));
  }
}
