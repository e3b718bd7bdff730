/**
 * One data-logger connection: frames the byte stream, authenticates every packet by MN + PW,
 * tracks split uploads and runs the packet handlers one at a time, in arrival order, so a
 * station's readings enter the readings log in the order it sent them.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Clock } from '../../domain/clock.js';
import type { ErrorCode } from '../../domain/errors.js';
import type { Registry, Station } from '../../domain/registry.js';
import { Hj212Framer, type FrameEvent } from '../../ingest/hj212/framer.js';
import { PACKET_HANDLERS, unsupported, type HandlerDeps, type PacketContext } from '../../ingest/hj212/handlers.js';
import { cnLabel, type Hj212Metrics } from './metrics.js';
import { isSplit, looseEcho, maskPassword, parsePacket, wantsAnswer, type Hj212Packet } from '../../ingest/hj212/packet.js';
import type { PeerLimiter } from '../../ingest/hj212/peer-limiter.js';
import { lastDataTime, Reassembler, type ReassemblyOptions, type SplitPart } from '../../ingest/hj212/reassembly.js';
import { requestResponse, ST_SYSTEM_INTERACTION } from '../../ingest/hj212/responses.js';
import { QN_RTN, type QnRtn } from '../../ingest/hj212/return-codes.js';

/** What a connection needs from its server. */
export interface ConnectionHost {
  readonly registry: Registry;
  readonly deps: HandlerDeps & { readonly metrics: Hj212Metrics };
  readonly limiter: PeerLimiter;
  readonly clock: Clock;
  readonly log: Logger;
  readonly authTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly maxQueuedPackets: number;
  readonly reassembly: ReassemblyOptions;
  /** A packet of `station` authenticated on `connection`: commands to it go there from now on. */
  stationSeen(station: Station, connection: Hj212Connection): void;
  connectionClosed(connection: Hj212Connection): void;
}

export class Hj212Connection {
  /** `ip:port`, for logs and dead letters. */
  readonly peer: string;
  /** Remote IP, the key of the per-peer limiter. */
  readonly ip: string;
  readonly #socket: Socket;
  readonly #host: ConnectionHost;
  readonly #log: Logger;
  readonly #framer = new Hj212Framer();
  readonly #reassembler: Reassembler;
  /** Last system code (ST) each station used, so commands to it carry the same. */
  readonly #stOf = new Map<string, string>();
  /** Protocol version bits of each station's last packet (Flag & ~0b11), so commands speak its version. */
  readonly #versionOf = new Map<string, number>();
  #chain: Promise<void> = Promise.resolve();
  #queued = 0;
  #pausedForQueue = false;
  #authTimer: NodeJS.Timeout | undefined;
  #closed = false;
  /** Reading stopped for good (server draining). */
  #stopped = false;

