/** Prints the fuzz report and decides which targets were missed. */
import type { Channel, Ledger } from './ledger.js';
import type { LogScan, MemorySnapshot } from './probes.js';
import type { ChannelVerdict, DeadLetterIndex, StoredVerdict } from './verify.js';

export interface FuzzReport {
  readonly seed: string;
  readonly requestedInputs: number;
  readonly durationS: { setup: number; send: number; settle: number; total: number };
  readonly stoppedAtBudget: boolean;
  readonly settled: boolean;
  readonly ledger: Ledger;
  readonly verdicts: ChannelVerdict[];
  readonly stored: StoredVerdict[];
  readonly aclPoints: number;
  readonly deadLetters: DeadLetterIndex;
  readonly crashes: { uncaught: string[]; unhandledRejections: string[] };
  readonly afterRun: { readyz: string; hj212Accepts: boolean; prototypeIntact: boolean };
  readonly memory: { before: MemorySnapshot; after: MemorySnapshot; released: MemorySnapshot };
  /** Inputs sent (the ledger's records are released before the report is printed). */
  readonly sent: { bad: number; valid: number };
  readonly log: LogScan;
  readonly peerLimiter: string;
  readonly agencyKeyProbe: string;
  readonly amplification: { payloadBytes: number; letters: number; redisMb: number; status: number } | undefined;
  readonly excluded: readonly string[];
}

