/**
 * HJ 212 server over real TCP sockets on port 0. The IngestGateway is an in-memory fake (see
 * fake-gateway.ts): the real gateway is being built in parallel by the lead, who adds the end-to-end
 * test through the real pipeline (readings landing in InfluxDB and reaching analytics).
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { Registry as MetricsRegistry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { loadRegistryFile } from '../../../config/registry-loader.js';
import { ParameterTable } from '../../../domain/parameters.js';
import { Registry, type Station } from '../../../domain/registry.js';
import type { StationDiagnostic, StationDiagnostics } from '../../../domain/station-diagnostics.js';
import {
  buildPacket,
  formatCrc,
  formatLocalTime,
  parseLocalTime,
  hj212Crc,
  Hj212Server,
  parsePacket,
  type Hj212CommandResult,
  type Hj212Packet,
  type Hj212ServerOptions,
} from '../../../platform/hj212/index.js';
import { Hj212Client } from '../../../simulators/transports/hj212-client.js';
import { Hj212RefusedError, type Hj212ClientOptions } from '../../../simulators/transports/hj212-client-options.js';
import { REFERENCE_PACKETS } from '../../unit/hj212/reference-packets.js';
import { FakeGateway } from './fake-gateway.js';

const parameters = new ParameterTable();
const baseRegistry = loadRegistryFile(fileURLToPath(new URL('../../../config/registry.yaml', import.meta.url)), parameters);
const jiashan = baseRegistry.station('TP-JS-01') as Station;
const station = (id: string, mn: string): Station => ({ ...jiashan, id, hj212: { mn, password: '123456' } });
// The sample registry plus two stations carrying the MNs of the reference packets (domain-facts §3.3).
const registry = new Registry({
  agencies: [...baseRegistry.agencies.values()],
  rivers: [...baseRegistry.rivers.values()],
  sections: [...baseRegistry.sections.values()],
  stations: [...baseRegistry.stations.values(), station('REF-2011', 'ZLDSZ20210127'), station('REF-2061', 'ZJ330100SW0001')],
});
const JS = { mn: jiashan.hj212?.mn as string, pw: jiashan.hj212?.password as string };

const VALUES = { ph: 7.41, do: 6.8, codmn: 3.1, nh3n: 0.42, tp: 0.081, tn: 1.12, temp: 18.2, cond: 320, turb: 12.5 };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startServer(options: Hj212ServerOptions = {}, diagnostics?: StationDiagnostics) {
  const gateway = new FakeGateway();
  const metricsRegistry = new MetricsRegistry();
  const server = new Hj212Server({
    registry,
    parameters,
    gateway,
    logger: pino({ level: 'silent' }),
    metricsRegistry,
    options: { port: 0, host: '127.0.0.1', ...options },
    ...(diagnostics ? { diagnostics } : {}),
  });
  await server.start();
  cleanups.push(() => server.close());
  const port = server.address()?.port as number;
  const metric = async (name: string, labels: Record<string, string> = {}): Promise<number> => {
    const values = (await metricsRegistry.getSingleMetric(name)?.get())?.values ?? [];
    return values
      .filter((v) => Object.entries(labels).every(([k, l]) => (v.labels as Record<string, unknown>)[k] === l))
      .reduce((sum, v) => sum + v.value, 0);
  };
  return { server, gateway, port, metric };
}

async function startClient(port: number, options: Partial<Hj212ClientOptions> = {}): Promise<Hj212Client> {
  const client = new Hj212Client({
    host: '127.0.0.1',
    port,
    ...JS,
    ackTimeoutMs: 2_000,
    maxAttempts: 1,
    reconnectDelayMs: 100,
    ...options,
  });
  cleanups.push(() => client.close());
  await client.start();
  return client;
}

/** A plain socket that records what it receives. */
async function rawSocket(port: number): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const socket = connect({ port, host: '127.0.0.1' });
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  cleanups.push(() => {
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, received: () => text, closed };
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Checks a received packet independently of the framer: length, CRC, trailer. Returns its data segment. */
function verifiedDataSegment(raw: string): string {
  expect(raw.startsWith('##')).toBe(true);
  expect(raw.endsWith('\r\n')).toBe(true);
  const length = Number(raw.slice(2, 6));
  const data = raw.slice(6, 6 + length);
  expect(Buffer.byteLength(data)).toBe(length);
  expect(raw.slice(6 + length, 10 + length).toUpperCase()).toBe(formatCrc(hj212Crc(data)));
  expect(raw.length).toBe(length + 12);
  return data;
}

const NOW = Date.parse('2026-11-22T08:00:00+08:00');

describe('HJ 212 server: uploads', () => {
  it('a 2011 real-time upload reaches the gateway as the right reading and gets a correct 9014', async () => {
    const { gateway, port, metric } = await startServer();
    const client = await startClient(port);
    const result = await client.sendRealtime({ ts: NOW, values: VALUES, flags: { tp: 'M' } });

    expect(gateway.submissions).toHaveLength(1);
    expect(gateway.submissions[0]).toMatchObject({ source: 'hj212', authStationId: 'TP-JS-01' });
    expect(gateway.submissions[0]?.raw).toContain(';CN=2011;PW=***;');
    expect(gateway.readings()).toEqual([
      {
        stationId: 'TP-JS-01',
        ts: NOW,
        values: VALUES,
        flags: { ...Object.fromEntries(Object.keys(VALUES).map((k) => [k, 'N'])), tp: 'M' },
      },
    ]);

    const ack = parsePacket(verifiedDataSegment(result.responseRaw));
    expect(ack.ok && ack.value).toMatchObject({ qn: result.qn, st: '91', cn: '9014', mn: JS.mn, flag: 4, cp: '' });
    expect(await metric('riverwatch_hj212_packets_total', { cn: '2011' })).toBe(1);
    expect(await metric('riverwatch_hj212_connections')).toBe(1);
  });

  it('a 2061 hourly upload reaches the gateway with the -Avg values', async () => {
    const { gateway, port } = await startServer();
    const client = await startClient(port);
    const hour = Date.parse('2026-11-22T07:00:00+08:00');
    const result = await client.sendHourly({ ts: hour, values: { ph: 7.62, tp: 0.118 } });
    expect(gateway.readings()).toEqual([
      { stationId: 'TP-JS-01', ts: hour, values: { ph: 7.62, tp: 0.118 }, flags: { ph: 'N', tp: 'N' } },
    ]);
    expect(gateway.submissions[0]?.raw).toContain(';CN=2061;');
    verifiedDataSegment(result.responseRaw);
  });

  it('accepts the reference packets as sent by real data loggers (§3.3)', async () => {
    const { gateway, port } = await startServer();
    const { socket, received } = await rawSocket(port);
    // Example 2 (Flag=8: no answer asked) and example 4 (Flag=5) in one segment.
    socket.write(REFERENCE_PACKETS.realtime2011 + REFERENCE_PACKETS.hourly2061);
    await until(() => received().includes('CN=9014'));
    await until(() => gateway.deadLetters.length === 1);

    expect(gateway.readings().map((r) => [r.stationId, new Date(r.ts).toISOString(), Object.keys(r.values).length])).toEqual([
      ['REF-2011', '2021-03-01T03:11:00.000Z', 9],
      ['REF-2061', '2024-03-15T00:00:00.000Z', 9],
    ]);
    // The code of example 2 that is no Table B.1 code RiverWatch knows is kept with the reason, not guessed;
    // w23002 (volatile phenol) is a known code RiverWatch does not track: counted, not dead-lettered.
    expect(gateway.deadLetters[0]).toMatchObject({
      code: 'RW_HJ212_UNKNOWN_CODE',
      stationId: 'REF-2011',
      message: expect.stringMatching(/: w01008$/),
    });
    // Only example 4 asked for an answer.
    // Both loggers' clocks (their QNs, from 2021 and 2024) are far off: each is set once (1012).
    await until(() => received().split('CN=1012').length === 3);
    const all = received().split('\r\n').filter(Boolean);
    const answers = all.filter((p) => p.includes(';CN=9014;'));
    expect(answers).toHaveLength(1);
    expect(all.filter((p) => !p.includes(';CN=9014;')).map((p) => /MN=([^;]+);Flag=(\d+);CP=&&SystemTime=\d{14}&&/.exec(p)?.slice(1))).toEqual([
      ['ZLDSZ20210127', '9'],
      ['ZJ330100SW0001', '5'],
    ]);
    expect(verifiedDataSegment(`${answers[0]}\r\n`)).toBe(
      'QN=20240315090005123;ST=91;CN=9014;PW=123456;MN=ZJ330100SW0001;Flag=4;CP=&&&&',
    );
  });

  it('sends the 9014 only after the gateway made the readings durable', async () => {
    const { gateway, port } = await startServer();
    gateway.delayMs = 300;
    const client = await startClient(port);
    const result = await client.sendRealtime({ ts: NOW, values: VALUES });
    const ackedAt = Date.now();
    expect(result.latencyMs).toBeGreaterThanOrEqual(290);
    expect(gateway.durableAt).toHaveLength(1);
    expect(ackedAt).toBeGreaterThanOrEqual(gateway.durableAt[0] as number);
  });

  it('withholds the 9014 under backpressure; the data logger resends and is answered once the log drains', async () => {
    const { gateway, port, metric } = await startServer();
    gateway.mode = 'backpressure';
    const client = await startClient(port, { ackTimeoutMs: 400, maxAttempts: 4 });
    const answers: number[] = [];
    client.on('packet', (packet) => {
      if (packet.cn === '9014') answers.push(Date.now());
    });
    const upload = client.sendRealtime({ ts: NOW, values: VALUES });
    await sleep(600);
    expect(answers).toEqual([]);
    expect(gateway.submissions).toHaveLength(0);
    const drainedAt = Date.now();
    gateway.mode = 'ok';
    const result = await upload;
    expect(result.attempts).toBeGreaterThanOrEqual(2);
    expect(answers[0]).toBeGreaterThanOrEqual(drainedAt);
    expect(gateway.readings()).toHaveLength(1);
    expect(await metric('riverwatch_hj212_withheld_answers_total', { reason: 'backpressure' })).toBeGreaterThanOrEqual(2);
  });

  it('answers each part of a split upload with its own 9014 (C.49/C.50) and keeps every value once', async () => {
    const { gateway, port } = await startServer();
    const client = await startClient(port, { maxDataBytes: 250 });
    const answers: Hj212Packet[] = [];
    client.on('packet', (p) => answers.push(p));
    await client.sendRealtime({ ts: NOW, values: VALUES });
    const parts = gateway.submissions.length;
    expect(parts).toBeGreaterThan(1);
    for (const [i, submission] of gateway.submissions.entries()) expect(submission.raw).toContain(`;PNUM=${parts};PNO=${i + 1};`);
    // One 9014 per part, each echoing that part's own QN.
    await sleep(100);
    const qns = gateway.submissions.map((sub) => /QN=(\d+)/.exec(sub.raw)?.[1]);
    expect(new Set(qns).size).toBe(parts);
    expect(answers.map((a) => [a.cn, a.qn])).toEqual(qns.map((qn) => ['9014', qn]));
    // Every value once, all at the upload's time.
    const merged: Record<string, number> = {};
    for (const reading of gateway.readings()) {
      expect(reading.ts).toBe(NOW);
      for (const [key, value] of Object.entries(reading.values)) {
        expect(merged[key]).toBeUndefined();
        merged[key] = value;
      }
    }
    expect(merged).toEqual(VALUES);
  });

  it('sets the time of a logger whose clock is off (1012 after the 9014), once per cooldown; the logger answers 9011 + 9012', async () => {
    const { port, metric } = await startServer({ clockWatch: { limitMs: 60_000 } });
    const client = await startClient(port, { clock: { now: () => Date.now() + 3_600_000 } });
    const times: string[] = [];
    const cns: string[] = [];
    client.on('time', (t) => times.push(t));
    client.on('packet', (p) => cns.push(p.cn));
    await client.sendRealtime({ ts: NOW, values: VALUES });
    await client.sendRealtime({ ts: NOW + 60_000, values: VALUES });
    await until(() => times.length === 1);
    expect(cns.slice(0, 2)).toEqual(['9014', '1012']);
    expect(Math.abs((parseLocalTime(times[0] as string, 480) as number) - Date.now())).toBeLessThan(60_000);
    expect(await metric('riverwatch_hj212_clock_corrections_total', { reason: 'drift' })).toBe(1);
    await sleep(100);
    expect(cns.filter((cn) => cn === '1012')).toHaveLength(1);
  });

  it('answers a restart-time upload (2081) only once it is stored; withholds the 9014 while the store fails', async () => {
    const stored: StationDiagnostic[] = [];
    let failing = true;
    const diagnostics: StationDiagnostics = {
      record: async (entry) => {
        if (failing) throw new Error('store down');
        stored.push(entry);
      },
      list: async () => stored,
    };
    const { port, metric } = await startServer({}, diagnostics);
    const { socket, received } = await rawSocket(port);
    const qn = formatLocalTime(Date.now(), 480, true);
    const packet = buildPacket({ qn, st: '21', cn: '2081', pw: JS.pw, mn: JS.mn, flag: 5, cp: 'DataTime=20261206080000;RestartTime=20261206075500' });
    socket.write(packet);
    await until(async () => (await metric('riverwatch_hj212_withheld_answers_total')) === 1);
    expect(received()).toBe('');
    failing = false;
    socket.write(packet); // the logger resends, as it does without an answer
    await until(() => received().includes('CN=9014'));
    expect(verifiedDataSegment(received())).toBe(`QN=${qn};ST=91;CN=9014;PW=${JS.pw};MN=${JS.mn};Flag=4;CP=&&&&`);
    expect(stored).toEqual([
      expect.objectContaining({ stationId: 'TP-JS-01', kind: 'restart', command: '2081', requestId: qn, items: [{ key: 'DataTime', value: '20261206080000' }, { key: 'RestartTime', value: '20261206075500' }] }),
    ]);
  });

  it('dead-letters a frame with a bad CRC, answers QnRtn=9 (it asked: Flag=5), and keeps the connection', async () => {
    const { gateway, port, metric } = await startServer();
    const { socket, received } = await rawSocket(port);
    socket.write(REFERENCE_PACKETS.hourly2061.replace('D701', 'D702'));
    await until(() => gateway.deadLetters.length === 1);
    await until(() => received().includes('CN=9011'));
    expect(verifiedDataSegment(received())).toBe('QN=20240315090005123;ST=91;CN=9011;PW=123456;MN=ZJ330100SW0001;Flag=4;CP=&&QnRtn=9&&');
    expect(gateway.deadLetters[0]).toMatchObject({ code: 'RW_HJ212_CRC', source: 'hj212' });
    expect(gateway.deadLetters[0]?.raw).toContain('PW=***');
    expect(await metric('riverwatch_hj212_crc_failures_total')).toBe(1);
    expect(gateway.submissions).toHaveLength(0);
    socket.write(REFERENCE_PACKETS.hourly2061);
    await until(() => received().includes('CN=9014'));
    expect(gateway.submissions).toHaveLength(1);
  });
});

describe('HJ 212 server: authentication and abuse', () => {
  it('refuses a wrong PW with QnRtn=3 and an unknown MN with QnRtn=4, counts and logs them', async () => {
    const { gateway, port, metric } = await startServer();
    const wrongPw = await startClient(port, { pw: 'nope00' });
    await expect(wrongPw.sendRealtime({ ts: NOW, values: VALUES })).rejects.toMatchObject({
      name: 'Hj212RefusedError',
      qnRtn: 3,
    });
    const unknown = await startClient(port, { mn: 'RWTP99999999999999999999' });
    const refusal = await unknown.sendRealtime({ ts: NOW, values: VALUES }).catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(Hj212RefusedError);
    expect((refusal as Hj212RefusedError).qnRtn).toBe(4);

    expect(gateway.submissions).toHaveLength(0);
    expect(gateway.deadLetters.map((d) => d.code)).toEqual(['RW_HJ212_AUTH', 'RW_HJ212_AUTH']);
    expect(gateway.deadLetters.every((d) => !d.raw.includes('nope00'))).toBe(true);
    expect(await metric('riverwatch_hj212_rejected_logins_total', { reason: 'wrong-pw' })).toBe(1);
    expect(await metric('riverwatch_hj212_rejected_logins_total', { reason: 'unknown-mn' })).toBe(1);
  });

  it('a flood of garbage on one connection neither crashes the server nor delays a good gateway on another', async () => {
    // A budget large enough that the flood is not cut short by the ban: this measures the server under load.
    const { gateway, port, metric } = await startServer({ peerLimit: { burst: 1e9 } });
    gateway.recordDeadLetters = false;
    const good = await startClient(port, { ackTimeoutMs: 5_000 });
    const { socket: flood } = await rawSocket(port);
    const junk = randomBytes(64 * 1024);
    // Broken frame starts too, so the framer resyncs inside the flood, not only skips.
    for (let i = 0; i < junk.length; i += 4096) junk.write('##1000', i, 'latin1');
    let flooding = true;
    let floodBytes = 0;
    const floodLoop = (async () => {
      while (flooding && !flood.destroyed) {
        floodBytes += junk.length;
        if (!flood.write(junk)) await new Promise((resolve) => flood.once('drain', resolve));
      }
    })();
    const latencies: number[] = [];
    const started = Date.now();
    while (Date.now() - started < 2_000) {
      const result = await good.sendRealtime({ ts: NOW + latencies.length * 1_000, values: VALUES });
      latencies.push(result.latencyMs);
      await sleep(50);
    }
    flooding = false;
    await floodLoop;
    console.log(
      `hj212 flood: ${(floodBytes / 1e6).toFixed(1)} MB of garbage in ${Date.now() - started} ms; good gateway: ${latencies.length} uploads, 9014 latency max ${Math.max(...latencies)} ms, mean ${(latencies.reduce((a, b) => a + b, 0) / latencies.length).toFixed(1)} ms`,
    );
    expect(floodBytes).toBeGreaterThan(1e6);
    expect(latencies.length).toBeGreaterThan(10);
    expect(Math.max(...latencies)).toBeLessThan(1_000);
    expect(gateway.readings()).toHaveLength(latencies.length);
    expect(await metric('riverwatch_hj212_frame_errors_total')).toBeGreaterThan(10);
    // Bad input is recorded, not dropped silently.
    expect(gateway.deadLetterCount).toBeGreaterThan(10);
    // Still serving new gateways.
    const late = await startClient(port);
    await expect(late.sendRealtime({ ts: NOW, values: VALUES })).resolves.toMatchObject({ attempts: 1 });
  });

  it('closes a connection that keeps sending garbage and bans its peer for a while', async () => {
    const { port, metric } = await startServer({ peerLimit: { burst: 3, refillPerSecond: 0, banMs: 60_000 } });
    const first = await rawSocket(port);
    for (let i = 0; i < 4; i++) {
      first.socket.write('##ab12 not a frame ');
      await sleep(20);
    }
    await first.closed;
    const second = await rawSocket(port);
    const closedAt = Date.now();
    await second.closed;
    expect(Date.now() - closedAt).toBeLessThan(500);
    expect(await metric('riverwatch_hj212_refused_connections_total', { reason: 'banned' })).toBe(1);
  });

  it('closes a connection after repeated failed logins', async () => {
    const { port, metric } = await startServer({ peerLimit: { burst: 2, refillPerSecond: 0 } });
    const { socket, received, closed } = await rawSocket(port);
    const login = (i: number) =>
      buildPacket({
        qn: `2026112208000000${i}`,
        st: '21',
        cn: '2011',
        pw: '123456',
        mn: 'NOT-A-STATION',
        flag: 5,
        cp: 'DataTime=20261122080000;w01001-Rtd=7',
      });
    for (let i = 0; i < 3; i++) socket.write(login(i));
    await closed;
    expect(received().match(/CN=9011;PW=123456;MN=NOT-A-STATION;Flag=4;CP=&&QnRtn=4&&/g)?.length).toBeGreaterThanOrEqual(2);
    expect(await metric('riverwatch_hj212_rejected_logins_total', { reason: 'unknown-mn' })).toBe(3);
  });

  it('closes a connection that never logs in, and one that falls silent', async () => {
    const { port } = await startServer({ authTimeoutMs: 200, idleTimeoutMs: 400 });
    const silent = await rawSocket(port);
    const t0 = Date.now();
    await silent.closed;
    expect(Date.now() - t0).toBeLessThan(1_000);
    const client = await startClient(port, { reconnectDelayMs: 60_000 });
    await client.sendRealtime({ ts: NOW, values: VALUES });
    const t1 = Date.now();
    await until(() => !client.connected, 2_000);
    expect(Date.now() - t1).toBeGreaterThanOrEqual(300);
  });

  it('closes connections beyond maxConnections at once', async () => {
    const { port, metric } = await startServer({ maxConnections: 2 });
    await rawSocket(port);
    await rawSocket(port);
    const third = await rawSocket(port);
    await third.closed;
    expect(await metric('riverwatch_hj212_refused_connections_total', { reason: 'max-connections' })).toBe(1);
  });
});

describe('HJ 212 server: commands to stations (CN 1062)', () => {
  const command = (stationId: string, intervalS = 60) => ({
    id: `cmd-${stationId}-${intervalS}`,
    stationId,
    sectionId: 'tp-jiashan',
    type: 'set-sampling-interval' as const,
    intervalS,
    expiresAt: Date.now() + 60_000,
  });

  it('sends RtdInterval to a connected station and resolves with its 9011 + 9012, emitting the result', async () => {
    const { server, port } = await startServer();
    const applied: number[] = [];
    const client = await startClient(port, { onIntervalCommand: (s) => (applied.push(s), true) });
    await client.sendRealtime({ ts: NOW, values: VALUES });
    const events: Hj212CommandResult[] = [];
    server.on('command-result', (r) => events.push(r));

    const result = await server.sendCommand(command('TP-JS-01', 60));
    expect(result).toMatchObject({ id: 'cmd-TP-JS-01-60', stationId: 'TP-JS-01', ok: true, qnRtn: 1, exeRtn: 1, intervalS: 60 });
    expect(applied).toEqual([60]);
    expect(client.realtimeIntervalS).toBe(60);
    expect(events).toEqual([result]);

    const restore = await server.sendCommand({
      ...command('TP-JS-01'),
      id: 'restore',
      type: 'restore-sampling-interval',
      intervalS: undefined,
    });
    expect(restore).toMatchObject({ ok: true, intervalS: jiashan.samplingIntervalS });
    expect(client.realtimeIntervalS).toBe(jiashan.samplingIntervalS);
  });

  it('reports a station that could not apply the interval (ExeRtn=2)', async () => {
    const { server, port } = await startServer();
    const client = await startClient(port, { onIntervalCommand: () => false });
    await client.sendRealtime({ ts: NOW, values: VALUES });
    await expect(server.sendCommand(command('TP-JS-01'))).resolves.toMatchObject({ ok: false, qnRtn: 1, exeRtn: 2 });
  });

  it('resolves not-ok at once for a station not connected, and after the timeout for one that does not answer', async () => {
    const { server, port } = await startServer({ commandTimeoutMs: 300 });
    const t0 = Date.now();
    await expect(server.sendCommand(command('TP-GATE-01'))).resolves.toMatchObject({
      ok: false,
      message: 'station is not connected over HJ 212',
    });
    expect(Date.now() - t0).toBeLessThan(100);
    const { socket, received } = await rawSocket(port);
    socket.write(REFERENCE_PACKETS.hourly2061);
    await until(() => received().includes('CN=9014'));
    const result = await server.sendCommand(command('REF-2061', 30));
    expect(result).toMatchObject({ ok: false, message: 'no answer within 300 ms' });
    // The command the silent station received: CN 1062 with its ST, MN and PW, RtdInterval=30, a valid frame.
    const sent = received()
      .split('\r\n')
      .find((p) => p.includes('CN=1062')) as string;
    expect(verifiedDataSegment(`${sent}\r\n`)).toMatch(
      /^QN=\d{17};ST=21;CN=1062;PW=123456;MN=ZJ330100SW0001;Flag=5;CP=&&RtdInterval=30&&$/,
    );
  });
});

describe('HJ 212 server lifecycle', () => {
  it('close() is idempotent, ends every connection and refuses later commands', async () => {
    const { server, port } = await startServer();
    const client = await startClient(port, { reconnectDelayMs: 60_000 });
    await client.sendRealtime({ ts: NOW, values: VALUES });
    const disconnected = new Promise<void>((resolve) => client.once('disconnect', resolve));
    const first = server.close();
    expect(server.close()).toBe(first);
    await first;
    await disconnected;
    await expect(
      server.sendCommand({
        id: 'late',
        stationId: 'TP-JS-01',
        sectionId: 'tp-jiashan',
        type: 'set-sampling-interval',
        intervalS: 60,
        expiresAt: Date.now() + 60_000,
      }),
    ).resolves.toMatchObject({ ok: false, message: 'HJ 212 server is closed' });
  });
});
