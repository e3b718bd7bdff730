/**
 * A transport whose readings go one way (HTTP) while the stations' commands
 * arrive over another (MQTT): what a gateway that posts over HTTP but
 * listens on the broker does.
 */
import type { StationMessage } from '../model/station-stream.js';
import type { CommandHandler, SendResult, SimTransport } from './transport.js';

export class WithCommandChannel implements SimTransport {
  readonly name: string;
  readonly #readings: SimTransport;
  readonly #commands: SimTransport;

  constructor(readings: SimTransport, commands: SimTransport) {
    this.#readings = readings;
    this.#commands = commands;
    this.name = `${readings.name}+${commands.name}-commands`;
  }

  async start(): Promise<void> {
    await this.#commands.start();
    try {
      await this.#readings.start();
    } catch (err) {
      await this.#commands.close().catch(() => undefined);
      throw err;
    }
  }

  send(message: StationMessage): Promise<SendResult> {
    return this.#readings.send(message);
  }

  onCommand(handler: CommandHandler): void {
    this.#commands.onCommand(handler);
  }

  counters(): Readonly<Record<string, number>> {
    const out: Record<string, number> = { ...this.#readings.counters() };
    for (const [key, value] of Object.entries(this.#commands.counters())) out[`commands.${key}`] = value;
    return out;
  }

  async close(): Promise<void> {
    const results = await Promise.allSettled([this.#readings.close(), this.#commands.close()]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
