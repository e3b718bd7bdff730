/**
 * What the server does with each authenticated packet, by command code (CN): one small handler per
 * kind, one signature (STYLE.md "Inbound messages go through a table of small handlers").
 */
import type { Clock } from '../../domain/clock.js';
import type { CounterPort, Logger } from '../../domain/ports.js';
import { AppError, type ErrorCode } from '../../domain/errors.js';
import type { ParameterTable } from '../../domain/parameters.js';
import type { IngestGateway } from '../../domain/ports.js';
import type { Station } from '../../domain/registry.js';
import type { StationDiagnostics } from '../../domain/station-diagnostics.js';
import type { ClockWatch } from './clock-watch.js';
import type { PendingCommands } from './commands.js';
import { DATA_UPLOAD_CNS, mapDataUpload } from './data.js';
import { parseCp, wantsAnswer, type CpGroups, type Hj212Packet } from './packet.js';
import type { QnGenerator } from './qn.js';
import type { SplitPart } from './reassembly.js';
import { dataResponse, requestResponse } from './responses.js';
import { QN_RTN } from './return-codes.js';
import { DIAGNOSTIC_CNS, diagnosticUpload, heartbeat, superviseClock, timeRequest } from './station-handlers.js';

/** Server-wide collaborators a handler may use. */
/** The counters the handlers keep (platform/hj212/metrics.ts registers them on prom-client). */
export interface Hj212HandlerMetrics {
  readonly withheldAnswers: CounterPort<'reason'>;
  readonly untrackedItems: CounterPort<'code'>;
  readonly clockCorrections: CounterPort<'reason'>;
  readonly diagnostics: CounterPort<'kind'>;
}

export interface HandlerDeps {
  readonly gateway: IngestGateway;
  readonly parameters: ParameterTable;
  readonly metrics: Hj212HandlerMetrics;
  readonly commands: PendingCommands;
  readonly timezoneOffsetMinutes: number;
  readonly diagnostics: StationDiagnostics;
  readonly clockWatch: ClockWatch;
  readonly qn: QnGenerator;
  readonly clock: Clock;
}

/** One authenticated packet (a split message already reassembled) and how to answer it. */
export interface PacketContext {
  readonly packet: Hj212Packet;
  /** Packet text with the password masked, for the readings log's raw field and dead letters. */
  readonly raw: string;
  readonly station: Station;
  /** For one part of a split upload: what earlier parts left (its DataTime). */
  readonly split: SplitPart | undefined;
  readonly peer: string;
  readonly log: Logger;
  readonly deps: HandlerDeps;
  /** Writes a packet to the data logger (dropped if the connection is gone). */
  reply(packetText: string): void;
  /** Records refused content in the dead letters; rejects when that could not be made durable. */
  deadLetter(code: ErrorCode, message: string): Promise<void>;
}

export type PacketHandler = (ctx: PacketContext) => Promise<void>;

/**
 * Pollutant data upload (2011/2051/2061/2031). The 9014 goes out only after the readings are in the
 * readings log (the gateway's promise resolved) and refused content is in the dead letters: the same
 * durability promise as the MQTT PUBACK (DESIGN.md "Guarantees"). Under backpressure, or when either
 * write fails, the 9014 is withheld and the data logger resends.
 */
