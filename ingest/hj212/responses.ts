/**
 * Packets the platform sends (domain-facts.md §3.3, §3.4): data response 9014, request response 9011,
 * execution result 9012 (system code ST=91), and the commands it issues to stations (1062 set
 * real-time data interval). Each returns the complete framed packet text.
 */
import { buildPacket, FLAG_ANSWER, FLAG_VERSION_2017, type Hj212Packet } from './packet.js';
import type { ExeRtn, QnRtn } from './return-codes.js';

/** ST=91 "system interaction", used for 9011–9014 replies (§3.5). */
export const ST_SYSTEM_INTERACTION = '91';
/** ST=21 surface-water quality monitoring (§3.5). */
export const ST_SURFACE_WATER = '21';

/** The request fields a response echoes. */
export type RequestEcho = Pick<Hj212Packet, 'qn' | 'mn' | 'pw' | 'flag'>;

/**
 * Replies keep the sender's protocol version bits and ask for no answer (example 3: Flag=4): a 2025
 * logger (Flag=8/9) is answered Flag=8, a 2005 logger (version bits 0, or no Flag) Flag=0.
 */
export function replyFlag(requestFlag: number): number {
  return requestFlag & ~0b11;
}

/** CN 9014 data response echoing the upload's QN, body as in example 3: `CP=&&&&`. */
export function dataResponse(request: RequestEcho): string {
  return buildPacket({
    qn: request.qn,
    st: ST_SYSTEM_INTERACTION,
    cn: '9014',
    pw: request.pw,
    mn: request.mn,
    flag: replyFlag(request.flag),
    cp: '',
  });
}

/** CN 9011 request response carrying `QnRtn` (1 ready; 3 PW error; 4 MN error; …). */
export function requestResponse(request: RequestEcho, qnRtn: QnRtn): string {
  return buildPacket({
    qn: request.qn,
    st: ST_SYSTEM_INTERACTION,
    cn: '9011',
    pw: request.pw,
    mn: request.mn,
    flag: replyFlag(request.flag),
    cp: `QnRtn=${qnRtn}`,
  });
}

/** CN 9012 execution result carrying `ExeRtn` (1 success; 2 failed; …). */
export function executionResult(request: RequestEcho, exeRtn: ExeRtn): string {
  return buildPacket({
    qn: request.qn,
    st: ST_SYSTEM_INTERACTION,
    cn: '9012',
    pw: request.pw,
    mn: request.mn,
    flag: replyFlag(request.flag),
    cp: `ExeRtn=${exeRtn}`,
  });
}

/** Addressing of a command sent to a station. */
export interface CommandTarget {
  readonly qn: string;
  readonly st: string;
  readonly mn: string;
  readonly pw: string;
}

/**
 * CN 1062 set real-time data interval, `RtdInterval` in seconds (§3.4; example 1 sets 30 s), with an
 * answer requested (the station replies 9011 then 9012), in the station's protocol version (`versionBits`,
 * Flag & ~0b11 of its packets; HJ 212-2017 by default: Flag=5 as in the example).
 */
export function setRealtimeIntervalCommand(target: CommandTarget, intervalS: number, versionBits = FLAG_VERSION_2017): string {
  if (!Number.isInteger(intervalS) || intervalS < 1)
    throw new RangeError(`RtdInterval must be a positive whole number of seconds, got ${intervalS}`);
  return buildPacket({ ...target, cn: '1062', flag: (versionBits & ~0b11) | FLAG_ANSWER, cp: `RtdInterval=${intervalS}` });
}

/** CN 9013 notification response echoing the notification's QN (heartbeat 9015, time request 1013). */
export function notificationResponse(request: RequestEcho): string {
  return buildPacket({
    qn: request.qn,
    st: ST_SYSTEM_INTERACTION,
    cn: '9013',
    pw: request.pw,
    mn: request.mn,
    flag: replyFlag(request.flag),
    cp: '',
  });
}

/**
 * CN 1012 set the data logger's time: `SystemTime=yyyyMMddHHmmss` (platform local time), with the
 * `PolId` of the instrument when the logger asked about one (1013 `PolId`). Answer requested, in the
 * logger's protocol version; the logger replies 9011 then 9012.
 */
export function setTimeCommand(target: CommandTarget, systemTime: string, versionFlag: number, polId?: string): string {
  const cp = polId === undefined ? `SystemTime=${systemTime}` : `PolId=${polId};SystemTime=${systemTime}`;
  return buildPacket({ ...target, cn: '1012', flag: (versionFlag & ~0b11) | FLAG_ANSWER, cp });
}
