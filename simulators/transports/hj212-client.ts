/**
 * A station data logger (数采仪) speaking HJ 212 over TCP, for the simulator and tests: uploads
 * real-time (2011), minute (2051), hourly (2061) and daily (2031) data with Flag asking for an answer,
 * waits for the platform's 9014 (CRC checked by the framer), resends the same packet on timeout,
 * answers 1062 set-interval commands with 9011 + 9012 and applies the new interval, answers 1012 set-time
 * commands with 9011 + 9012, splits long uploads into parts (each its own QN, sent after the previous
 * part's 9014, HJ 212-2017 C.49/C.50), and reconnects after a lost connection.
 */
import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import { systemClock, type Clock } from '../../domain/clock.js';
import { ParameterTable } from '../../domain/parameters.js';
import { buildDataSegment, buildPacket, CHINA_OFFSET_MINUTES, executionResult, EXE_RTN, FLAG_ANSWER, FLAG_SPLIT, FLAG_VERSION_2017, formatLocalTime, frameDataSegment, HJ212_MAX_DATA_BYTES, Hj212Framer, parseCp, parsePacket, QN_RTN, QnGenerator, requestResponse, ST_SURFACE_WATER, wantsAnswer, type CpItem, type Hj212Packet } from '../../ingest/hj212/index.js';
import { type ClientReading, Hj212AckTimeoutError, type Hj212ClientEvents, type Hj212ClientOptions, Hj212RefusedError, type UploadResult } from './hj212-client-options.js';
interface Outstanding {
  readonly packets: readonly string[];
  readonly startedMs: number;
  attempts: number;
  timer: NodeJS.Timeout | undefined;
  readonly resolve: (result: UploadResult) => void;
  readonly reject: (err: Error) => void;
}

export class Hj212Client extends EventEmitter<Hj212ClientEvents> {
  readonly #options: Hj212ClientOptions;
  readonly #parameters: ParameterTable;
  readonly #clock: Clock;
  readonly #offsetMinutes: number;
  readonly #qn: QnGenerator;
  readonly #outstanding = new Map<string, Outstanding>();
  #socket: Socket | undefined;
  #connected = false;
  #closed = false;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #startWaiters: { resolve: () => void; reject: (err: Error) => void }[] = [];
  #realtimeIntervalS: number;
  /** Frames from the platform refused by the framer (bad CRC, length, trailer) or parser. */
  badFrames = 0;

