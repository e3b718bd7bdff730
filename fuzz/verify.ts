/**
 * After the inputs are sent: wait until the pipeline has settled, then read
 * back every dead letter and what InfluxDB holds, and judge each input
 * against what it should have caused.
 */
import type { InfluxStore } from '../platform/influx/client.js';
import type { Redis } from '../platform/redis/client.js';
import { CHANNELS, sleep, type BadInput, type Channel, type Ledger, type RefusedBeforeIngest } from './ledger.js';
import type { TimeWindows } from './time-windows.js';

/** Waits until the store group has nothing pending or undelivered and the dead letters stopped growing. */
export async function settle(redis: Redis, prefix: string, partitions: number, timeoutMs: number): Promise<{ settled: boolean; waitedMs: number }> {
  const started = Date.now();
  let lastLength = -1;
  let stableSince = Date.now();
  for (;;) {
    let busy = 0;
    for (let p = 0; p < partitions; p++) {
      const groups = (await redis.call('XINFO', 'GROUPS', `${prefix}:readings:${p}`).catch(() => [])) as unknown[][];
      for (const group of groups) {
        const fields = new Map<string, unknown>();
        for (let i = 0; i + 1 < group.length; i += 2) fields.set(String(group[i]), group[i + 1]);
        busy += Number(fields.get('pending') ?? 0) + Number(fields.get('lag') ?? 0);
      }
    }
    const length = Number(await redis.xlen(`${prefix}:deadletters`));
    if (length !== lastLength) {
      lastLength = length;
      stableSince = Date.now();
    }
    if (busy === 0 && Date.now() - stableSince >= 3_000) return { settled: true, waitedMs: Date.now() - started };
    if (Date.now() - started > timeoutMs) return { settled: false, waitedMs: Date.now() - started };
    await sleep(500);
  }
}

export interface DeadLetterIndex {
  readonly total: number;
  /** Dead letters by ingress and reason code. */
  readonly bySourceCode: Map<string, number>;
  readonly byMarker: Map<string, Set<string>>;
  readonly byPeerIp: Map<string, Set<string>>;
  /** Dead letters whose raw text still holds a secret: label → count. */
  readonly secretHits: Map<string, number>;
  /** Letters without a reason code or message. */
  readonly withoutReason: number;
}

/** Reads every dead letter once, indexing markers, peers and secrets (raw payloads are not kept). */
export async function indexDeadLetters(redis: Redis, prefix: string, secrets: readonly { label: string; pattern: string }[]): Promise<DeadLetterIndex> {
  const index: DeadLetterIndex = { total: 0, bySourceCode: new Map(), byMarker: new Map(), byPeerIp: new Map(), secretHits: new Map(), withoutReason: 0 };
  let mutableTotal = 0;
  let withoutReason = 0;
  let start = '-';
  const add = (map: Map<string, Set<string>>, key: string, code: string) => {
    let set = map.get(key);
    if (!set) map.set(key, (set = new Set()));
    set.add(code);
  };
  for (;;) {
    const page = (await redis.xrange(`${prefix}:deadletters`, start, '+', 'COUNT', 2000)) as [string, string[]][];
    if (page.length === 0) break;
    for (const [, fields] of page) {
      mutableTotal++;
      const letter = JSON.parse(fields[1] ?? '{}') as { source?: string; code?: string; message?: string; peer?: string; raw?: string };
      const code = letter.code ?? '';
      if (!code || !letter.message) withoutReason++;
      const key = `${letter.source ?? '?'} ${code || '(none)'}`;
      index.bySourceCode.set(key, (index.bySourceCode.get(key) ?? 0) + 1);
      const raw = letter.raw ?? '';
      for (const match of raw.matchAll(/~FZ(\d{8})~/g)) add(index.byMarker, match[0], code);
      if (letter.peer && letter.source !== 'mqtt') add(index.byPeerIp, letter.peer.replace(/:\d+$/, ''), code);
      for (const secret of secrets) {
        if (!raw.includes(secret.pattern)) continue;
        const key = `${secret.label.replace(/ of .*$/, 's')} in ${letter.source ?? '?'} ${code} letters (${(letter.message ?? '').replace(/\d+/g, 'N').slice(0, 40)})`;
        index.secretHits.set(key, (index.secretHits.get(key) ?? 0) + 1);
      }
    }
    start = `(${page[page.length - 1]?.[0]}`;
  }
  return { ...index, total: mutableTotal, withoutReason };
}

