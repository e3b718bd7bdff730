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

/** Replies keep the sender's protocol version bits and ask for no answer (example 3: Flag=4). */
function replyFlag(requestFlag: number): number {
  const version = requestFlag & ~0b11;
  return version === 0 ? FLAG_VERSION_2017 : version;
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
 * CN 1062 set real-time data interval, `RtdInterval` in seconds (§3.4; example 1 sets 30 s),
 * Flag=5: HJ 212-2017 with an answer requested, so the station replies 9011 then 9012.
 */
export function setRealtimeIntervalCommand(target: CommandTarget, intervalS: number): string {
  if (!Number.isInteger(intervalS) || intervalS < 1)
    throw new RangeError(`RtdInterval must be a positive whole number of seconds, got ${intervalS}`);
  return buildPacket({ ...target, cn: '1062', flag: FLAG_VERSION_2017 | FLAG_ANSWER, cp: `RtdInterval=${intervalS}` });
}
