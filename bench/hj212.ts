/**
 * HJ 212 benchmark (issue 4): `node --import tsx bench/hj212.ts`
 *  1. codec: packets/s through framer (length, CRC) + header parse + CP parse + mapping to readings, pure;
 *  2. end to end over loopback TCP: data-logger clients → Hj212Server → an in-memory counting gateway
 *     (the real gateway, with Redis, is the lead's; this measures the HJ 212 part only). Clients and server
 *     share this process and the machine's cores, so the figure is a floor, not a ceiling.
 * Runs in about 15 s. Figures are measured on this run, never assumed.
 */
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { Registry as MetricsRegistry } from 'prom-client';
import { loadRegistryFile } from '../config/registry-loader.js';
import { ParameterTable } from '../domain/parameters.js';
import type { IngestGateway, ReadingPayload, Submission, SubmitResult } from '../domain/ports.js';
import {
  buildPacket,
  formatLocalTime,
  Hj212Framer,
  Hj212Server,
  mapDataUpload,
  parseCp,
  parsePacket,
} from '../platform/hj212/index.js';
import { Hj212Client } from '../simulators/transports/hj212-client.js';

const CODEC_SECONDS = 3;
const E2E_SECONDS = 6;
const WINDOW = 8; // uploads in flight per data logger
const parameters = new ParameterTable();
const T0 = Date.parse('2026-11-22T08:00:00+08:00');

function values(i: number): Record<string, number> {
  return {
    ph: 7 + (i % 100) / 100,
    do: 6.8,
    codmn: 3.1,
    nh3n: 0.42 + (i % 7) / 100,
    tp: 0.081,
    tn: 1.12,
    temp: 18.2,
    cond: 320 + (i % 50),
    turb: 12.5,
  };
}

function realtimePacket(i: number): string {
  const cp = [[{ key: 'DataTime', value: formatLocalTime(T0 + i * 1000, 480) }]];
  for (const [key, value] of Object.entries(values(i))) {
    const code = parameters.get(key)?.hj212Code as string;
    cp.push([
      { key: `${code}-Rtd`, value: String(value) },
      { key: `${code}-Flag`, value: 'N' },
    ]);
  }
  return buildPacket({
    qn: formatLocalTime(T0 + i, 480, true),
    st: '21',
    cn: '2011',
    pw: '123456',
    mn: 'BENCH000000000000000001',
    flag: 5,
    cp,
  });
}

function benchCodec(): void {
  const count = 20_000;
  const stream = Buffer.from(Array.from({ length: count }, (_, i) => realtimePacket(i)).join(''));
  const chunks: Buffer[] = [];
  for (let i = 0; i < stream.length; i += 1460) chunks.push(stream.subarray(i, i + 1460)); // TCP-segment-sized pieces
  let packets = 0;
  let readings = 0;
  let rounds = 0;
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  let elapsedS = 0;
  while (elapsedS < CODEC_SECONDS) {
    const framer = new Hj212Framer();
    for (const chunk of chunks) {
      for (const event of framer.push(chunk)) {
        if (event.kind !== 'packet') throw new Error(`bench stream broken: ${event.kind}`);
        const packet = parsePacket(event.data);
        if (!packet.ok) throw new Error(packet.reason);
        const cp = parseCp(packet.value.cp);
        if (!cp.ok) throw new Error(cp.reason);
        const mapping = mapDataUpload(cp.value, { cn: packet.value.cn, stationId: 'S', parameters, timezoneOffsetMinutes: 480 });
        packets++;
        readings += mapping.readings.length;
      }
    }
    rounds++;
    elapsedS = Number(process.hrtime.bigint() - start) / 1e9;
  }
  if (readings !== packets) throw new Error('codec bench: every packet should give one reading');
  const bytesPerPacket = stream.length / count;
  console.log(
    `codec (frame + CRC + parse + map), ${count} packets of ${bytesPerPacket.toFixed(0)} B in 1460 B segments, ${rounds} rounds in ${elapsedS.toFixed(2)} s: ` +
      `${Math.round(packets / elapsedS).toLocaleString('en')} packets/s (${((packets * bytesPerPacket) / elapsedS / 1e6).toFixed(1)} MB/s), ` +
      `CPU ${cpuUsPerPacket(cpu0, packets)} µs per packet`,
  );
}

/** Process CPU time (user + system) since `from`, per packet: steadier than packets/s on a shared machine. */
function cpuUsPerPacket(from: NodeJS.CpuUsage, packets: number): string {
  const used = process.cpuUsage(from);
  return ((used.user + used.system) / Math.max(1, packets)).toFixed(1);
}

class CountingGateway implements IngestGateway {
  readings = 0;
  deadLetters = 0;
  async submit(submission: Submission): Promise<SubmitResult> {
    const n = (submission.payload as { readings: ReadingPayload[] }).readings.length;
    this.readings += n;
    return { accepted: n, rejected: [] };
  }
  async deadLetter(): Promise<void> {
    this.deadLetters++;
  }
}

async function benchEndToEnd(): Promise<void> {
  const registry = loadRegistryFile(fileURLToPath(new URL('../config/registry.yaml', import.meta.url)), parameters);
  const stations = [...registry.stations.values()].filter((s) => s.hj212);
  const gateway = new CountingGateway();
  const server = new Hj212Server({
    registry,
    parameters,
    gateway,
    logger: pino({ level: 'warn' }),
    metricsRegistry: new MetricsRegistry(),
    options: { port: 0 },
  });
  await server.start();
  const port = server.address()?.port as number;
  const clients = stations.map(
    (s) =>
      new Hj212Client({
        host: '127.0.0.1',
        port,
        mn: s.hj212?.mn as string,
        pw: s.hj212?.password as string,
        ackTimeoutMs: 10_000,
        maxAttempts: 1,
      }),
  );
  await Promise.all(clients.map((c) => c.start()));
  let acked = 0;
  let failed = 0;
  const latencies: number[] = [];
  const deadline = Date.now() + E2E_SECONDS * 1000;
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  let seq = 0;
  const lane = async (client: Hj212Client): Promise<void> => {
    while (Date.now() < deadline) {
      const i = seq++;
      try {
        const result = await client.sendRealtime({ ts: T0 + i * 1000, values: values(i) });
        acked++;
        if (i % 10 === 0) latencies.push(result.latencyMs);
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(clients.flatMap((c) => Array.from({ length: WINDOW }, () => lane(c))));
  const elapsedS = Number(process.hrtime.bigint() - start) / 1e9;
  const cpuPerPacket = cpuUsPerPacket(cpu0, acked);
  await Promise.all(clients.map((c) => c.close()));
  await server.close();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  console.log(
    `end to end over loopback TCP, ${clients.length} data loggers × ${WINDOW} uploads in flight, ${elapsedS.toFixed(2)} s: ` +
      `${Math.round(acked / elapsedS).toLocaleString('en')} packets/s acknowledged (9014), ` +
      `${Math.round(gateway.readings / elapsedS).toLocaleString('en')} readings/s (${gateway.readings} readings, 9 values each), ` +
      `9014 latency p50 ${pct(50)} ms, p99 ${pct(99)} ms; failed ${failed}, dead letters ${gateway.deadLetters}; ` +
      `CPU ${cpuPerPacket} µs per packet (server and clients, this process)`,
  );
}

// The machine is shared: print the load so a low figure can be read for what it is.
console.log(
  `node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} (1/5/15 min)`,
);
benchCodec();
await benchEndToEnd();
console.log(
  `load average after: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
