/**
 * Malformed HJ 212 byte streams, one generator per kind. Each is bad by
 * construction: a frame error (length, trailer, CRC digits), a CRC mismatch,
 * garbage, a packet the parser refuses, a failed login, CP content ingest
 * refuses, or a split message that never completes (dead-lettered when the
 * peer closes). `incomplete-at-close` is the one kind the server drops
 * without a dead letter (docs/security.md finding 10); the channel counts it
 * apart.
 */
import type { Station } from '../domain/index.js';
import { buildDataSegment, formatCrc, formatLocalTime, hj212Crc } from '../ingest/hj212/index.js';
import { TYPICAL_VALUES } from './json-payloads.js';
import type { Prng } from './prng.js';
import type { TimeWindows } from './time-windows.js';

export const HJ212_KIND_WEIGHTS = {
  'crc-mismatch': 12,
  'crc-digits': 5,
  'bad-length': 6,
  'too-long': 5,
  'length-short': 6,
  'length-long-padded': 5,
  'bad-trailer': 5,
  garbage: 8,
  'garbage-with-hashes': 3,
  'invalid-utf8': 5,
  'wrong-password': 6,
  'unknown-mn': 5,
  'bad-header': 10,
  'bad-cp': 15,
  'huge-fields': 3,
  'control-chars': 3,
  'split-broken': 4,
  'incomplete-at-close': 1,
} as const;

export type Hj212Kind = keyof typeof HJ212_KIND_WEIGHTS;

/** A frame around raw data bytes: `##`, 4-digit length, data, CRC, CRLF (no length check: for broken frames too). */
function frame(data: Buffer, declaredLength = data.length): Buffer {
  return Buffer.concat([Buffer.from(`##${String(declaredLength).padStart(4, '0')}`, 'latin1'), data, Buffer.from(`${formatCrc(hj212Crc(data))}\r\n`, 'latin1')]);
}

interface SegmentParts {
  qn?: string;
  st?: string;
  cn?: string;
  pw?: string;
  mn?: string;
  flag?: number;
  cp?: string;
  pnum?: number;
  pno?: number;
}

