/**
 * Load generator process for bench/ingest.ts: publishes `count` readings of
 * `stations` synthetic stations (9 values each) over `connections` MQTT
 * connections at QoS 1 with at most `window` messages in flight per
 * connection, and prints one JSON line with what the broker acknowledged.
 * Args: url count stations connections window
 */
import mqtt from 'mqtt';

const [url = 'mqtt://127.0.0.1:1883', countText = '100000', stationsText = '2000', connectionsText = '4', windowText = '500', startText = String(Date.now() - 86_400_000)] = process.argv.slice(2);
const count = Number(countText);
const stations = Number(stationsText);
const connections = Number(connectionsText);
const window = Number(windowText);
const startTs = Number(startText);

const clients = await Promise.all(Array.from({ length: connections }, (_, i) => mqtt.connectAsync(url, { clientId: `bench-gw-${process.pid}-${i}`, clean: true, protocolVersion: 4 })));
let next = 0;
let acked = 0;
let failed = 0;
const latencies: number[] = [];
const t0 = Date.now();
process.stdout.write(JSON.stringify({ event: 'start', t0 }) + '\n');

async function worker(client: mqtt.MqttClient): Promise<void> {
  while (next < count) {
    const i = next++;
    const station = i % stations;
    const round = Math.floor(i / stations);
    // Synthetic stations live on registry sections bench-s0..bench-s99 (see bench/ingest.ts).
    const stationId = `BENCH-${station}`;
    const sectionId = `bench-s${station % 100}`;
    const body = JSON.stringify({
      stationId,
      ts: startTs + round * 60_000,
      seq: round,
      values: { temp: 18.2, ph: 7.41, do: 6.8, cond: 320, turb: 12.5, codmn: 3.1, nh3n: 0.42, tp: 0.081, tn: 1.12 },
    });
    const sent = performance.now();
    try {
      await client.publishAsync(`wq/${sectionId}/${stationId}/readings`, body, { qos: 1 });
      acked++;
      if (i % 50 === 0) latencies.push(performance.now() - sent);
    } catch {
      failed++;
    }
  }
}

await Promise.all(clients.flatMap((client) => Array.from({ length: window }, () => worker(client))));
const t1 = Date.now();
latencies.sort((a, b) => a - b);
const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
process.stdout.write(JSON.stringify({ event: 'done', t0, t1, acked, failed, publishRatePerS: Math.round(acked / ((t1 - t0) / 1000)), pubackP50Ms: q(0.5), pubackP99Ms: q(0.99) }) + '\n');
await Promise.all(clients.map((c) => c.endAsync()));
