/**
 * HJ 212 data segment: `QN=…;ST=…;CN=…;PW=…;MN=…;Flag=…;[PNUM=…;PNO=…;]CP=&&…&&`
 * (domain-facts.md §3.1). Parsing returns a result (outside data, hot path); building
 * adds the 4-digit length and the CRC.
 */
import { formatCrc, hj212Crc } from './crc.js';
import { HJ212_LENIENT_MAX_DATA_BYTES } from './framer.js';
import { QN_RTN, type QnRtn } from './return-codes.js';

/** Flag bit A: the sender asks for an answer (§3.1 "Flag bits"). */
export const FLAG_ANSWER = 1;
/** Flag bit D: the message is split; PNUM/PNO are present. */
export const FLAG_SPLIT = 2;
/** Version bits V5..V0 = 1: HJ 212-2017. (2 is read as HJ 212-2025 by one library; never rejected.) */
export const FLAG_VERSION_2017 = 4;
/** Version bits V5..V0 = 2: HJ 212-2025 (caoyiliang/HJ212 `HJT212_2025 = 8`). Accepted and answered in kind. */
export const FLAG_VERSION_2025 = 8;

/** A parsed packet header; the CP data area is kept as text until the command's handler reads it. */
export interface Hj212Packet {
  /** Request id `yyyyMMddHHmmsszzz`; optional in notifications. */
  readonly qn: string | undefined;
  readonly st: string;
  readonly cn: string;
  readonly pw: string;
  readonly mn: string;
  readonly flag: number;
  /** Total packets of a split message (Flag bit D). */
  readonly pnum: number | undefined;
  /** This packet's number, 1-based (Flag bit D). */
  readonly pno: number | undefined;
  /** The CP data area between `CP=&&` and the closing `&&`. */
  readonly cp: string;
}

/** Fields to build a packet from. */
export interface Hj212PacketFields {
  readonly qn?: string | undefined;
  readonly st: string;
  readonly cn: string;
  readonly pw: string;
  readonly mn: string;
  readonly flag: number;
  readonly pnum?: number | undefined;
  readonly pno?: number | undefined;
  /** CP data area text, or groups formatted with `formatCp`. */
  readonly cp: string | CpGroups;
}

/** One `key=value` item of the CP data area. */
export interface CpItem {
  readonly key: string;
  readonly value: string;
}

/** CP groups: `;` separates groups (fields/pollutants), `,` items of one group. */
export type CpGroups = readonly (readonly CpItem[])[];

export type ParseResult<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false;
      readonly reason: string;
      /** The QnRtn an answer should carry, when the fault maps to one. */
      readonly qnRtn: QnRtn;
    };

/** Whether the sender asks for an answer (Flag bit A). */
export function wantsAnswer(flag: number): boolean {
  return (flag & FLAG_ANSWER) !== 0;
}

/** Whether the packet is one part of a split message (Flag bit D). */
export function isSplit(flag: number): boolean {
  return (flag & FLAG_SPLIT) !== 0;
}

// Value lengths: the §3.1 maximum field lengths minus the `KEY=` prefix, with the leniencies of
// docs/hj212.md: ST letters (HJ 212-2017 §6.6.1.2 allows letter system codes), PW up to 24 characters
// (two public implementations document 24-character passwords; the standard says 6).
const FIELD_RULES: Record<string, { pattern: RegExp; qnRtn: QnRtn }> = {
  QN: { pattern: /^\d{1,17}$/, qnRtn: QN_RTN.qnError },
  ST: { pattern: /^[0-9A-Za-z]{1,2}$/, qnRtn: QN_RTN.stError },
  CN: { pattern: /^\d{1,4}$/, qnRtn: QN_RTN.cnError },
  PW: { pattern: /^[\x21-\x7e]{0,24}$/, qnRtn: QN_RTN.passwordError },
  MN: { pattern: /^[\x21-\x7e]{1,24}$/, qnRtn: QN_RTN.mnError },
  Flag: { pattern: /^\d{1,3}$/, qnRtn: QN_RTN.flagError },
  PNUM: { pattern: /^\d{1,4}$/, qnRtn: QN_RTN.flagError },
  PNO: { pattern: /^\d{1,4}$/, qnRtn: QN_RTN.flagError },
};

function fail<T>(reason: string, qnRtn: QnRtn = QN_RTN.unknown): ParseResult<T> {
  return { ok: false, reason, qnRtn };
}

/**
 * The fields an answer to a refused packet echoes, read loosely (no validation): QN, MN, PW, Flag.
 * Undefined when the text has no MN to address (nothing sensible to answer).
 */
export function looseEcho(data: string): { qn: string | undefined; mn: string; pw: string; flag: number } | undefined {
  const cpAt = data.indexOf('CP=');
  const header = cpAt < 0 ? data : data.slice(0, cpAt);
  const read = (key: string): string | undefined => {
    const match = new RegExp(`(?:^|;)${key}=([^;]*)`).exec(header);
    return match?.[1];
  };
  const mn = read('MN');
  if (mn === undefined || !/^[\x21-\x7e]{1,24}$/.test(mn)) return undefined;
  const qnText = read('QN');
  const flagText = read('Flag');
  const flag = flagText !== undefined && /^\d{1,3}$/.test(flagText) ? Number(flagText) : 0;
  return {
    qn: qnText !== undefined && /^\d{1,20}$/.test(qnText) ? qnText : undefined,
    mn,
    pw: (read('PW') ?? '').slice(0, 24),
    flag,
  };
}

