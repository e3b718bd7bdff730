/**
 * A scripted data logger for the conformance suite: a plain TCP socket that writes exactly the packets a
 * test gives it and records every packet the platform answers (framed, CRC checked). `send` waits for the
 * number of answers the standard's sequence diagram calls for; `finish` proves nothing else came: it sends
 * a marker heartbeat (9015, answer asked) and, since the server handles one connection's packets in order,
 * once the marker's 9013 is back every earlier answer has been written.
 */
import { connect, type Socket } from 'node:net';
import { buildPacket, formatLocalTime, Hj212Framer, parsePacket, type Hj212Packet, type Hj212PacketFields } from '../../../ingest/hj212/index.js';

export interface Answer {
  readonly packet: Hj212Packet;
  readonly data: string;
}

let lastMarkerMs = 0;

export class ScriptedLogger {
  readonly answers: Answer[] = [];
  badFrames = 0;
  readonly #socket: Socket;
  readonly #mn: string;
  readonly #pw: string;
  readonly #framer = new Hj212Framer();
  readonly #markers = new Set<string>();

  private constructor(socket: Socket, mn: string, pw: string) {
    this.#socket = socket;
    this.#mn = mn;
    this.#pw = pw;
    socket.on('data', (chunk: Buffer) => {
      for (const event of this.#framer.push(chunk)) {
        if (event.kind !== 'packet') {
          this.badFrames++;
          continue;
        }
        const parsed = parsePacket(event.data);
        if (parsed.ok) this.answers.push({ packet: parsed.value, data: event.data });
        else this.badFrames++;
      }
    });
    socket.on('error', () => {});
  }

  static async connect(port: number, mn: string, pw: string): Promise<ScriptedLogger> {
    const socket = connect({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new ScriptedLogger(socket, mn, pw);
  }

  /** Writes a packet built from `fields` (MN/PW default to the logger's) or raw text; waits for `answers` more answers. */
  async send(what: (Partial<Hj212PacketFields> & Pick<Hj212PacketFields, 'cn' | 'flag' | 'cp'>) | string, answers = 0): Promise<Answer[]> {
    const before = this.answers.length;
    const text = typeof what === 'string' ? what : buildPacket({ st: '32', mn: this.#mn, pw: this.#pw, ...what });
    this.#socket.write(text);
    await until(() => this.answers.length >= before + answers);
    return this.answers.slice(before, before + answers);
  }

  /** Waits until an answer matching `predicate` arrived (commands the platform starts on its own). */
  async waitFor(predicate: (a: Answer) => boolean): Promise<Answer> {
    await until(() => this.answers.some(predicate));
    return this.answers.find(predicate) as Answer;
  }

  /** Waits until the server handled everything sent so far (a marker heartbeat's 9013 is back). */
  async sync(): Promise<void> {
    // A QN of now (platform time): the marker must not look like a drifting clock.
    lastMarkerMs = Math.max(Date.now(), lastMarkerMs + 1);
    const qn = formatLocalTime(lastMarkerMs, 480, true);
    this.#markers.add(qn);
    this.#socket.write(buildPacket({ qn, st: '91', cn: '9015', pw: this.#pw, mn: this.#mn, flag: 5, cp: '' }));
    await until(() => this.answers.some((a) => a.packet.cn === '9013' && a.packet.qn === qn));
  }

  /** Proves no answer beyond those seen came: every answer so far except the markers' 9013s. */
  async finish(): Promise<Answer[]> {
    await this.sync();
    return this.answers.filter((a) => !(a.packet.cn === '9013' && a.packet.qn !== undefined && this.#markers.has(a.packet.qn)));
  }

  close(): void {
    this.#socket.destroy();
  }
}

export async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
