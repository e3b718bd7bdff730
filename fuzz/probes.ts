/**
 * Checks around the fuzz run: memory, prototype pollution, secrets in the
 * roles' log, readiness after the run, and the dead-letter amplification of
 * one message with many refused values.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Station } from '../domain/index.js';
import type { Redis } from '../platform/redis/client.js';
import type { LocalService } from '../platform/local/services.js';

export interface MemorySnapshot {
  readonly rssMb: number;
  readonly heapUsedMb: number;
  readonly redisUsedMb: number;
  readonly mosquittoRssMb: number;
  readonly influxRssMb: number;
}

let gc: (() => void) | undefined;

/** A full GC when the runtime lets us ask for one (the flag is set at run time, no CLI flag needed). */
export function collectGarbage(): void {
  if (!gc) {
    setFlagsFromString('--expose_gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}

function rssOf(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

export async function memorySnapshot(redis: Redis, services: { mosquitto: LocalService; influx: LocalService }): Promise<MemorySnapshot> {
  collectGarbage();
  const usage = process.memoryUsage();
  const info = await redis.info('memory');
  const used = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? Number.NaN);
  return {
    rssMb: usage.rss / 2 ** 20,
    heapUsedMb: usage.heapUsed / 2 ** 20,
    redisUsedMb: used / 2 ** 20,
    mosquittoRssMb: rssOf(services.mosquitto.pid),
    influxRssMb: rssOf(services.influx.pid),
  };
}

/** Own property names of the built-in prototypes a pollution would touch. */
export function prototypeFingerprint(): string {
  const probe = {} as Record<string, unknown>;
  return JSON.stringify([Object.getOwnPropertyNames(Object.prototype).sort(), Object.getOwnPropertyNames(Array.prototype).sort(), probe.polluted, probe.stationId, probe.readings]);
}

export interface LogScan {
  readonly lines: number;
  readonly byLevel: Record<string, number>;
  /** Error/fatal messages by text (what the pipeline itself reported as failures). */
  readonly errors: Map<string, number>;
  readonly secretHits: Map<string, number>;
  readonly redacted: number;
  /** Warnings of the MQTT ingress holding a message it cannot get into the log (it retries without end). */
  readonly heldMessages: number;
}

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** Reads the roles' log once: lines per level, error messages, and every secret found in it. */
export async function scanLog(file: string, secrets: readonly { label: string; pattern: string }[]): Promise<LogScan> {
  const scan = { lines: 0, byLevel: {} as Record<string, number>, errors: new Map<string, number>(), secretHits: new Map<string, number>(), redacted: 0, heldMessages: 0 };
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line) continue;
    scan.lines++;
    const level = LEVELS[Number(/"level":(\d+)/.exec(line)?.[1])] ?? 'other';
    scan.byLevel[level] = (scan.byLevel[level] ?? 0) + 1;
    if (level === 'error' || level === 'fatal') {
      const msg = /"msg":"([^"]*)"/.exec(line)?.[1] ?? '(no msg)';
      const err = /"message":"([^"]{0,100})/.exec(line)?.[1];
      const key = `${msg}${err ? `: ${err}` : ''}`;
      scan.errors.set(key, (scan.errors.get(key) ?? 0) + 1);
    }
    if (line.includes('[redacted]')) scan.redacted++;
    if (line.includes('"msg":"could not append to the readings log; holding the message and retrying"')) scan.heldMessages++;
    for (const secret of secrets) {
      if (!line.includes(secret.pattern)) continue;
      // Group by kind of secret and by the log message that carried it: that names the leak.
      const key = `${secret.label.replace(/ of .*$/, 's')} in "${/"msg":"([^"]*)"/.exec(line)?.[1] ?? '?'}"${/"url":"[^"]*\?/.test(line) ? ' (request URL with its query string)' : ''}`;
      scan.secretHits.set(key, (scan.secretHits.get(key) ?? 0) + 1);
    }
  }
  return scan;
}

/**
 * One HTTP submission whose single reading carries `keys` unknown
 * parameters: each refused value becomes its own dead letter holding the
 * whole raw body. Measures how many letters and how much Redis memory one
 * request costs. (HTTP rather than MQTT: a stuck MQTT ingress, itself a
 * finding, must not hide this one.)
 */
export async function amplificationProbe(options: { apiUrl: string; station: Station; token: string; redis: Redis; prefix: string; keys: number; ts: number }): Promise<{ payloadBytes: number; letters: number; redisMb: number; status: number }> {
  const { redis, prefix } = options;
  const values = Object.fromEntries(Array.from({ length: options.keys }, (_, i) => [`unknown_param_${String(i).padStart(5, '0')}`, 1]));
  const payload = JSON.stringify({ stationId: options.station.id, ts: options.ts, values });
  const before = Number(await redis.xlen(`${prefix}:deadletters`));
  const memBefore = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]);
  const post = () => fetch(`${options.apiUrl}/api/v1/readings`, { method: 'POST', headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' }, body: payload });
  let response = await post();
  await response.arrayBuffer();
  if (response.status === 429) {
    // The run may have used this token's budget for the minute: wait as told, once.
    await new Promise((r) => setTimeout(r, Math.min(61, Number(response.headers.get('retry-after') ?? 60)) * 1000));
    response = await post();
    await response.arrayBuffer();
  }
  const after = Number(await redis.xlen(`${prefix}:deadletters`));
  const memAfter = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]);
  return { payloadBytes: Buffer.byteLength(payload), letters: after - before, redisMb: (memAfter - memBefore) / 2 ** 20, status: response.status };
}

/**
 * The live-events route takes an agency key in the query string (EventSource
 * cannot send headers): opens it once with a fresh key, so the log scan can
 * tell whether such URLs reach the log.
 */
export async function agencyKeyInUrlProbe(apiUrl: string, keys: { create(agencyId: string, label?: string): Promise<{ key: string }> }, agencyId: string): Promise<{ key: string; status: number }> {
  const { key } = await keys.create(agencyId, 'fuzz probe: key in URL');
  const controller = new AbortController();
  const response = await fetch(`${apiUrl}/api/v1/events?key=${encodeURIComponent(key)}`, { signal: controller.signal });
  controller.abort();
  return { key, status: response.status };
}