export interface ChannelVerdict {
  readonly channel: Channel;
  readonly badSent: number;
  /** Bad inputs that reached ingest and must be in the dead letters. */
  readonly expected: number;
  readonly deadLettered: number;
  readonly missing: BadInput[];
  readonly failures: BadInput[];
  readonly refusedBeforeIngest: Map<RefusedBeforeIngest, { count: number; deadLetteredAnyway: number }>;
  readonly byKind: Map<string, { sent: number; missing: number; failed: number }>;
}

export function judgeBadInputs(ledger: Ledger, index: DeadLetterIndex): ChannelVerdict[] {
  return CHANNELS.map((channel) => {
    const inputs = ledger.badOf(channel);
    const verdict: ChannelVerdict = { channel, badSent: inputs.length, expected: 0, deadLettered: 0, missing: [], failures: [], refusedBeforeIngest: new Map(), byKind: new Map() };
    let expected = 0;
    let deadLettered = 0;
    for (const input of inputs) {
      const found = (input.marker !== undefined && index.byMarker.has(input.marker)) || (input.peerIp !== undefined && index.byPeerIp.has(input.peerIp));
      const kindKey = input.kind.replace(/ \+ .*$/, '').replace(/^(body|headers|path|content-type): /, '$1: ');
      const kind = verdict.byKind.get(kindKey) ?? { sent: 0, missing: 0, failed: 0 };
      verdict.byKind.set(kindKey, kind);
      kind.sent++;
      if (input.refusedBeforeIngest === 'broker-acl' && found) input.failure ??= 'ACL breach: a publish on another station\'s topic reached ingest';
      if (input.failure) {
        verdict.failures.push(input);
        kind.failed++;
        continue;
      }
      if (input.refusedBeforeIngest) {
        const entry = verdict.refusedBeforeIngest.get(input.refusedBeforeIngest) ?? { count: 0, deadLetteredAnyway: 0 };
        entry.count++;
        if (found) entry.deadLetteredAnyway++;
        verdict.refusedBeforeIngest.set(input.refusedBeforeIngest, entry);
        continue;
      }
      expected++;
      if (found) deadLettered++;
      else {
        verdict.missing.push(input);
        kind.missing++;
      }
    }
    return { ...verdict, expected, deadLettered };
  });
}

export interface StoredVerdict {
  readonly channel: Channel;
  readonly sent: number;
  readonly acknowledged: number;
  readonly stored: number;
  /** Acknowledged but not in InfluxDB. */
  readonly lost: { stationId: string; ts: number }[];
  readonly notAcknowledged: { stationId: string; ts: number; problem?: string }[];
}

async function pointsIn(influx: InfluxStore, [from, to]: [number, number]): Promise<Set<string>> {
  const keys = new Set<string>();
  if (to <= from) return keys;
  const series = await influx.query(`SELECT "source" FROM water_quality WHERE time >= ${from}ms AND time < ${to}ms GROUP BY "station"`);
  for (const s of series) for (const row of s.values) keys.add(`${s.tags?.station ?? ''}|${String(row[0])}`);
  return keys;
}

/** Compares the valid readings acknowledged with what InfluxDB holds; also counts points in the ACL window (must be 0). */
export async function judgeStored(ledger: Ledger, influx: InfluxStore, windows: TimeWindows): Promise<{ verdicts: StoredVerdict[]; aclPoints: number }> {
  const ranges = windows.ranges();
  const stored = new Set([...(await pointsIn(influx, ranges.valid)), ...(await pointsIn(influx, ranges.hj212))]);
  const aclPoints = (await pointsIn(influx, ranges.acl)).size;
  const verdicts = CHANNELS.map((channel) => {
    const readings = ledger.valid.filter((v) => v.channel === channel);
    const acknowledged = readings.filter((v) => v.acknowledged);
    const lost = acknowledged.filter((v) => !stored.has(`${v.stationId}|${v.ts}`)).map(({ stationId, ts }) => ({ stationId, ts }));
    return {
      channel,
      sent: readings.length,
      acknowledged: acknowledged.length,
      stored: readings.filter((v) => stored.has(`${v.stationId}|${v.ts}`)).length,
      lost,
      notAcknowledged: readings.filter((v) => !v.acknowledged).map(({ stationId, ts, problem }) => ({ stationId, ts, ...(problem ? { problem } : {}) })),
    };
  });
  return { verdicts, aclPoints };
}