const dataUpload: PacketHandler = async (ctx) => {
  const { packet, station, deps } = ctx;
  const cp = parseCp(packet.cp);
  const groups: CpGroups = cp.ok ? cp.value : [];
  const mapping = mapDataUpload(groups, {
    cn: packet.cn,
    stationId: station.id,
    parameters: deps.parameters,
    timezoneOffsetMinutes: deps.timezoneOffsetMinutes,
    stationCodes: station.hj212?.codes,
    inheritedDataTime: ctx.split?.inheritedDataTime,
  });
  for (const code of mapping.untrackedCodes) deps.metrics.untrackedItems.inc({ code });
  try {
    if (mapping.readings.length > 0) {
      const result = await deps.gateway.submit({
        source: 'hj212',
        payload: { readings: mapping.readings },
        raw: ctx.raw,
        authStationId: station.id,
        peer: ctx.peer,
      });
      if (result.rejected.length > 0) {
        ctx.log.info(
          { stationId: station.id, qn: packet.qn, accepted: result.accepted, rejected: result.rejected.length },
          'hj212 readings partly refused by ingest',
        );
      }
    }
    // Refused content is recorded after the readings: under backpressure nothing is written twice on resend.
    const refusals: Promise<void>[] = [];
    if (!cp.ok) refusals.push(ctx.deadLetter('RW_HJ212_FRAME', `CP data area: ${cp.reason}`));
    if (mapping.unknownCodes.length > 0) {
      refusals.push(
        ctx.deadLetter('RW_HJ212_UNKNOWN_CODE', `pollutant codes not mapped to a parameter: ${mapping.unknownCodes.join(', ')}`),
      );
    }
    const byCode = new Map<ErrorCode, string[]>();
    for (const problem of mapping.problems) byCode.set(problem.code, [...(byCode.get(problem.code) ?? []), problem.message]);
    for (const [code, messages] of byCode) refusals.push(ctx.deadLetter(code, messages.slice(0, 10).join('; ')));
    await Promise.all(refusals);
  } catch (err) {
    const backpressure = err instanceof AppError && err.code === 'RW_BACKPRESSURE';
    deps.metrics.withheldAnswers.inc({ reason: backpressure ? 'backpressure' : 'error' });
    if (backpressure) ctx.log.debug({ stationId: station.id, qn: packet.qn }, 'hj212 data response withheld: backpressure');
    else ctx.log.error({ err, stationId: station.id, qn: packet.qn }, 'hj212 data response withheld: ingest failed');
    superviseClock(ctx);
    return;
  }
  // Answered even when everything was refused: it is in the dead letters, and resending cannot help.
  if (wantsAnswer(packet.flag)) ctx.reply(dataResponse(packet));
  // The logger's clock is looked at after its data is answered: 9014 first, then 1012 if due.
  superviseClock(ctx);
};

function returnCode(ctx: PacketContext, key: 'QnRtn' | 'ExeRtn'): number | undefined {
  const cp = parseCp(ctx.packet.cp);
  if (!cp.ok) return undefined;
  const item = cp.value.flat().find((i) => i.key === key);
  return item && /^\d{1,3}$/.test(item.value) ? Number(item.value) : undefined;
}

/** 9011 from a station: its verdict on a command we sent. */
const requestResponseHandler: PacketHandler = async (ctx) => {
  const code = returnCode(ctx, 'QnRtn');
  if (code === undefined || !ctx.deps.commands.onRequestResponse(ctx.packet.mn, ctx.packet.qn, code)) {
    ctx.log.debug({ stationId: ctx.station.id, qn: ctx.packet.qn, qnRtn: code }, 'hj212 9011 matches no command in flight');
  }
};

/** 9012 from a station: the outcome of a command we sent. */
const executionResultHandler: PacketHandler = async (ctx) => {
  const code = returnCode(ctx, 'ExeRtn');
  if (code === undefined || !ctx.deps.commands.onExecutionResult(ctx.packet.mn, ctx.packet.qn, code)) {
    ctx.log.debug({ stationId: ctx.station.id, qn: ctx.packet.qn, exeRtn: code }, 'hj212 9012 matches no command in flight');
  }
};

/** Acknowledgements need no action (they are counted in packets_total). */
const noAction: PacketHandler = async () => {};

/**
 * Any other CN: not supported by RiverWatch. When an answer is asked for, say so with QnRtn=8
 * (CN error) so the data logger stops resending; counted in packets_total{cn}.
 */
export const unsupported: PacketHandler = async (ctx) => {
  ctx.log.debug({ stationId: ctx.station.id, cn: ctx.packet.cn }, 'hj212 command code not supported');
  if (wantsAnswer(ctx.packet.flag)) ctx.reply(requestResponse(ctx.packet, QN_RTN.cnError));
};

/** The handler table. */
export const PACKET_HANDLERS: Readonly<Record<string, PacketHandler>> = {
  ...Object.fromEntries(Object.keys(DATA_UPLOAD_CNS).map((cn) => [cn, dataUpload])),
  ...Object.fromEntries(Object.keys(DIAGNOSTIC_CNS).map((cn) => [cn, diagnosticUpload])),
  '1013': timeRequest,
  '9011': requestResponseHandler,
  '9012': executionResultHandler,
  '9013': noAction,
  '9014': noAction,
  // 9015 heartbeat (caoyiliang/HJ212 HeartbeatReq; xiaoyao9184/hj-t212-parser receive logs), 8013 its 2005 form.
  '9015': heartbeat,
  '8013': heartbeat,
};
