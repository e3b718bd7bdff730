/**
 * Incremental HJ 212 framer: TCP delivers a byte stream, the framer cuts it into packets
 * (`##` + 4-digit length + data segment + 4 hex CRC + `\r\n`, domain-facts.md §3.1).
 * Packets may be split across segments, several may share one segment, and garbage between
 * packets is skipped up to the next `##`. Memory is bounded: at most one maximal frame
 * (10,011 bytes: the 4-digit length field's maximum) is kept between calls, whatever the peer sends.
 */
import { hj212Crc, parseCrc } from './crc.js';

/** Longest data segment HJ 212-2017 allows (§3.1: "0–1024"). */
export const HJ212_MAX_DATA_BYTES = 1024;
/**
 * Longest data segment accepted (leniency, docs/hj212.md): whatever the 4-digit length field can say.
 * Real data loggers send longer frames than the standard allows (a public receive log holds 1,045-byte ones).
 */
export const HJ212_LENIENT_MAX_DATA_BYTES = 9999;
/** `##` + length (4) + CRC (4) + `\r\n`. */
export const HJ212_FRAME_OVERHEAD_BYTES = 12;
const MAX_FRAME_BYTES = HJ212_LENIENT_MAX_DATA_BYTES + HJ212_FRAME_OVERHEAD_BYTES;
const HASH = 0x23;
const CR = 0x0d;
const LF = 0x0a;
/** How much of garbage or a broken frame is kept as text for the dead letters. */
const SAMPLE_BYTES = 256;

/** Why a candidate frame was refused. */
export type FrameErrorReason = 'bad-length' | 'bad-trailer' | 'bad-crc-digits' | 'crc-mismatch';

/** What the framer found in the bytes it was fed, in stream order. */
export type FrameEvent =
  | {
      readonly kind: 'packet';
      /** Data segment (`QN=…&&`), the part the CRC covers. */
      readonly data: string;
      /** The whole frame as sent, `##` through `\r\n`. */
      readonly raw: string;
    }
  | {
      readonly kind: 'error';
      readonly code: 'RW_HJ212_FRAME' | 'RW_HJ212_CRC';
      readonly reason: FrameErrorReason;
      /** The candidate frame (capped). */
      readonly raw: string;
    }
  | {
      readonly kind: 'garbage';
      /** Bytes skipped while looking for `##`. */
      readonly byteCount: number;
      /** First bytes of the run, as text. */
      readonly sample: string;
    };

/** Cuts a byte stream into HJ 212 frames. One instance per connection. */
export class Hj212Framer {
  #pending: Buffer = Buffer.alloc(0);
  /** Stream offset of `#pending[0]`. */
  #pendingOffset = 0;
  /**
   * Stream offset up to which skipped bytes belong to a broken frame already reported: after an
   * error the framer resyncs one byte on, and the rest of that frame is not reported again as garbage.
   */
  #quietUntil = 0;
  /** Stream offset of `buf[0]` during a push. */
  #base = 0;

  /** Bytes held back waiting for the rest of a frame (never more than one maximal frame). */
  get bufferedBytes(): number {
    return this.#pending.length;
  }

  /** Feeds the next bytes; returns every complete packet, broken frame and garbage run found. */
  push(chunk: Uint8Array): FrameEvent[] {
    const buf =
      this.#pending.length === 0
        ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
        : Buffer.concat([this.#pending, chunk]);
    const events: FrameEvent[] = [];
    this.#base = this.#pendingOffset;
    let pos = 0;
    for (;;) {
      const header = buf.indexOf('##', pos, 'latin1');
      if (header < 0) {
        // Keep a trailing '#': it may be the first half of the next header.
        const keepFrom = buf.length > pos && buf[buf.length - 1] === HASH ? buf.length - 1 : buf.length;
        this.#skip(buf, pos, keepFrom, events);
        pos = keepFrom;
        break;
      }
      this.#skip(buf, pos, header, events);
      pos = header;
      if (buf.length - pos < 6) break;
      const dataBytes = readLength(buf, pos + 2);
      if (dataBytes === undefined) {
        events.push(this.#error('RW_HJ212_FRAME', 'bad-length', buf, pos, pos + 6));
        pos += 1;
        continue;
      }
      const frameBytes = dataBytes + HJ212_FRAME_OVERHEAD_BYTES;
      if (buf.length - pos < frameBytes) break;
      const end = pos + frameBytes;
      if (buf[end - 2] !== CR || buf[end - 1] !== LF) {
        // Resync one byte on: a wrong length must not swallow a good packet that follows.
        events.push(this.#error('RW_HJ212_FRAME', 'bad-trailer', buf, pos, end));
        pos += 1;
        continue;
      }
      const dataStart = pos + 6;
      const dataEnd = dataStart + dataBytes;
      const crc = parseCrc(buf.toString('latin1', dataEnd, dataEnd + 4));
      if (crc === undefined) {
        events.push(this.#error('RW_HJ212_FRAME', 'bad-crc-digits', buf, pos, end));
        pos += 1;
        continue;
      }
      if (crc !== hj212Crc(buf, dataStart, dataEnd)) {
        events.push(this.#error('RW_HJ212_CRC', 'crc-mismatch', buf, pos, end));
        pos += 1;
        continue;
      }
      events.push({ kind: 'packet', data: buf.toString('utf8', dataStart, dataEnd), raw: buf.toString('utf8', pos, end) });
      pos = end;
    }
    // Copy so a large chunk is not kept alive by a small tail; bounded by MAX_FRAME_BYTES.
    this.#pending = pos >= buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(pos));
    this.#pendingOffset = this.#base + pos;
    if (this.#pending.length > MAX_FRAME_BYTES) throw new Error('HJ 212 framer invariant broken: pending exceeds one frame');
    return events;
  }

  /** Drops whatever is buffered (connection closed). */
  reset(): void {
    this.#pending = Buffer.alloc(0);
    this.#pendingOffset = 0;
    this.#quietUntil = 0;
  }

  #skip(buf: Buffer, from: number, to: number, events: FrameEvent[]): void {
    const start = Math.max(from, this.#quietUntil - this.#base);
    if (to <= start) return;
    events.push({
      kind: 'garbage',
      byteCount: to - start,
      sample: buf.toString('utf8', start, Math.min(to, start + SAMPLE_BYTES)),
    });
  }

  #error(code: 'RW_HJ212_FRAME' | 'RW_HJ212_CRC', reason: FrameErrorReason, buf: Buffer, from: number, to: number): FrameEvent {
    this.#quietUntil = Math.max(this.#quietUntil, this.#base + to);
    return { kind: 'error', code, reason, raw: buf.toString('utf8', from, Math.min(to, buf.length, from + MAX_FRAME_BYTES)) };
  }
}

function readLength(buf: Buffer, at: number): number | undefined {
  let value = 0;
  for (let i = at; i < at + 4; i++) {
    const byte = buf[i] as number;
    if (byte < 0x30 || byte > 0x39) return undefined;
    value = value * 10 + (byte - 0x30);
  }
  return value;
}
