/**
 * Integration-test services: real Redis, Mosquitto and InfluxDB 1.x started
 * on free ports in a fresh temp folder (platform/local/services.ts).
 *
 * ```ts
 * let svc: TestServices<{ redis: true; influx: true }>;
 * beforeAll(async () => { svc = await startServices({ redis: true, influx: true }); });
 * afterAll(() => svc?.close());
 * // svc.redis.url, svc.influx.url, svc.uniqueName('readings'), svc.redis.stop() / .start() / .kill()
 * ```
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startInflux, startMosquitto, startRedis, type InfluxOptions, type LocalService, type MosquittoOptions, type RedisOptions } from '../../platform/local/services.js';

type Without<T> = Omit<T, 'dir'>;

/** Which services to start; `true` = defaults, an object = options (its `dir` is chosen by the harness). */
export interface ServicesRequest {
  readonly redis?: boolean | Without<RedisOptions>;
  readonly mosquitto?: boolean | Without<MosquittoOptions>;
  readonly influx?: boolean | Without<InfluxOptions>;
}

type Started<V> = V extends false | undefined ? undefined : LocalService;

/** Started services; a requested service's handle is typed as present. */
export type TestServices<R extends ServicesRequest = ServicesRequest> = {
  /** The temp folder holding every service's data, config and log (removed by `close()`). */
  readonly dir: string;
  readonly redis: Started<R['redis']>;
  readonly mosquitto: Started<R['mosquitto']>;
  readonly influx: Started<R['influx']>;
  /** A name unique in this run, for streams, queues, consumer groups, databases, topics: `${prefix}_<hex>`. */
  uniqueName(prefix: string): string;
  /** Stops every service and removes the temp folder; idempotent. */
  close(): Promise<void>;
};

/** Starts the requested services in parallel in a new temp folder. */
export async function startServices<const R extends ServicesRequest>(request: R): Promise<TestServices<R>> {
  const dir = await mkdtemp(join(tmpdir(), 'riverwatch-test-'));
  const options = <T extends object>(value: boolean | T | undefined): T | undefined =>
    value === undefined || value === false ? undefined : value === true ? ({} as T) : value;
  const redisOptions = options(request.redis);
  const mosquittoOptions = options(request.mosquitto);
  const influxOptions = options(request.influx);

  const results = await Promise.allSettled([
    redisOptions && startRedis({ ...redisOptions, dir: join(dir, 'redis') }),
    mosquittoOptions && startMosquitto({ ...mosquittoOptions, dir: join(dir, 'mosquitto') }),
    influxOptions && startInflux({ ...influxOptions, dir: join(dir, 'influx') }),
  ]);
  const handles = results.map((r) => (r.status === 'fulfilled' ? r.value : undefined));
  const [redis, mosquitto, influx] = handles;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      const errors: unknown[] = [];
      await Promise.all(handles.map((h) => h?.close().catch((err: unknown) => errors.push(err))));
      await rm(dir, { recursive: true, force: true }).catch((err: unknown) => errors.push(err));
      if (errors.length > 0) throw new AggregateError(errors, 'closing test services failed');
    })());

  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
  if (failures.length > 0) {
    // Keep the folder: the logs in it say why. Stop what did start.
    await Promise.all(handles.map((h) => h?.close().catch(() => undefined)));
    throw new AggregateError(
      failures,
      `test services did not start (logs in ${dir}): ${failures.map((f) => String(f)).join(' | ')}`,
    );
  }

  return {
    dir,
    redis,
    mosquitto,
    influx,
    uniqueName: (prefix: string) => `${prefix}_${randomBytes(6).toString('hex')}`,
    close,
  } as TestServices<R>;
}
