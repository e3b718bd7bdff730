/** The drill's command line: its usage text and the options it takes (`npm run drill -- --help`). */
import { parseArgs } from 'node:util';
import { DRILL_REDIS_MODES, type DrillRedisMode } from './redis-under-test.js';

export const USAGE = `npm run drill -- [options]
  --span-days N     simulated days of the taipu-spill scenario (default 6; 18 stations every 5 min;
                    the spill starts on day 2)
  --load-s N        wall time the whole span would take (default 810: ~38 readings/s); the load
                    stops 10 s after the last fault, but not before the spill has passed (day 3.5)
  --kills N         kill -9 rounds over every role (default 3)
  --high-water N    RW_INGEST_HIGH_WATER during the back-pressure phase, entries (default 600;
                    the rest of the drill runs with the shipped default, 1,000,000)
  --share-group G   RW_MQTT_SHARE_GROUP of ingest (default '': plain subscriptions by section,
                    the shipped default; a name = one shared-subscription group)
  --redis MODE      single (default: one redis-server, stopped and started in round 2), sentinel (master,
                    2 replicas, 3 sentinels) or cluster (3 masters, 3 replicas): with these the roles run
                    with RW_REDIS_WAIT_REPLICAS=1 and every round kill -9s a master (3 failovers)
  --no-reference    skip the single-process comparison run at the end
  --no-broker-kill  skip the kill -9 of Mosquitto
  --keep            keep the temp folder (logs, data) even when the drill passes
  --json FILE       also write the report as JSON
Time budget: 14.5 minutes, after which the drill stops and fails.`;


export interface Options {
  loadS: number;
  spanDays: number;
  kills: number;
  highWater: number;
  reference: boolean;
  brokerKill: boolean;
  shareGroup: string;
  redis: DrillRedisMode;
  keep: boolean;
  json: string | undefined;
}

export function parseOptions(argv: string[]): Options | string {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        'load-s': { type: 'string' },
        'span-days': { type: 'string' },
        kills: { type: 'string' },
        'high-water': { type: 'string' },
        'no-reference': { type: 'boolean' },
        'no-broker-kill': { type: 'boolean' },
        'share-group': { type: 'string' },
        redis: { type: 'string' },
        keep: { type: 'boolean' },
        json: { type: 'string' },
        help: { type: 'boolean' },
      },
    });
  } catch (err) {
    return (err as Error).message;
  }
  const v = parsed.values;
  if (v.help) return '';
  const num = (text: string | undefined, fallback: number, min: number, max: number, name: string): number => {
    const n = text === undefined ? fallback : Number(text);
    if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} must be a number from ${min} to ${max}`);
    return n;
  };
  const redis = (v.redis ?? 'single') as DrillRedisMode;
  if (!DRILL_REDIS_MODES.includes(redis)) return `--redis must be one of ${DRILL_REDIS_MODES.join(', ')}`;
  try {
    return {
      loadS: num(v['load-s'], 810, 60, 1200, 'load-s'),
      spanDays: num(v['span-days'], 6, 3, 20, 'span-days'),
      kills: num(v.kills, 3, 0, 10, 'kills'),
      highWater: num(v['high-water'], 600, 10, 1_000_000, 'high-water'),
      reference: !v['no-reference'],
      brokerKill: !v['no-broker-kill'],
      shareGroup: v['share-group'] ?? '',
      redis,
      keep: v.keep ?? false,
      json: v.json,
    };
  } catch (err) {
    return (err as Error).message;
  }
}
