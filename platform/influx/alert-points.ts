/**
 * Alert openings in InfluxDB (measurement `alert`, docs/influxdb-schema.md),
 * so a centre that watches its rivers in Grafana can count alerts next to the
 * readings (issue 18). Reads the alerts event log through its own consumer
 * group, writes one point per opened alert, and acknowledges an entry only
 * after InfluxDB accepted its point: a crash redelivers, and a repeat writes
 * the same point (same series and time) again, which changes nothing.
 */
import type { Redis } from '../redis/client.js';
import type { Logger } from '../logger.js';
import { parseEntry, type LiveEvent } from '../redis/alerts/index.js';
import { StreamGroupReader } from '../redis/stream-group.js';
import { ALERT_MEASUREMENT, escapeTag, stringField } from './schema.js';
import type { InfluxStore } from './client.js';

/** Consumer group of the event log that feeds InfluxDB. */
export const ALERT_POINTS_GROUP = 'influx-alert-points';
export { ALERT_MEASUREMENT };
const BATCH = 200;
const BLOCK_MS = 1000;

/**
 * The line of an event, or undefined when it is not an alert opening.
 * Tags: river, section, kind, level (`none` for data-quality alerts), key
 * (the condition key, so two alerts opened in the same millisecond at one
 * section stay two points); fields: `opened` = 1 (count it), `id`.
 */
export function alertPointLine(event: LiveEvent): string | undefined {
  if (event.type !== 'alert' || event.transition.type !== 'opened') return undefined;
  const a = event.alert;
  const tags = [
    `river=${escapeTag(a.riverId ?? 'unknown')}`,
    `section=${escapeTag(a.sectionId)}`,
    `kind=${escapeTag(a.kind)}`,
    `level=${escapeTag(event.transition.level ?? a.level ?? 'none')}`,
    `key=${escapeTag(a.key)}`,
  ].join(',');
  return `${ALERT_MEASUREMENT},${tags} opened=1i,id=${stringField(a.id)} ${Math.floor(event.transition.at)}`;
}

export interface InfluxAlertPointsDeps {
  readonly redis: Redis;
  readonly streamKey: string;
  readonly influx: InfluxStore;
  /** Consumer name, stable across restarts (from RW_INSTANCE). */
  readonly consumer: string;
  readonly logger: Logger;
}

export class InfluxAlertPoints {
  readonly #reader: StreamGroupReader;

  constructor(deps: InfluxAlertPointsDeps) {
    this.#reader = new StreamGroupReader({
      redis: deps.redis,
      streamKey: deps.streamKey,
      group: ALERT_POINTS_GROUP,
      consumer: deps.consumer,
      connectionName: `rw-alert-points-${deps.consumer}`,
      logger: deps.logger,
      what: 'alert points',
      batch: BATCH,
      blockMs: BLOCK_MS,
      retryMs: 1000,
      handle: async (entries, reader) => {
        const lines = entries.flatMap(([id, fields]) => {
          // A pending entry trimmed from the stream comes back with null fields.
          const parsed = fields ? parseEntry([id, fields]) : undefined;
          const line = parsed ? alertPointLine(parsed.event) : undefined;
          return line ? [line] : [];
        });
        await deps.influx.writeLines(lines);
        await reader.ack(entries.map(([id]) => id));
        return true;
      },
    });
  }

  start(): Promise<void> {
    return this.#reader.start();
  }

  close(): Promise<void> {
    return this.#reader.close();
  }
}
