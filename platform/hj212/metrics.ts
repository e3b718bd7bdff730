/**
 * Prometheus metrics of the HJ 212 server, registered on an injected prom-client registry
 * (never the global default one), so several servers and tests do not collide.
 */
import { Counter, Gauge, type Registry as MetricsRegistry } from 'prom-client';

/**
 * Command codes counted under their own label (domain-facts §3.4); anything else counts as `other`,
 * so a peer cannot grow the label set without bound.
 */
const KNOWN_CNS = new Set([
  '1000',
  '1011',
  '1012',
  '1013',
  '1061',
  '1062',
  '1063',
  '1064',
  '1072',
  '2011',
  '2012',
  '2021',
  '2022',
  '2031',
  '2041',
  '2051',
  '2061',
  '2072',
  '2081',
  '3015',
  '3017',
  '3018',
  '3019',
  '3020',
  '8013',
  '9011',
  '9012',
  '9013',
  '9014',
  '9015',
]);

/** The `cn` label for a command code. */
export function cnLabel(cn: string): string {
  return KNOWN_CNS.has(cn) ? cn : 'other';
}

export interface Hj212Metrics {
  readonly connections: Gauge;
  readonly packets: Counter<'cn'>;
  readonly crcFailures: Counter;
  readonly frameErrors: Counter<'reason'>;
  readonly rejectedLogins: Counter<'reason'>;
  readonly refusedConnections: Counter<'reason'>;
  readonly withheldAnswers: Counter<'reason'>;
  readonly clockCorrections: Counter<'reason'>;
  readonly diagnostics: Counter<'kind'>;
  readonly untrackedItems: Counter<'code'>;
  readonly refusalsAnswered: Counter<'qn_rtn'>;
}

function counter<L extends string>(
  registry: MetricsRegistry,
  name: string,
  help: string,
  labelNames: readonly L[] = [],
): Counter<L> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<L>;
  return new Counter<L>({ name, help, labelNames, registers: [registry] });
}

/** Creates (or reuses, when already registered) the server's metrics on `registry`. */
export function createHj212Metrics(registry: MetricsRegistry): Hj212Metrics {
  const connectionsName = 'riverwatch_hj212_connections';
  const connections =
    (registry.getSingleMetric(connectionsName) as Gauge | undefined) ??
    new Gauge({ name: connectionsName, help: 'HJ 212 gateway connections open now', registers: [registry] });
  return {
    connections,
    packets: counter(
      registry,
      'riverwatch_hj212_packets_total',
      'HJ 212 packets received with a valid frame and CRC, by command code',
      ['cn'],
    ),
    crcFailures: counter(registry, 'riverwatch_hj212_crc_failures_total', 'HJ 212 frames whose CRC did not match'),
    frameErrors: counter(registry, 'riverwatch_hj212_frame_errors_total', 'HJ 212 malformed frames and garbage runs, by reason', [
      'reason',
    ]),
    rejectedLogins: counter(
      registry,
      'riverwatch_hj212_rejected_logins_total',
      'HJ 212 packets refused for an unknown MN or a wrong PW',
      ['reason'],
    ),
    refusedConnections: counter(
      registry,
      'riverwatch_hj212_refused_connections_total',
      'HJ 212 connections closed at once (banned peer, too many connections, closing)',
      ['reason'],
    ),
    withheldAnswers: counter(
      registry,
      'riverwatch_hj212_withheld_answers_total',
      'HJ 212 data responses (9014) withheld so the data logger resends',
      ['reason'],
    ),
    clockCorrections: counter(
      registry,
      'riverwatch_hj212_clock_corrections_total',
      'HJ 212 set-time commands (1012) sent: on a logger request (1013) or because its clock was off',
      ['reason'],
    ),
    diagnostics: counter(registry, 'riverwatch_hj212_diagnostics_total', 'HJ 212 non-measurement uploads stored, by kind', ['kind']),
    untrackedItems: counter(
      registry,
      'riverwatch_hj212_untracked_codes_total',
      'HJ 212 uploads carrying a recognised pollutant code RiverWatch does not track (COD, flow, ...), by code',
      ['code'],
    ),
    refusalsAnswered: counter(
      registry,
      'riverwatch_hj212_refusals_answered_total',
      'HJ 212 packets refused by the parser and answered 9011 with a QnRtn (the logger asked for an answer)',
      ['qn_rtn'],
    ),
  };
}
