/**
 * Writes each message as a JSON line `{ "topic": ..., "payload": {...} }`
 * to a stream (stdout by default) or a file: a dry run that needs no server,
 * or a file to replay later.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { StationMessage } from '../model/station-stream.js';
import { readingsTopic } from '../../domain/index.js';
import { encodeMessage } from './payload.js';
import type { CommandHandler, SendResult, SimTransport } from './transport.js';

export class JsonlTransport implements SimTransport {
  readonly name = 'jsonl';
  readonly #target: Writable | string;
  #out: Writable | undefined;
  #ownsStream = false;
  #closed = false;
  #drained: Promise<unknown> | undefined;

  /** `target`: a path, or a writable stream (not closed by the transport). */
  constructor(target: Writable | string) {
    this.#target = target;
  }

  async start(): Promise<void> {
    if (typeof this.#target === 'string') {
      this.#out = createWriteStream(this.#target, { flags: 'w' });
      this.#ownsStream = true;
      await once(this.#out, 'open');
    } else {
      this.#out = this.#target;
    }
  }

  async send(message: StationMessage): Promise<SendResult> {
    const out = this.#out;
    if (!out || this.#closed) throw new Error('jsonl transport is not started or closed');
    const line = `{"topic":${JSON.stringify(readingsTopic(message.sectionId, message.stationId))},"payload":${encodeMessage(message)}}\n`;
    if (this.#drained) await this.#drained;
    if (!out.write(line)) {
      // One shared wait for every sender, not a listener each.
      this.#drained ??= once(out, 'drain').finally(() => {
        this.#drained = undefined;
      });
      await this.#drained;
    }
    return { ok: true };
  }

  onCommand(_handler: CommandHandler): void {
    // A file has no command channel.
  }

  counters(): Readonly<Record<string, number>> {
    return {};
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const out = this.#out;
    if (out && this.#ownsStream) {
      out.end();
      await once(out, 'finish');
    }
  }
}
