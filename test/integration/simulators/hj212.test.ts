/**
 * The simulator's HJ 212 transport against the real HJ 212 server on a TCP
 * socket (port 0). The server hands readings to an in-memory IngestGateway
 * (the HJ 212 tests' fake of the port, not of any external service).
 */
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { Registry as MetricsRegistry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { loadRegistryFile } from '../../../config/registry-loader.js';
import { ParameterTable } from '../../../domain/index.js';
import { Hj212Server } from '../../../platform/hj212/index.js';
import { NO_EVENTS, Simulator } from '../../../simulators/index.js';
import { Hj212Transport } from '../../../simulators/transports/index.js';
import { FakeGateway } from '../hj212/fake-gateway.js';

const parameters = new ParameterTable();
const registry = loadRegistryFile(fileURLToPath(new URL('../../../config/registry.yaml', import.meta.url)), parameters);
const logger = pino({ level: 'silent' });
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startServer(): Promise<{ server: Hj212Server; gateway: FakeGateway; port: number }> {
  const gateway = new FakeGateway();
  const server = new Hj212Server({
    registry,
    parameters,
    gateway,
    logger,
    metricsRegistry: new MetricsRegistry(),
    options: { port: 0, host: '127.0.0.1' },
  });
  await server.start();
  cleanups.push(() => server.close());
  return { server, gateway, port: server.address()?.port as number };
}

describe('simulator over HJ 212 (real server, TCP)', () => {
  it('uploads real-time (2011) readings and hourly (2061) averages, each answered by a 9014', async () => {
    const { gateway, port } = await startServer();
    const stations = [registry.station('TP-JS-01')].filter((s) => s !== undefined);
    const transport = new Hj212Transport({
      host: '127.0.0.1',
      port,
      logger,
      stations: stations.map((s) => ({ id: s.id, sectionId: s.sectionId, ...(s.hj212 ? { hj212: s.hj212 } : {}) })),
    });
    const fromMs = Date.parse('2026-11-20T00:00:00+08:00');
    const sim = new Simulator({
      registry,
      stations,
      events: NO_EVENTS,
      seed: 1,
      fromMs,
      toMs: fromMs + 2 * 3_600_000 + 1,
      speed: 'max',
      transport,
      logger,
    });
    cleanups.push(() => sim.close());
    await sim.start();
    const summary = await sim.finished();
    expect(summary).toMatchObject({ readingsAcked: 25, messagesFailed: 0, messagesRefused: 0 });
    // 25 real-time readings (00:00 … 02:00) and the averages of the two complete hours.
    expect(gateway.submissions).toHaveLength(27);
    expect(gateway.submissions.filter((s) => s.raw.includes('CN=2061'))).toHaveLength(2);
    const hourly = gateway.submissions
      .filter((s) => s.raw.includes('CN=2061'))
      .flatMap((s) => (s.payload as { readings: { ts: number }[] }).readings);
    expect(hourly.map((r) => r.ts)).toEqual([fromMs, fromMs + 3_600_000]);
    expect(summary.transportCounters).toMatchObject({ hourlyUploads: 2 });
  });

  it('a 1062 from the platform changes the station sampling interval and is answered', async () => {
    const { server, gateway, port } = await startServer();
    const stations = [registry.station('TP-JS-01')].filter((s) => s !== undefined);
    const transport = new Hj212Transport({
      host: '127.0.0.1',
      port,
      logger,
      hourly: false,
      stations: stations.map((s) => ({ id: s.id, sectionId: s.sectionId, ...(s.hj212 ? { hj212: s.hj212 } : {}) })),
    });
    const sim = new Simulator({
      registry,
      stations,
      events: NO_EVENTS,
      seed: 1,
      fromMs: Date.now(),
      toMs: Infinity,
      speed: 1,
      transport,
      logger,
      stream: { samplingIntervalS: 2 },
    });
    cleanups.push(() => sim.close());
    await sim.start();
    // The server learns which connection is the station from its first upload.
    const deadline = Date.now() + 10_000;
    while (gateway.readings().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const result = await server.sendCommand({
      id: 'hj-cmd-1',
      stationId: 'TP-JS-01',
      sectionId: 'tp-jiashan',
      type: 'set-sampling-interval',
      intervalS: 1,
      expiresAt: Date.now() + 30_000,
    });
    expect(result).toMatchObject({ ok: true });
    const commandAt = Date.now();
    await new Promise((r) => setTimeout(r, 3500));
    const after = gateway
      .readings()
      .filter((r) => (r.ts as number) > commandAt + 1000)
      .map((r) => r.ts as number);
    expect(after.length).toBeGreaterThanOrEqual(2);
    expect(new Set(after.slice(1).map((t, i) => t - (after[i] as number)))).toEqual(new Set([1000]));
    const summary = await sim.close();
    expect(summary.commands).toMatchObject({ received: 1, applied: 1 });
  });
});
