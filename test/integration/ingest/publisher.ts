/** A gateway stand-in for tests: publishes readings over MQTT QoS 1 and records what the broker acknowledged. */
import mqtt, { type MqttClient } from 'mqtt';

export interface Published {
  readonly stationId: string;
  readonly ts: number;
}

export class TestPublisher {
  readonly acked: Published[] = [];
  #client: MqttClient | undefined;

  constructor(readonly url: string, readonly options: { username?: string; password?: string; clientId?: string } = {}) {}

  async connect(): Promise<void> {
    this.#client = await mqtt.connectAsync(this.url, { protocolVersion: 4, clean: true, reconnectPeriod: 500, ...this.options });
  }

  get client(): MqttClient {
    if (!this.#client) throw new Error('not connected');
    return this.#client;
  }

  /** Publishes one message; resolves on PUBACK (rejects if the connection drops first). */
  async publishRaw(topic: string, payload: string | Buffer): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos: 1 });
  }

  /**
   * Publishes `count` readings of one station, `window` in flight at most; returns
   * when every publish has either been acknowledged or failed. Acknowledged ones are recorded.
   */
  async stream(args: { sectionId: string; stationId: string; count: number; startTs: number; stepMs: number; window?: number; values?: (i: number) => Record<string, number> }): Promise<{ acked: number; failed: number }> {
    const window = args.window ?? 50;
    let next = 0;
    let acked = 0;
    let failed = 0;
    const topic = `wq/${args.sectionId}/${args.stationId}/readings`;
    const worker = async () => {
      while (next < args.count) {
        const i = next++;
        const ts = args.startTs + i * args.stepMs;
        const body = JSON.stringify({ stationId: args.stationId, ts, seq: i, values: args.values?.(i) ?? { ph: 7 + (i % 10) / 100, do: 6.5, nh3n: 0.3 } });
        for (let attempt = 0; ; attempt++) {
          try {
            await this.publishRaw(topic, body);
            this.acked.push({ stationId: args.stationId, ts });
            acked++;
            break;
          } catch {
            // Not acknowledged: the gateway retries (as a real data logger would) until acknowledged.
            if (attempt > 50) {
              failed++;
              break;
            }
            await new Promise((r) => setTimeout(r, 200));
          }
        }
      }
    };
    await Promise.all(Array.from({ length: window }, worker));
    return { acked, failed };
  }

  async close(): Promise<void> {
    await this.#client?.endAsync(true).catch(() => undefined);
  }
}
