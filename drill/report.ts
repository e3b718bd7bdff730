/** The drill's report: plain-text tables for the terminal and the same figures as JSON. */
import type { IngressPath } from './ack-ledger.js';
import type { FaultResult, PushBackResult } from './faults.js';
import type { UnexpectedExit } from './role-process.js';
import type { AlertFindings, Expectation, StoreComparison } from './verify.js';

export interface PathFigures {
  readonly stations: number;
  readonly sent: number;
  readonly acked: number;
  readonly stored: number;
  readonly lost: number;
}

export interface Target {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface DrillReport {
  readonly startedAt: string;
  readonly durationS: number;
  readonly dir: string;
  readonly load: {
    readonly readings: number;
    readonly spanDays: number;
    readonly loadS: number;
    readonly seed: number;
    readonly shareGroup: string;
    /** The Redis topology and where it ran. */
    readonly redis?: string;
  };
  readonly paths: Readonly<Record<IngressPath, PathFigures>>;
  readonly readings: Omit<StoreComparison, 'lost'> & {
    readonly lost: number;
    readonly lostInBrokerKillWindow: number;
    readonly lostSample: readonly string[];
  };
  readonly deadLetters: number;
  readonly alerts: AlertFindings & { readonly expectations: readonly Expectation[] };
  readonly reference?: {
    readonly same: number;
    readonly onlyInDrill: readonly string[];
    readonly onlyInReference: readonly string[];
    readonly tasksSame: boolean;
  };
  /** With the acknowledged readings lost around each fault. */
  readonly faults: readonly (FaultResult & { readonly lost: number })[];
  readonly pushBack: PushBackResult | undefined;
  readonly unexpectedExits: readonly Omit<UnexpectedExit, 'tail'>[];
  readonly maxLogEntriesOutsideHighWater: number;
  readonly recoveryTargetMs: number;
  readonly targets: readonly Target[];
}

const s = (ms: number | null | undefined): string => (ms === null || ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);

/** A text table; numeric-looking cells are right-aligned, the last column is not padded. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.every((r) => /^[+\-—]?[\d.]*( s)?$/.test(r[i] ?? '')));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) =>
        i === cells.length - 1 && !numeric[i] ? c : numeric[i] ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number),
      )
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].map((l) => `  ${l}`).join('\n');
}

export function renderReport(r: DrillReport): string {
  const out: string[] = [];
  out.push(`RiverWatch fault drill, started ${r.startedAt}, ran ${Math.round(r.durationS)} s; logs and data in ${r.dir}`);
  out.push(
    `Load: ${r.load.readings} readings of the taipu-spill scenario (seed ${r.load.seed}, 18 stations, the spill on day 2) sent over ${r.load.loadS} s; ` +
      `ingest ${r.load.shareGroup ? `in the shared subscription group "${r.load.shareGroup}"` : 'with plain subscriptions by section'}` +
      (r.load.redis ? `; Redis: ${r.load.redis}` : ''),
  );
  out.push('');
  out.push('Readings (acknowledged = MQTT PUBACK from the broker, HTTP 202, HJ 212 9014)');
  const paths = Object.entries(r.paths) as [IngressPath, PathFigures][];
  out.push(
    table(
      ['path', 'stations', 'sent', 'acknowledged', 'stored', 'lost'],
      [
        ...paths.map(([p, f]) => [p, String(f.stations), String(f.sent), String(f.acked), String(f.stored), String(f.lost)]),
        [
          'total',
          String(paths.reduce((n, [, f]) => n + f.stations, 0)),
          String(r.readings.sent),
          String(r.readings.acked),
          String(r.readings.ackedStored),
          String(r.readings.lost),
        ],
      ],
    ),
  );
  out.push(
    `  points in InfluxDB ${r.readings.storedPoints}; duplicated points ${r.readings.duplicatePoints}; points matching no sent reading ${r.readings.strays}; ` +
      `stored though never acknowledged ${r.readings.storedUnacked}; refused with a reason ${r.readings.refused}; dead letters ${r.deadLetters}`,
  );
  if (r.readings.lostInBrokerKillWindow > 0)
    out.push(
      `  of the lost: ${r.readings.lostInBrokerKillWindow} acknowledged by Mosquitto within 2 s before its kill -9 (persisted every 1 s: documented limit)`,
    );
  if (r.readings.lostSample.length > 0) out.push(`  lost, first ones: ${r.readings.lostSample.join(', ')}`);
  out.push('');
  out.push('Alerts and tasks');
  out.push(
    `  alerts ${r.alerts.alerts} (pollution ${r.alerts.pollutionAlerts}), tasks ${r.alerts.tasks}; two alerts of one condition open at once: ${r.alerts.overlappingAlerts.length}; ` +
      `alerts opened twice: ${r.alerts.reopenedAlerts.length}; duplicate tasks: ${r.alerts.duplicateTasks.length}`,
  );
  out.push(
    table(
      ['expected', 'present', 'detail'],
      r.alerts.expectations.map((e) => [e.name, e.ok ? 'yes' : 'NO', e.detail]),
    ),
  );
  if (r.reference) {
    out.push(
      `  against a single-process run of the same readings: ${r.reference.same} alerts alike, ${r.reference.onlyInDrill.length} only in the drill, ` +
        `${r.reference.onlyInReference.length} only in the reference; tasks ${r.reference.tasksSame ? 'alike' : 'DIFFER'}`,
    );
    for (const a of r.reference.onlyInDrill) out.push(`    drill only:     ${a}`);
    for (const a of r.reference.onlyInReference) out.push(`    reference only: ${a}`);
  }
  out.push('');
  out.push(
    `Faults (back = the role started again / the dependency answering again; recovery = from back to the role's first work; target ${s(r.recoveryTargetMs)})`,
  );
  out.push(
    table(
      ['fault', 'injected', 'back after', 'ready', 'lost', 'recovery per role'],
      r.faults.map((f) => [
        f.name,
        `+${Math.round((f.at - Date.parse(r.startedAt)) / 1000)} s`,
        s(f.backAt - f.at),
        f.readyMs === undefined ? '' : s(f.readyMs),
        String(f.lost),
        Object.entries(f.recoveryMs)
          .map(([role, ms]) => `${role} ${s(ms)}${ms === null || ms > r.recoveryTargetMs ? ' (!)' : ''}`)
          .join(', ') + (f.notes.length ? `  [${f.notes.join('; ')}]` : ''),
      ]),
    ),
  );
  const worst = new Map<string, number>();
  for (const f of r.faults)
    for (const [role, ms] of Object.entries(f.recoveryMs)) worst.set(role, Math.max(worst.get(role) ?? 0, ms ?? Infinity));
  out.push(
    `  slowest recovery per role: ${[...worst].map(([role, ms]) => `${role} ${Number.isFinite(ms) ? s(ms) : 'none seen'}`).join(', ')}`,
  );
  out.push('');
  if (r.pushBack) {
    const p = r.pushBack;
    out.push(`Back-pressure (ingress restarted with RW_INGEST_HIGH_WATER=${p.highWater} entries; store and analytics stopped)`);
    out.push(
      `  every ingress pushing back after ${s(p.overAfterMs)}; log entries at the peak ${p.entriesAtPeak}; HTTP 503 answers ${p.http503} (Retry-After ${p.retryAfterS.join(', ') || '—'} s); ` +
        `HJ 212 9014 withheld ${p.hj212Withheld}; readings queued in the broker for ingest at the peak ${p.brokerHeldPeak}; ` +
        `longest wait for an acknowledgement: ${
          Object.entries(p.longestAckWaitMs)
            .map(([k, v]) => `${k} ${s(v)}`)
            .join(', ') || '—'
        }; ` +
        `no ingress pushing back ${s(p.drainedAfterMs)} after the consumers restarted`,
    );
    out.push(`  largest readings log outside this phase: ${r.maxLogEntriesOutsideHighWater} entries`);
    out.push('');
  }
  if (r.unexpectedExits.length > 0) {
    out.push('Roles that exited on their own (restarted by the drill as a supervisor would)');
    for (const e of r.unexpectedExits)
      out.push(`  ${e.name} at +${Math.round((e.at - Date.parse(r.startedAt)) / 1000)} s: code ${e.code}, signal ${e.signal}`);
    out.push('');
  }
  out.push('Targets');
  out.push(
    table(
      ['target', 'met', 'detail'],
      r.targets.map((t) => [t.name, t.ok ? 'yes' : 'NO', t.detail]),
    ),
  );
  out.push('');
  out.push(
    r.targets.every((t) => t.ok)
      ? 'DRILL PASSED'
      : `DRILL FAILED: ${r.targets
          .filter((t) => !t.ok)
          .map((t) => t.name)
          .join('; ')}`,
  );
  return out.join('\n');
}
