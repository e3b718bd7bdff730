/**
 * Handlers for what a data logger says about itself rather than about the water: heartbeats (9015, and the
 * 2005-era 8013), time (1013 request, clock supervision by QN), and non-measurement uploads (restart time,
 * running status and time, device information, logs and parameters, over-limit sample retention, replies
 * to platform queries), which are acknowledged (9014) once stored as station diagnostics.
 */
import type { DiagnosticKind } from '../../domain/station-diagnostics.js';
import { formatLocalTime, parseLocalTime } from './local-time.js';
import { parseCp, wantsAnswer, type CpItem } from './packet.js';
import { dataResponse, notificationResponse, setTimeCommand } from './responses.js';
import type { PacketContext, PacketHandler } from './handlers.js';

/** Non-measurement uploads and the diagnostics kind each is kept as (docs/hj212.md). */
export const DIAGNOSTIC_CNS: Readonly<Record<string, DiagnosticKind>> = {
  '1011': 'logger-setting', // logger time, uploaded in answer to 1011
  '1061': 'logger-setting', // real-time data interval
  '1063': 'logger-setting', // minute data interval
  '2021': 'running-status',
  '2041': 'running-time',
  '2072': 'alarm', // HJ/T 212-2005 alarm event
  '2081': 'restart',
  '3015': 'sample-retention',
  '3017': 'logger-setting', // sampling period
  '3018': 'logger-setting', // sample-out time
  '3019': 'device-info', // device unique id
  '3020': 'device-info', // field-unit information: logs (i11…), status (i12…), parameters (i13…)
};

/** 3020 InfoId families (HJ 212-2017 Table C-x): i11 logs, i12 status, i13 parameters. */
function kindOf3020(items: readonly CpItem[]): DiagnosticKind {
  const infoId = items.find((i) => i.key === 'InfoId')?.value ?? items.find((i) => /^i1\d{4}-Info$/.test(i.key))?.key ?? '';
  const family = /i1(\d)/.exec(infoId)?.[1];
  if (family === '1') return 'log';
  if (family === '3') return 'parameter';
  return 'device-info';
}

/** Sets the logger's time (CN 1012, SystemTime = platform time) and counts it. */
function sendTime(ctx: PacketContext, reason: 'request' | 'drift', polId?: string): void {
  const { deps, station, packet } = ctx;
  const hj = station.hj212;
  if (!hj) return;
  const now = deps.clock.now();
  const command = setTimeCommand(
    { qn: deps.qn.next(), st: packet.st, mn: hj.mn, pw: hj.password },
    formatLocalTime(now, deps.timezoneOffsetMinutes),
    packet.flag,
    polId,
  );
  ctx.reply(command);
  deps.metrics.clockCorrections.inc({ reason });
  ctx.log.info({ stationId: station.id, reason, qn: packet.qn }, 'hj212 logger time set (1012)');
}

/**
 * Compares the logger's clock (the QN of what it sends) with the platform's and sets the logger's time
 * when it is off by more than the limit.
 */
export function superviseClock(ctx: PacketContext): void {
  const { packet, deps, station } = ctx;
  if (packet.qn === undefined) return;
  const loggerMs = parseLocalTime(packet.qn, deps.timezoneOffsetMinutes);
  if (loggerMs === undefined) return;
  const offset = deps.clockWatch.due(station.id, loggerMs, deps.clock.now());
  if (offset === undefined) return;
  ctx.log.warn({ stationId: station.id, offsetMs: offset }, 'hj212 logger clock off: setting it');
  sendTime(ctx, 'drift');
}

/** 9015 heartbeat (and 8013, its HJ/T 212-2005 form): answered 9013 with its QN when asked. */
export const heartbeat: PacketHandler = async (ctx) => {
  if (wantsAnswer(ctx.packet.flag)) ctx.reply(notificationResponse(ctx.packet));
  superviseClock(ctx);
};

/** 1013 time-calibration request (C.4): 9013 when asked, then 1012 with the platform time. */
export const timeRequest: PacketHandler = async (ctx) => {
  if (wantsAnswer(ctx.packet.flag)) ctx.reply(notificationResponse(ctx.packet));
  const cp = parseCp(ctx.packet.cp);
  const polId = cp.ok ? cp.value.flat().find((i) => i.key === 'PolId')?.value : undefined;
  sendTime(ctx, 'request', polId !== undefined && /^[A-Za-z0-9]{1,8}$/.test(polId) ? polId : undefined);
};

/**
 * A non-measurement upload: stored as a station diagnostic, then answered 9014 (when asked). When it
 * cannot be stored the 9014 is withheld, so the logger resends.
 */
export const diagnosticUpload: PacketHandler = async (ctx) => {
  const { packet, station, deps } = ctx;
  const cp = parseCp(packet.cp);
  if (!cp.ok) {
    await ctx.deadLetter('RW_HJ212_FRAME', `CP data area: ${cp.reason}`);
    if (wantsAnswer(packet.flag)) ctx.reply(dataResponse(packet));
    return;
  }
  const items = cp.value.flat();
  const base = DIAGNOSTIC_CNS[packet.cn] ?? 'device-info';
  const kind = packet.cn === '3020' ? kindOf3020(items) : base;
  const dataTimeText = items.find((i) => i.key === 'DataTime')?.value;
  const dataTime = dataTimeText === undefined ? undefined : parseLocalTime(dataTimeText, deps.timezoneOffsetMinutes);
  try {
    await deps.diagnostics.record({
      stationId: station.id,
      kind,
      command: packet.cn,
      ...(packet.qn === undefined ? {} : { requestId: packet.qn }),
      receivedAt: deps.clock.now(),
      ...(dataTime === undefined ? {} : { dataTime }),
      items: items.map((i) => ({ key: i.key, value: i.value })),
    });
  } catch (err) {
    deps.metrics.withheldAnswers.inc({ reason: 'error' });
    ctx.log.error({ err, stationId: station.id, cn: packet.cn }, 'hj212 diagnostic not stored: answer withheld');
    return;
  }
  deps.metrics.diagnostics.inc({ kind });
  if (wantsAnswer(packet.flag)) ctx.reply(dataResponse(packet));
};