const pct = (n: number, d: number): string => (d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(2)}%`);
const mb = (n: number): string => (Number.isFinite(n) ? `${n.toFixed(1)} MB` : 'n/a');

/** Prints the report; returns the missed targets (empty = all met). */
export function printReport(r: FuzzReport, out: (line: string) => void): string[] {
  const missed: string[] = [];
  const bad = r.sent.bad;
  const valid = r.sent.valid;
  out('');
  out('=== RiverWatch hostile-input fuzz report ===');
  out(`seed ${JSON.stringify(r.seed)}; malformed inputs requested ${r.requestedInputs}, sent ${bad}; valid readings interleaved ${valid}`);
  out(`time: setup ${r.durationS.setup.toFixed(0)} s, sending ${r.durationS.send.toFixed(0)} s, settling ${r.durationS.settle.toFixed(0)} s, total ${r.durationS.total.toFixed(0)} s${r.stoppedAtBudget ? ' (STOPPED AT THE TIME BUDGET)' : ''}`);
  if (r.excluded.length > 0) out(`excluded kinds (--exclude): ${r.excluded.join(', ')}`);
  if (r.stoppedAtBudget || bad < r.requestedInputs) missed.push(`only ${bad} of ${r.requestedInputs} malformed inputs were sent`);
  if (!r.settled) missed.push('the pipeline did not settle (store lag or dead letters still moving) before verification');

  out('');
  out('-- inputs per channel --');
  out('channel  malformed  valid   reached-ingest  dead-lettered        refused-before-ingest (by design)');
  for (const v of r.verdicts) {
    const s = r.stored.find((x) => x.channel === v.channel) as StoredVerdict;
    const refused = [...v.refusedBeforeIngest.entries()].map(([why, e]) => `${why} ${e.count}${e.deadLetteredAnyway ? ` (${e.deadLetteredAnyway} dead-lettered anyway)` : ''}`).join(', ');
    out(`${v.channel.padEnd(8)} ${String(v.badSent).padStart(9)}  ${String(s.sent).padStart(6)}  ${String(v.expected).padStart(14)}  ${`${v.deadLettered} (${pct(v.deadLettered, v.expected)})`.padEnd(19)}  ${refused || '-'}`);
  }

  out('');
  out('-- target: every bad input that reached ingest is in the dead letters with a reason (100%) --');
  for (const v of r.verdicts) {
    if (v.missing.length > 0) {
      missed.push(`${v.channel}: ${v.missing.length} bad inputs reached ingest without a dead letter`);
      const kinds = new Map<string, number>();
      for (const m of v.missing) kinds.set(m.kind, (kinds.get(m.kind) ?? 0) + 1);
      out(`${v.channel}: MISSING ${v.missing.length}: ${[...kinds.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ×${n}`).join('; ')}`);
      for (const m of v.missing.slice(0, 3)) out(`   e.g. #${m.id} ${m.kind}${m.status ? ` HTTP ${m.status}` : ''}: ${m.sample}`);
    } else out(`${v.channel}: all ${v.expected} dead-lettered`);
    if (v.failures.length > 0) {
      missed.push(`${v.channel}: ${v.failures.length} inputs got a wrong answer (5xx, accepted, ACL breach, no answer)`);
      const reasons = new Map<string, { n: number; kind: string; sample: string }>();
      for (const f of v.failures) {
        const key = (f.failure ?? '').replace(/\d{3} \{.*$/, (m) => m.slice(0, 3));
        const e = reasons.get(key) ?? { n: 0, kind: f.kind, sample: f.sample };
        e.n++;
        reasons.set(key, e);
      }
      out(`${v.channel}: WRONG ANSWERS ${v.failures.length}:`);
      for (const [reason, e] of [...reasons.entries()].sort((a, b) => b[1].n - a[1].n).slice(0, 8)) out(`   ×${e.n} ${reason.slice(0, 160)}  (e.g. ${e.kind}: ${e.sample.slice(0, 100)})`);
    }
  }
  out(`dead letters in Redis: ${r.deadLetters.total}; without a reason code or message: ${r.deadLetters.withoutReason}`);
  if (r.deadLetters.withoutReason > 0) missed.push(`${r.deadLetters.withoutReason} dead letters without a reason`);
  out(`by ingress and reason: ${[...r.deadLetters.bySourceCode.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ')}`);

  out('');
  out('-- target: every valid reading acknowledged and stored in InfluxDB (100%) --');
  for (const s of r.stored) {
    out(`${s.channel.padEnd(6)} sent ${s.sent}, acknowledged ${s.acknowledged}, stored ${s.stored} (${pct(s.stored, s.sent)}), acknowledged but lost ${s.lost.length}`);
    if (s.lost.length > 0) missed.push(`${s.channel}: ${s.lost.length} acknowledged valid readings are not in InfluxDB`);
    if (s.notAcknowledged.length > 0) {
      missed.push(`${s.channel}: ${s.notAcknowledged.length} valid readings were not acknowledged`);
      out(`   not acknowledged: ${s.notAcknowledged.length}, e.g. ${s.notAcknowledged.slice(0, 3).map((n) => `${n.stationId}@${n.ts} ${n.problem ?? ''}`).join('; ')}`);
    }
  }
  out(`points in the ACL-probe window (publishes on another station's topic; must be 0): ${r.aclPoints}`);
  if (r.aclPoints > 0) missed.push(`${r.aclPoints} readings published on another station's topic were stored`);

  out('');
  out('-- target: no crash (0 unhandled errors; the process and every role still answer) --');
  out(`uncaught exceptions ${r.crashes.uncaught.length}, unhandled rejections ${r.crashes.unhandledRejections.length}`);
  for (const e of [...r.crashes.uncaught, ...r.crashes.unhandledRejections].slice(0, 5)) out(`   ${e.slice(0, 200)}`);
  if (r.crashes.uncaught.length + r.crashes.unhandledRejections.length > 0) missed.push('unhandled errors in the process');
  out(`after the run: /readyz ${r.afterRun.readyz}; HJ 212 server accepts connections: ${r.afterRun.hj212Accepts ? 'yes' : 'NO'}; built-in prototypes unchanged: ${r.afterRun.prototypeIntact ? 'yes' : 'NO'}`);
  if (!r.afterRun.readyz.startsWith('200')) missed.push('/readyz is not 200 after the run');
  if (!r.afterRun.hj212Accepts) missed.push('the HJ 212 server no longer accepts connections');
  if (!r.afterRun.prototypeIntact) missed.push('a built-in prototype changed (prototype pollution)');
  if (r.log.heldMessages > 0) {
    out(`MQTT ingress connections holding a message they cannot process (each retries without end and handles nothing else): ${r.log.heldMessages} warning(s) "could not append to the readings log; holding the message and retrying"`);
  }
  out(`errors the roles logged: ${r.log.errors.size === 0 ? 'none' : ''}`);
  for (const [msg, n] of [...r.log.errors.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8)) out(`   ×${n} ${msg}`);

  out('');
  out('-- memory (after a full GC; "after" = once the pipeline settled, before verification) --');
  const m = r.memory;
  out(`this process (roles + fuzzer): RSS ${mb(m.before.rssMb)} → ${mb(m.after.rssMb)}, heap used ${mb(m.before.heapUsedMb)} → ${mb(m.after.heapUsedMb)}; after releasing the fuzzer's own records: RSS ${mb(m.released.rssMb)}, heap used ${mb(m.released.heapUsedMb)}`);
  out(`redis used_memory ${mb(m.before.redisUsedMb)} → ${mb(m.after.redisUsedMb)} (holds the dead letters); mosquitto RSS ${mb(m.before.mosquittoRssMb)} → ${mb(m.after.mosquittoRssMb)}; influxd RSS ${mb(m.before.influxRssMb)} → ${mb(m.after.influxRssMb)}`);

  out('');
  out('-- security probes --');
  out(`roles' log: ${r.log.lines} lines (${Object.entries(r.log.byLevel).map(([l, n]) => `${l} ${n}`).join(', ')}), ${r.log.redacted} with [redacted] values`);
  const logHits = [...r.log.secretHits.entries()];
  out(`secrets found in the log: ${logHits.length === 0 ? 'none (station tokens, MQTT passwords, HJ 212 PW=…)' : logHits.map(([k, n]) => `${k} ×${n}`).join(', ')}`);
  if (logHits.length > 0) missed.push(`secrets in the log: ${logHits.map(([k]) => k).join(', ')}`);
  const dlHits = [...r.deadLetters.secretHits.entries()];
  out(`secrets found in dead-letter raw payloads: ${dlHits.length === 0 ? 'none' : dlHits.map(([k, n]) => `${k} ×${n}`).join(', ')} (reported, not a target: dead letters are operator data)`);
  out(`HJ 212 per-peer limiter: ${r.peerLimiter}`);
  out(`agency key in a URL (the live-events route accepts ?key=): ${r.agencyKeyProbe}; the log scan above includes that key`);
  if (r.amplification) {
    const a = r.amplification;
    out(`dead-letter amplification: one HTTP request of ${(a.payloadBytes / 1024).toFixed(1)} KiB with 1 reading of ${a.letters} unknown parameters (HTTP ${a.status}) → ${a.letters} dead letters, each holding the whole body: Redis +${a.redisMb.toFixed(1)} MB (${((a.redisMb * 2 ** 20) / a.payloadBytes).toFixed(0)}× the request)`);
  }
  if (r.ledger.clientErrors.size > 0) out(`fuzzer-side client errors (not pipeline failures): ${[...r.ledger.clientErrors.entries()].map(([k, n]) => `${k} ×${n}`).join('; ')}`);

  out('');
  out(missed.length === 0 ? 'RESULT: all targets met' : `RESULT: ${missed.length} target(s) missed:`);
  for (const line of missed) out(`  - ${line}`);
  return missed;
}

/** Per-channel share of the malformed inputs. */
export const CHANNEL_SHARE: Readonly<Record<Channel, number>> = { mqtt: 0.45, http: 0.2, hj212: 0.35 };