/** Generators of each kind for `station` (its MN and PW from the registry); `index` makes QNs distinct. */
export function hj212Generators(prng: Prng, windows: TimeWindows, timezoneOffsetMinutes: number): Record<Hj212Kind, (station: Station, index: number) => Buffer | Buffer[]> {
  const local = (ts: number) => formatLocalTime(ts, timezoneOffsetMinutes);
  const badSecond = (): string => {
    const ts = windows.nextBad();
    return local(ts - (ts % 1000));
  };

  const segment = (station: Station, index: number, parts: SegmentParts = {}): string => {
    const hj = station.hj212 as { mn: string; password: string };
    const cp = parts.cp ?? `DataTime=${badSecond()};${station.parameters.map((p) => `${codeOf(p)}-Rtd=${TYPICAL_VALUES[p] ?? 1},${codeOf(p)}-Flag=N`).join(';')}`;
    return buildDataSegment({
      qn: parts.qn ?? `2026${String(index).padStart(13, '0')}`,
      st: parts.st ?? '21',
      cn: parts.cn ?? '2011',
      pw: parts.pw ?? hj.password,
      mn: parts.mn ?? hj.mn,
      flag: parts.flag ?? 5,
      ...(parts.pnum === undefined ? {} : { pnum: parts.pnum, pno: parts.pno }),
      cp,
    });
  };

  const GENERATORS: Record<Hj212Kind, (station: Station, index: number) => Buffer | Buffer[]> = {
    'crc-mismatch': (s, i) => {
      const good = frame(Buffer.from(segment(s, i)));
      const at = prng.chance(0.5) ? good.length - 6 + prng.int(0, 3) : prng.int(6, good.length - 7);
      const original = good[at] as number;
      let replacement = original;
      while (replacement === original) replacement = prng.pick([0x30, 0x31, 0x37, 0x41, 0x42, 0x46]);
      good[at] = replacement;
      return good;
    },
    'crc-digits': (s, i) => {
      const good = frame(Buffer.from(segment(s, i)));
      good.write(prng.pick(['ZZZZ', '12G4', '-123', '    ', 'xyzw']), good.length - 6, 'latin1');
      return good;
    },
    'bad-length': (s, i) => {
      const good = frame(Buffer.from(segment(s, i)));
      good.write(prng.pick(['00a1', '-123', '    ', '0x10', '+100', '1e03']), 2, 'latin1');
      return good;
    },
    // A length over the standard's 1,024 that the data does not fill (lengths up to 9999 are accepted: docs/hj212.md).
    'too-long': (s, i) => {
      const data = Buffer.from(segment(s, i));
      const declared = prng.int(1025, 9999);
      return Buffer.concat([frame(data, declared), noHashes(prng.bytes(Math.max(0, declared - data.length) + 20))]);
    },
    'length-short': (s, i) => {
      const data = Buffer.from(segment(s, i));
      return frame(data, data.length - prng.int(1, 50));
    },
    'length-long-padded': (s, i) => {
      const data = Buffer.from(segment(s, i));
      const extra = prng.int(1, 200);
      return Buffer.concat([frame(data, data.length + extra), noHashes(prng.bytes(extra + 20))]);
    },
    'bad-trailer': (s, i) => {
      const good = frame(Buffer.from(segment(s, i)));
      good.write(prng.pick(['\n\r', 'XY', '\r\r', '\n\n', '  ']), good.length - 2, 'latin1');
      return good;
    },
    garbage: () => noHashes(prng.bytes(prng.int(1, 4096))),
    'garbage-with-hashes': (s, i) => Buffer.concat([Buffer.from('x'), prng.bytes(prng.int(0, 2048)), Buffer.from('##'), prng.bytes(prng.int(0, 64)), frame(Buffer.from(segment(s, i))).subarray(0, prng.int(1, 40))]),
    'invalid-utf8': (s, i) => {
      const text = segment(s, i);
      const where = prng.pick(['MN=', 'PW=', '-Rtd=', 'DataTime=']);
      const at = text.indexOf(where) + where.length;
      return frame(Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from(prng.pick([[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82]])), Buffer.from(text.slice(at))]));
    },
    // Letters outside hex: never a registered (hex) password, still a well-formed PW field.
    'wrong-password': (s, i) => frame(Buffer.from(segment(s, i, { pw: prng.text(prng.int(1, 6), 'ghijklmnopqrstuvwxyz') }))),
    'unknown-mn': (s, i) => frame(Buffer.from(segment(s, i, { mn: `ZZ${prng.text(prng.int(1, 22), 'ABCDEF0123456789')}` }))),
    'bad-header': (s, i) => {
      const variant = prng.int(0, 10);
      const parts: SegmentParts[] = [{ qn: 'abc' }, { st: '999' }, { pw: 'TOOLONGPW' }, { mn: '' }, { flag: 999 }, { pnum: 0, pno: 1, flag: 7 }, { pnum: 2, pno: 5, flag: 7 }];
      if (variant < parts.length) return frame(Buffer.from(segment(s, i, parts[variant])));
      const text = segment(s, i);
      const broken = [
        text.replace(/CN=\d+;/, ''),
        text.replace(';MN=', ';MN=X;MN='),
        text.replace('CP=&&', 'CP=&'),
        `${text.slice(0, -2)}`,
      ][variant - parts.length] as string;
      return frame(Buffer.from(broken));
    },
    'bad-cp': (s, i) => {
      const ph = s.parameters.includes('ph') ? 'ph' : (s.parameters[0] ?? 'ph');
      const code = codeOf(ph);
      const time = badSecond();
      const cp = prng.pick([
        `DataTime=${time};w99999-Rtd=1,w99999-Flag=N`,
        `DataTime=${time};${code}-Rtd=abc,${code}-Flag=N`,
        `DataTime=${time};${code}-Rtd=NaN`,
        `DataTime=${time};${code}-Rtd=1e999`,
        `DataTime=${time};${code}-Rtd=${ph === 'temp' ? 99 : 100001}`,
        `DataTime=20261399999999;${code}-Rtd=7`,
        `${code}-Rtd=7`,
        `${code}-Rtd=7;DataTime=${time}`,
        `DataTime=${time};garbage`,
        '',
        `DataTime=${time};${code}-Rtd=7,${code}-Flag=Z`,
        `DataTime=${local(Date.now() + 7_200_000)};${code}-Rtd=7`,
        `DataTime=${local(Date.now() - 40 * 86_400_000)};${code}-Rtd=7`,
        `DataTime=${time};${code}-Rtd= 7 `,
        `DataTime=${time};${code}-Rtd=`,
      ]);
      return frame(Buffer.from(segment(s, i, { cp })));
    },
    'huge-fields': (s, i) => {
      const base = segment(s, i, { mn: 'M' });
      if (prng.chance(0.5)) return frame(Buffer.from(base.replace('MN=M', `MN=${'M'.repeat(1024 - base.length + 1)}`)));
      const time = badSecond();
      const cpBase = segment(s, i, { cp: `DataTime=${time};${codeOf(s.parameters[0] ?? 'ph')}-Rtd=` });
      return frame(Buffer.from(cpBase.replace(/-Rtd=&&$/, `-Rtd=${'9'.repeat(1024 - cpBase.length)}&&`)));
    },
    'control-chars': (s, i) => {
      const ch = String.fromCharCode(prng.pick([0, 1, 7, 9, 10, 13, 27, 127]));
      const time = badSecond();
      const code = codeOf(s.parameters[0] ?? 'ph');
      return frame(Buffer.from(prng.pick([segment(s, i, { cp: `DataTime=${time};${code}-Rtd=7${ch}` }), segment(s, i, { cp: `DataTime=${time}${ch};${code}-Rtd=7` }), segment(s, i, { st: `2${ch}` })]), 'latin1'));
    },
    'split-broken': (s, i) => {
      // A later part of a message whose first part (with the DataTime) never came: its values have no time.
      const pnum = prng.int(2, 9999);
      const cp = s.parameters.map((p) => `${codeOf(p)}-Rtd=${TYPICAL_VALUES[p] ?? 1},${codeOf(p)}-Flag=N`).join(';');
      return frame(Buffer.from(segment(s, i, { flag: 7, pnum, pno: prng.int(2, pnum), cp })));
    },
    'incomplete-at-close': (s, i) => {
      const good = frame(Buffer.from(segment(s, i)));
      return good.subarray(0, prng.int(7, good.length - 1));
    },
  };
  return GENERATORS;
}

const CODES: Record<string, string> = { temp: 'w01010', ph: 'w01001', do: 'w01009', cond: 'w01014', turb: 'w01003', codmn: 'w01019', nh3n: 'w21003', tp: 'w21011', tn: 'w21001' };

function codeOf(key: string): string {
  return CODES[key] ?? 'w01001';
}

function noHashes(bytes: Buffer): Buffer {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x23) bytes[i] = 0x2a;
  return bytes;
}