  constructor(socket: Socket, host: ConnectionHost) {
    this.#socket = socket;
    this.#host = host;
    this.ip = socket.remoteAddress ?? 'unknown';
    this.peer = `${this.ip}:${socket.remotePort ?? 0}`;
    this.#log = host.log.child({ peer: this.peer });
    this.#reassembler = new Reassembler(host.reassembly);
    socket.setNoDelay(true);
    socket.setTimeout(host.idleTimeoutMs, () => this.close('idle'));
    this.#authTimer = setTimeout(() => this.close('no-login'), host.authTimeoutMs);
    this.#authTimer.unref();
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (err) => this.#log.debug({ err }, 'hj212 socket error'));
    socket.on('close', () => this.#onClose());
  }

  /** Whether the socket is gone or going. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Settles when every packet received so far has been handled. */
  idle(): Promise<void> {
    return this.#chain;
  }

  /** The ST to address `stationId` with (its last one; surface water by default). */
  stOf(stationId: string): string | undefined {
    return this.#stOf.get(stationId);
  }

  /** The version bits to address `stationId` with (those of its last packet). */
  versionOf(stationId: string): number | undefined {
    return this.#versionOf.get(stationId);
  }

  /** Writes a packet; false when the connection is gone. */
  write(packetText: string): boolean {
    if (this.#closed || !this.#socket.writable) return false;
    this.#socket.write(packetText);
    return true;
  }

  /** Stops reading new bytes (server draining); packets already read are still handled. */
  stopReading(): void {
    this.#stopped = true;
    this.#socket.pause();
    this.#socket.removeAllListeners('data');
  }

  /** Closes the connection at once. */
  close(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#log.debug({ reason }, 'hj212 connection closing');
    this.#socket.destroy();
  }

  /** Forgets split messages whose parts stopped coming. */
  sweep(nowMs: number): void {
    this.#reassembler.expire(nowMs);
  }

  #onData(chunk: Buffer): void {
    if (this.#closed) return;
    let events: FrameEvent[];
    try {
      events = this.#framer.push(chunk);
    } catch (err) {
      this.#log.error({ err }, 'hj212 framer failed');
      this.close('framer-failure');
      return;
    }
    for (const event of events) {
      if (this.#closed) return;
      if (event.kind === 'packet') this.#enqueue(event.data, event.raw);
      else if (event.kind === 'garbage')
        this.#badInput('garbage', 'RW_HJ212_FRAME', `${event.byteCount} bytes outside any frame`, maskPassword(event.sample));
      else {
        if (event.reason === 'crc-mismatch') this.#answerRefusal(event.raw.slice(6, -6), QN_RTN.crcError);
        this.#badInput(event.reason, event.code, `frame refused: ${event.reason}`, maskPassword(event.raw));
      }
    }
  }

  #enqueue(data: string, raw: string): void {
    this.#queued++;
    if (this.#queued >= this.#host.maxQueuedPackets && !this.#pausedForQueue) {
      // TCP backpressure: stop reading until the handlers catch up.
      this.#pausedForQueue = true;
      this.#socket.pause();
    }
    this.#chain = this.#chain
      .then(() => this.#handle(data, raw))
      .catch((err: unknown) => this.#log.error({ err }, 'hj212 packet handler failed'))
      .finally(() => {
        this.#queued--;
        if (this.#pausedForQueue && this.#queued <= this.#host.maxQueuedPackets / 2) {
          this.#pausedForQueue = false;
          if (!this.#closed && !this.#stopped) this.#socket.resume();
        }
      });
  }

  async #handle(data: string, rawText: string): Promise<void> {
    const { deps } = this.#host;
    const parsed = parsePacket(data);
    const raw = maskPassword(rawText);
    if (!parsed.ok) {
      this.#answerRefusal(data, parsed.qnRtn);
      this.#badInput('bad-packet', 'RW_HJ212_FRAME', `data segment refused (QnRtn=${parsed.qnRtn}): ${parsed.reason}`, raw);
      return;
    }
    const packet = parsed.value;
    deps.metrics.packets.inc({ cn: cnLabel(packet.cn) });
    const station = this.#authenticate(packet, raw);
    if (!station) return;
    if (this.#authTimer) {
      clearTimeout(this.#authTimer);
      this.#authTimer = undefined;
    }
    if (packet.st !== ST_SYSTEM_INTERACTION) this.#stOf.set(station.id, packet.st);
    this.#versionOf.set(station.id, packet.flag & ~0b11);
    this.#host.stationSeen(station, this);
    // Split uploads: each part is handled and answered on its own (C.49/C.50); later parts get the context.
    const split = isSplit(packet.flag) ? this.#reassembler.context(packet, this.#host.clock.now()) : undefined;
    const handler = PACKET_HANDLERS[packet.cn] ?? unsupported;
    await handler(this.#context(packet, raw, station, split));
    if (split) this.#reassembler.record(packet, lastDataTime(packet.cp) ?? split.inheritedDataTime, this.#host.clock.now());
  }

  /** A refused packet whose sender asked to hear about it is answered 9011 with why (QnRtn), addressed loosely. */
  #answerRefusal(data: string, qnRtn: QnRtn): void {
    const echo = looseEcho(data);
    if (!echo || !wantsAnswer(echo.flag)) return;
    this.write(requestResponse(echo, qnRtn));
    this.#host.deps.metrics.refusalsAnswered.inc({ qn_rtn: String(qnRtn) });
  }

  #authenticate(packet: Hj212Packet, raw: string): Station | undefined {
    const station = this.#host.registry.stationByMn(packet.mn);
    const expected = station?.hj212?.password;
    let reason: 'unknown-mn' | 'wrong-pw' | undefined;
    if (!station || expected === undefined) reason = 'unknown-mn';
    else if (!samePassword(packet.pw, expected)) reason = 'wrong-pw';
    if (reason === undefined) return station;
    this.#host.deps.metrics.rejectedLogins.inc({ reason });
    this.#log.warn({ mn: packet.mn, cn: packet.cn, qn: packet.qn, reason }, 'hj212 login refused');
    // The protocol's own refusal (§3.4): QnRtn 4 = MN error, 3 = PW error.
    this.write(requestResponse(packet, reason === 'unknown-mn' ? QN_RTN.mnError : QN_RTN.passwordError));
    this.#deadLetter(
      'RW_HJ212_AUTH',
      reason === 'unknown-mn' ? `MN ${packet.mn} is not a registered station` : `wrong password for MN ${packet.mn}`,
      raw,
      station?.id,
    );
    this.#charge(reason);
    return undefined;
  }

  #context(packet: Hj212Packet, raw: string, station: Station, split: SplitPart | undefined): PacketContext {
    return {
      packet,
      raw,
      station,
      split,
      peer: this.peer,
      log: this.#log,
      deps: this.#host.deps,
      reply: (text) => {
        this.write(text);
      },
      deadLetter: (code, message) =>
        this.#host.deps.gateway.deadLetter({ source: 'hj212', raw, code, message, stationId: station.id, peer: this.peer }),
    };
  }

  #badInput(reason: string, code: ErrorCode, message: string, raw: string): void {
    if (code === 'RW_HJ212_CRC') this.#host.deps.metrics.crcFailures.inc();
    else this.#host.deps.metrics.frameErrors.inc({ reason });
    this.#log.debug({ reason }, 'hj212 bad input');
    this.#deadLetter(code, message, raw, undefined);
    this.#charge(reason);
  }

  /** Spends one token of the peer's bad-input budget; closes the connection when it is spent. */
  #charge(reason: string): void {
    if (this.#host.limiter.charge(this.ip, this.#host.clock.now())) return;
    this.#log.warn({ ip: this.ip, reason }, 'hj212 peer over its bad-input budget: closing and banning');
    this.close('banned');
  }

  /** Fire-and-forget dead letter for input that gets no answer anyway; a failure is logged. */
  #deadLetter(code: ErrorCode, message: string, raw: string, stationId: string | undefined): void {
    this.#host.deps.gateway
      .deadLetter({ source: 'hj212', raw, code, message, peer: this.peer, ...(stationId === undefined ? {} : { stationId }) })
      .catch((err: unknown) => this.#log.error({ err, code }, 'hj212 dead letter failed'));
  }

  #onClose(): void {
    this.#closed = true;
    if (this.#authTimer) clearTimeout(this.#authTimer);
    this.#framer.reset();
    this.#reassembler.clear();
    this.#host.connectionClosed(this);
  }
}

function samePassword(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