  constructor(options: Hj212ClientOptions) {
    super();
    this.#options = options;
    this.#parameters = options.parameters ?? new ParameterTable();
    this.#clock = options.clock ?? systemClock;
    this.#offsetMinutes = options.timezoneOffsetMinutes ?? CHINA_OFFSET_MINUTES;
    this.#qn = new QnGenerator(this.#clock, this.#offsetMinutes);
    this.#realtimeIntervalS = options.realtimeIntervalS ?? 300;
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** The current real-time data interval (changed by 1062 commands). */
  get realtimeIntervalS(): number {
    return this.#realtimeIntervalS;
  }

  /** Connects; resolves on the first successful connection (keeps retrying until then). */
  start(): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('HJ 212 client is closed'));
    if (this.#connected) return Promise.resolve();
    const connected = new Promise<void>((resolve, reject) => {
      this.#startWaiters.push({ resolve, reject });
    });
    if (!this.#socket) this.#connect();
    return connected;
  }

  /** Disconnects for good; uploads still waiting are rejected. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    for (const waiter of this.#startWaiters.splice(0)) waiter.reject(new Error('HJ 212 client closed before it connected'));
    for (const [qn, entry] of this.#outstanding) {
      if (entry.timer) clearTimeout(entry.timer);
      entry.reject(new Error(`HJ 212 client closed before upload ${qn} was answered`));
    }
    this.#outstanding.clear();
    const socket = this.#socket;
    if (socket && !socket.destroyed) {
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.destroy();
      });
    }
  }

  /** Uploads real-time data (CN 2011, `-Rtd`). */
  sendRealtime(reading: ClientReading): Promise<UploadResult> {
    return this.upload('2011', reading);
  }

  /** Uploads hourly data (CN 2061, `-Avg`). */
  sendHourly(reading: ClientReading): Promise<UploadResult> {
    return this.upload('2061', reading);
  }

  /** Uploads one reading as data of `cn` and resolves on the platform's 9014. */
  upload(cn: '2011' | '2051' | '2061' | '2031', reading: ClientReading): Promise<UploadResult> {
    const suffix = cn === '2011' ? 'Rtd' : 'Avg';
    const groups: CpItem[][] = [[{ key: 'DataTime', value: formatLocalTime(reading.ts, this.#offsetMinutes) }]];
    for (const [key, value] of Object.entries(reading.values)) {
      const spec = this.#parameters.get(key);
      if (!spec) throw new RangeError(`parameter ${key} has no HJ 212 code`);
      groups.push([
        { key: `${spec.hj212Code}-${suffix}`, value: String(value) },
        { key: `${spec.hj212Code}-Flag`, value: reading.flags?.[key] ?? 'N' },
      ]);
    }
    const qn = this.#qn.next();
    return this.#sendMessage(qn, cn, groups);
  }

  /**
   * Sends an already framed packet (or several, e.g. the parts of a split message) that carries `qn`
   * and asks for an answer; resolves on the 9014 echoing `qn`. For tests and odd cases.
   */
  sendPackets(qn: string, packets: readonly string[]): Promise<UploadResult> {
    return new Promise((resolve, reject) => {
      if (this.#closed) {
        reject(new Error('HJ 212 client is closed'));
        return;
      }
      const entry: Outstanding = { packets, startedMs: this.#clock.now(), attempts: 0, timer: undefined, resolve, reject };
      this.#outstanding.set(qn, entry);
      this.#attempt(qn, entry);
    });
  }

  /** Writes bytes as they are (tests: garbage, broken frames). */
  writeRaw(bytes: string | Uint8Array): boolean {
    if (!this.#socket || !this.#connected) return false;
    return this.#socket.write(bytes);
  }

  #sendMessage(qn: string, cn: string, groups: readonly (readonly CpItem[])[]): Promise<UploadResult> {
    const base = { qn, st: this.#options.st ?? ST_SURFACE_WATER, cn, pw: this.#options.pw, mn: this.#options.mn };
    const limit = this.#options.maxDataBytes ?? HJ212_MAX_DATA_BYTES;
    const whole = buildDataSegment({ ...base, flag: FLAG_VERSION_2017 | FLAG_ANSWER, cp: groups });
    if (Buffer.byteLength(whole) <= limit) return this.sendPackets(qn, [frameDataSegment(whole)]);
    // Split (Flag bit D, HJ 212-2017 C.49/C.50): each part repeats DataTime so it reads on its own,
    // PNUM/PNO number them, each has its own QN and is sent once the previous part's 9014 came.
    const [timeGroup, ...items] = groups;
    const parts: (readonly CpItem[])[][] = [];
    let current: (readonly CpItem[])[] = [];
    const flag = FLAG_VERSION_2017 | FLAG_SPLIT | FLAG_ANSWER;
    const sizeOf = (cp: (readonly CpItem[])[]): number =>
      Buffer.byteLength(buildDataSegment({ ...base, flag, pnum: 9999, pno: 9999, cp: timeGroup ? [timeGroup, ...cp] : cp }));
    for (const group of items) {
      if (current.length > 0 && sizeOf([...current, group]) > limit) {
        parts.push(current);
        current = [];
      }
      current.push(group);
    }
    if (current.length > 0) parts.push(current);
    return this.#sendParts(base, flag, parts.map((cp) => (timeGroup ? [timeGroup, ...cp] : cp)));
  }

  async #sendParts(
    base: { qn: string; st: string; cn: string; pw: string; mn: string },
    flag: number,
    parts: readonly (readonly (readonly CpItem[])[])[],
  ): Promise<UploadResult> {
    const startedMs = this.#clock.now();
    let attempts = 0;
    let last: UploadResult | undefined;
    for (const [i, cp] of parts.entries()) {
      const partQn = i === 0 ? base.qn : this.#qn.next();
      last = await this.sendPackets(partQn, [buildPacket({ ...base, qn: partQn, flag, pnum: parts.length, pno: i + 1, cp })]);
      attempts += last.attempts;
    }
    const result = last as UploadResult;
    return { ...result, qn: base.qn, attempts, latencyMs: this.#clock.now() - startedMs };
  }

  #attempt(qn: string, entry: Outstanding): void {
    const maxAttempts = this.#options.maxAttempts ?? 3;
    if (entry.attempts >= maxAttempts) {
      this.#outstanding.delete(qn);
      entry.reject(new Hj212AckTimeoutError(qn, entry.attempts));
      return;
    }
    entry.attempts++;
    // HJ 212 resends the same packet, same QN, until answered or out of attempts.
    if (this.#socket && this.#connected) for (const packet of entry.packets) this.#socket.write(packet);
    entry.timer = setTimeout(() => this.#attempt(qn, entry), this.#options.ackTimeoutMs ?? 5_000);
  }

  #connect(): void {
    if (this.#closed) return;
    const socket = connect({ host: this.#options.host, port: this.#options.port });
    socket.setNoDelay(true);
    this.#socket = socket;
    const framer = new Hj212Framer();
    socket.on('connect', () => {
      this.#connected = true;
      for (const waiter of this.#startWaiters.splice(0)) waiter.resolve();
      this.emit('connect');
      // Whatever was waiting for an answer is sent again on the new connection.
      for (const entry of this.#outstanding.values()) for (const packet of entry.packets) socket.write(packet);
    });
    socket.on('data', (chunk: Buffer) => {
      for (const event of framer.push(chunk)) {
        if (event.kind === 'packet') this.#onPacket(event.data, event.raw);
        else if (event.kind === 'error') this.badFrames++;
      }
    });
    socket.on('error', () => {
      // 'close' follows; reconnecting is handled there.
    });
    socket.on('close', () => {
      const wasConnected = this.#connected;
      this.#connected = false;
      if (wasConnected) this.emit('disconnect');
      if (this.#closed) return;
      this.#reconnectTimer = setTimeout(() => this.#connect(), this.#options.reconnectDelayMs ?? 1_000);
    });
  }

  #onPacket(data: string, raw: string): void {
    const parsed = parsePacket(data);
    if (!parsed.ok) {
      this.badFrames++;
      return;
    }
    const packet = parsed.value;
    this.emit('packet', packet, raw);
    if (packet.cn === '9014' && packet.qn !== undefined) {
      const entry = this.#outstanding.get(packet.qn);
      if (!entry) return;
      this.#outstanding.delete(packet.qn);
      if (entry.timer) clearTimeout(entry.timer);
      entry.resolve({
        qn: packet.qn,
        attempts: entry.attempts,
        latencyMs: this.#clock.now() - entry.startedMs,
        responseRaw: raw,
      });
    } else if (packet.cn === '9011' && packet.qn !== undefined) {
      const entry = this.#outstanding.get(packet.qn);
      const qnRtn = Number(cpValue(packet, 'QnRtn'));
      if (!entry || qnRtn === QN_RTN.ready) return;
      this.#outstanding.delete(packet.qn);
      if (entry.timer) clearTimeout(entry.timer);
      entry.reject(new Hj212RefusedError(qnRtn));
    } else if (packet.cn === '1062') {
      void this.#onSetInterval(packet);
    } else if (packet.cn === '1012') {
      this.#onSetTime(packet);
    }
  }

  /**
   * 1012 set time (the platform found this logger's clock off, or answers its 1013): 9011 + 9012 as a
   * logger does. The simulated logger's clock is the process clock, so nothing is changed; the time is emitted.
   */
  #onSetTime(packet: Hj212Packet): void {
    const systemTime = cpValue(packet, 'SystemTime');
    const reply = (text: string): void => {
      if (this.#socket && this.#connected) this.#socket.write(text);
    };
    if (packet.mn !== this.#options.mn || packet.pw !== this.#options.pw) {
      reply(requestResponse(packet, packet.mn !== this.#options.mn ? QN_RTN.mnError : QN_RTN.passwordError));
      return;
    }
    if (systemTime === undefined || !/^\d{14}$/.test(systemTime)) {
      reply(requestResponse(packet, QN_RTN.rejected));
      return;
    }
    if (wantsAnswer(packet.flag)) reply(requestResponse(packet, QN_RTN.ready));
    this.emit('time', systemTime);
    reply(executionResult(packet, EXE_RTN.success));
  }

  async #onSetInterval(packet: Hj212Packet): Promise<void> {
    const reply = (text: string): void => {
      if (this.#socket && this.#connected) this.#socket.write(text);
    };
    if (packet.mn !== this.#options.mn) {
      reply(requestResponse(packet, QN_RTN.mnError));
      return;
    }
    if (packet.pw !== this.#options.pw) {
      reply(requestResponse(packet, QN_RTN.passwordError));
      return;
    }
    const text = cpValue(packet, 'RtdInterval');
    const intervalS = text !== undefined && /^\d{1,6}$/.test(text) ? Number(text) : undefined;
    if (intervalS === undefined || intervalS < 1) {
      reply(requestResponse(packet, QN_RTN.rejected));
      return;
    }
    if (wantsAnswer(packet.flag)) reply(requestResponse(packet, QN_RTN.ready));
    let applied: boolean;
    try {
      applied = (await this.#options.onIntervalCommand?.(intervalS)) ?? true;
    } catch {
      applied = false;
    }
    if (applied) {
      this.#realtimeIntervalS = intervalS;
      this.emit('interval', intervalS);
    }
    reply(executionResult(packet, applied ? EXE_RTN.success : EXE_RTN.failed));
  }
}

function cpValue(packet: Hj212Packet, key: string): string | undefined {
  const cp = parseCp(packet.cp);
  return cp.ok ? cp.value.flat().find((item) => item.key === key)?.value : undefined;
}
