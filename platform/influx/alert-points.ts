/**
 * Alert openings in InfluxDB (measurement `alert`, docs/influxdb-schema.md),
 * so a centre that watches its rivers in Grafana can count alerts next to the
 * readings (issue 18). Reads the alerts event log through its own consumer
 * group, writes one point per opened alert, and acknowledges an entry only
 * after InfluxDB accepted its point: a crash redelivers, and a repeat writes
 * the same point (same series and time) again, which changes nothing.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { parseEntry, type LiveEvent } from '../redis/alerts/index.js';
import type { InfluxStore } from './client.js';

/** Consumer group of the event log that feeds InfluxDB. */
export const ALERT_POINTS_GROUP = 'influx-alert-points';
export const ALERT_MEASUREMENT = 'alert';
const BATCH = 200;
const BLOCK_MS = 1000;

type RawEntries = [string, [string, string[]][]][] | null;

const tag = (v: string): string => v.replace(/[,= \\]/g, (c) => `\\${c}`);
const text = (v: string): string => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`;

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
    `river=${tag(a.riverId ?? 'unknown')}`,
    `section=${tag(a.sectionId)}`,
    `kind=${tag(a.kind)}`,
    `level=${tag(event.transition.level ?? a.level ?? 'none')}`,
    `key=${tag(a.key)}`,
  ].join(',');
  return `${ALERT_MEASUREMENT},${tags} opened=1i,id=${text(a.id)} ${Math.floor(event.transition.at)}`;
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
  readonly #deps: InfluxAlertPointsDeps;
  #blocking: Redis | undefined;
  #loop: Promise<void> | undefined;
  #stopped = false;

  constructor(deps: InfluxAlertPointsDeps) {
    this.#deps = deps;
  }

  async start(): Promise<void> {
    if (this.#loop) return;
    this.#stopped = false;
    this.#blocking = this.#deps.redis.duplicate({ connectionName: `rw-alert-points-${this.#deps.consumer}` });
    await this.#ensureGroup();
    this.#loop = this.#run();
  }

  async close(): Promise<void> {
    this.#stopped = true;
    this.#blocking?.disconnect();
    await this.#loop;
    this.#loop = undefined;
    this.#blocking = undefined;
  }

  async #ensureGroup(): Promise<void> {
    try {
      // From the start of the log: alerts opened before this writer first ran are counted too.
      await this.#deps.redis.xgroup('CREATE', this.#deps.streamKey, ALERT_POINTS_GROUP, '0', 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
  }

  async #run(): Promise<void> {
    const { redis, streamKey, influx, consumer, logger } = this.#deps;
    let pending = true;
    while (!this.#stopped) {
      try {
        const args: (string | number)[] = ['GROUP', ALERT_POINTS_GROUP, consumer, 'COUNT', BATCH];
        if (!pending) args.push('BLOCK', BLOCK_MS);
        args.push('STREAMS', streamKey, pending ? '0' : '>');
        const raw = (await this.#blocking!.call('XREADGROUP', ...args)) as RawEntries;
        const entries = raw?.[0]?.[1] ?? [];
        if (pending && entries.length === 0) {
          pending = false;
          continue;
        }
        const lines = entries.flatMap((entry) => {
          // A pending entry trimmed from the stream comes back with null fields.
          const parsed = entry[1] ? parseEntry(entry) : undefined;
          const line = parsed ? alertPointLine(parsed.event) : undefined;
          return line ? [line] : [];
        });
        await influx.writeLines(lines);
        if (entries.length > 0) await redis.xack(streamKey, ALERT_POINTS_GROUP, ...entries.map(([id]) => id));
      } catch (err) {
        if (this.#stopped) break;
        if (String((err as Error).message).includes('NOGROUP')) await this.#ensureGroup().catch(() => undefined);
        logger.warn({ err }, 'alert points: read or write failed; retrying');
        pending = true;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }
}