/** Parses a data segment (the text the CRC covers). Unknown header keys are ignored (later editions). */
export function parsePacket(data: string): ParseResult<Hj212Packet> {
  const cpAt = data.indexOf('CP=&&');
  if (cpAt < 0) return fail('no CP=&& data area');
  if (!data.endsWith('&&') || data.length < cpAt + 7) return fail('CP data area is not closed by &&');
  if (cpAt === 0 || data[cpAt - 1] !== ';') return fail('header fields missing before CP');
  const fields = new Map<string, string>();
  for (const part of data.slice(0, cpAt - 1).split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return fail(`header field "${part.slice(0, 32)}" is not KEY=VALUE`);
    const key = part.slice(0, eq);
    const value = part.slice(eq + 1);
    const rule = FIELD_RULES[key];
    if (!rule) continue;
    if (fields.has(key)) return fail(`header field ${key} repeated`, rule.qnRtn);
    if (!rule.pattern.test(value)) return fail(`header field ${key} is malformed`, rule.qnRtn);
    fields.set(key, value);
  }
  const st = fields.get('ST');
  const cn = fields.get('CN');
  const pw = fields.get('PW');
  const mn = fields.get('MN');
  if (st === undefined) return fail('ST missing', QN_RTN.stError);
  if (cn === undefined) return fail('CN missing', QN_RTN.cnError);
  if (pw === undefined) return fail('PW missing', QN_RTN.passwordError);
  if (mn === undefined) return fail('MN missing', QN_RTN.mnError);
  const flagText = fields.get('Flag');
  const flag = flagText === undefined ? 0 : Number(flagText);
  if (flag > 255) return fail('Flag out of range', QN_RTN.flagError);
  let pnum: number | undefined;
  let pno: number | undefined;
  if (isSplit(flag)) {
    const pnumText = fields.get('PNUM');
    const pnoText = fields.get('PNO');
    if (pnumText === undefined || pnoText === undefined) return fail('Flag bit D set but PNUM/PNO missing', QN_RTN.flagError);
    pnum = Number(pnumText);
    pno = Number(pnoText);
    if (pnum < 1 || pno < 1 || pno > pnum) return fail('PNO outside 1..PNUM', QN_RTN.flagError);
  }
  return {
    ok: true,
    value: { qn: fields.get('QN'), st, cn, pw, mn, flag, pnum, pno, cp: data.slice(cpAt + 5, data.length - 2) },
  };
}

/** Parses the CP data area into groups (`;`) of items (`,`) of `key=value`. Empty groups are skipped. */
export function parseCp(cp: string): ParseResult<CpGroups> {
  const groups: CpItem[][] = [];
  if (cp.length === 0) return { ok: true, value: groups };
  for (const groupText of cp.split(';')) {
    if (groupText.length === 0) continue;
    const items: CpItem[] = [];
    for (const itemText of groupText.split(',')) {
      if (itemText.length === 0) continue;
      const eq = itemText.indexOf('=');
      if (eq <= 0) return fail(`CP item "${itemText.slice(0, 32)}" is not key=value`);
      items.push({ key: itemText.slice(0, eq), value: itemText.slice(eq + 1) });
    }
    if (items.length > 0) groups.push(items);
  }
  return { ok: true, value: groups };
}

/** Formats CP groups as data-area text. */
export function formatCp(groups: CpGroups): string {
  return groups.map((group) => group.map((item) => `${item.key}=${item.value}`).join(',')).join(';');
}

/** Builds the data segment text (what the length counts and the CRC covers). */
export function buildDataSegment(fields: Hj212PacketFields): string {
  const parts: string[] = [];
  if (fields.qn !== undefined) parts.push(`QN=${fields.qn}`);
  parts.push(`ST=${fields.st}`, `CN=${fields.cn}`, `PW=${fields.pw}`, `MN=${fields.mn}`, `Flag=${fields.flag}`);
  if (fields.pnum !== undefined && fields.pno !== undefined) parts.push(`PNUM=${fields.pnum}`, `PNO=${fields.pno}`);
  const cp = typeof fields.cp === 'string' ? fields.cp : formatCp(fields.cp);
  parts.push(`CP=&&${cp}&&`);
  return parts.join(';');
}

/**
 * Wraps a data segment in a frame: `##`, 4-digit byte length, data, CRC, `\r\n`.
 * Throws RangeError past 9,999 bytes (the length field's 4 digits): building is our own code, so that is a
 * programming error. (The platform's own packets stay far below the standard's 1,024.)
 */
export function frameDataSegment(data: string): string {
  const bytes = Buffer.from(data, 'utf8');
  if (bytes.length > HJ212_LENIENT_MAX_DATA_BYTES)
    throw new RangeError(`HJ 212 data segment is ${bytes.length} bytes, over ${HJ212_LENIENT_MAX_DATA_BYTES}`);
  return `##${String(bytes.length).padStart(4, '0')}${data}${formatCrc(hj212Crc(bytes))}\r\n`;
}

/** Builds a complete packet ready to write to the socket. */
export function buildPacket(fields: Hj212PacketFields): string {
  return frameDataSegment(buildDataSegment(fields));
}

/** The packet text with the password masked, for logs and dead letters (the PW is a credential). */
export function maskPassword(text: string): string {
  // Every occurrence: garbage samples may hold several frames' worth of text.
  return text.replace(/([;#\d]|^)PW=[^;&]*/g, '$1PW=***');
}
