/**
 * HJ 212 channel: broken frames (CRC, length, trailer, garbage), bad headers,
 * failed logins, invalid UTF-8, control characters, huge fields, bad CP
 * content from authenticated stations and broken split messages. Each bad
 * input goes on its own TCP connection from its own loopback address, so its
 * dead letters are found by the peer address and the per-peer bad-input
 * budget (which bans an address after about ten bad events) never mixes
 * inputs; the budget itself is probed once at the end. Valid readings go
 * through the simulator's data-logger client (one per station, waiting for
 * each 9014).
 */
import { connect } from 'node:net';
import type { Station } from '../domain/index.js';
import { Hj212Client } from '../simulators/transports/hj212-client.js';
import { HJ212_KIND_WEIGHTS, hj212Generators, type Hj212Kind } from './hj212-frames.js';
import { validReading } from './json-payloads.js';
import { loopbackAddress } from './loopback-address.js';
import { pool, sampleOf, sleep, type Ledger } from './ledger.js';
import type { Prng } from './prng.js';
import type { TimeWindows } from './time-windows.js';

export interface Hj212ChannelOptions {
  readonly host: string;
  readonly port: number;
  /** Stations with an HJ 212 identity (MN, password). */
  readonly stations: readonly Station[];
  readonly ledger: Ledger;
  readonly windows: TimeWindows;
  readonly prng: Prng;
  readonly count: number;
  /** Whether input `index` is a valid reading (deterministic interleaving). */
  readonly isValid: (index: number) => boolean;
  readonly stop: () => boolean;
  readonly timezoneOffsetMinutes: number;
  /** Kinds left out (`--exclude`). */
  readonly excluded?: readonly string[];
  /** First octet after 127 of the bad inputs' source addresses. @defaultValue 20 */
  readonly addressOctet?: number;
  readonly concurrency?: number;
}

export async function runHj212Channel(o: Hj212ChannelOptions): Promise<{ peerLimiter: string }> {
  const { ledger, prng, windows } = o;
  const GENERATORS = hj212Generators(prng, windows, o.timezoneOffsetMinutes);
  const octet = o.addressOctet ?? 20;
  const clients = new Map<string, Hj212Client>();
  const queues = new Map<string, Promise<unknown>>();
  try {
    await Promise.all(
      o.stations.map(async (station) => {
        const hj = station.hj212 as { mn: string; password: string };
        const client = new Hj212Client({ host: o.host, port: o.port, mn: hj.mn, pw: hj.password, ackTimeoutMs: 15_000, maxAttempts: 3, timezoneOffsetMinutes: o.timezoneOffsetMinutes });
        await client.start();
        clients.set(station.id, client);
      }),
    );
    const weights = Object.fromEntries(Object.entries(HJ212_KIND_WEIGHTS).filter(([k]) => !(o.excluded ?? []).includes(k))) as Record<Hj212Kind, number>;
    await pool(
      o.count,
      o.concurrency ?? 24,
      async (index) => {
        const station = prng.pick(o.stations);
        if (o.isValid(index)) {
          const reading = validReading(prng, station, windows.nextHj212(station.id));
          const record = ledger.addValid({ channel: 'hj212', stationId: station.id, ts: reading.ts, acknowledged: false });
          const client = clients.get(station.id) as Hj212Client;
          // One upload in flight per station, as a data logger does.
          const previous = queues.get(station.id) ?? Promise.resolve();
          const upload = previous.then(() =>
            client.sendRealtime({ ts: reading.ts, values: reading.values }).then(
              () => void (record.acknowledged = true),
              (err: Error) => void (record.problem = err.message),
            ),
          );
          queues.set(station.id, upload);
          await upload;
          return;
        }
        const { id } = ledger.markerFor('hj212', index);
        const ip = loopbackAddress(octet, index);
        const kind = prng.weighted(weights);
        const bytes = GENERATORS[kind](station, index);
        const chunks = Array.isArray(bytes) ? bytes : splitRandomly(prng, bytes);
        const input = ledger.addBad({
          id,
          channel: 'hj212',
          kind,
          peerIp: ip,
          sample: sampleOf(Buffer.concat(chunks), 100),
          ...(kind === 'incomplete-at-close' ? { refusedBeforeIngest: 'hj212-incomplete-at-close' as const } : {}),
        });
        const outcome = await sendAndClose(o.host, o.port, ip, chunks);
        if (outcome.error) input.note = outcome.error;
      },
      o.stop,
    );
    await Promise.allSettled(queues.values());
    return { peerLimiter: await probePeerLimiter(o.host, o.port, loopbackAddress(octet + 40, 1)) };
  } finally {
    await Promise.all([...clients.values()].map((c) => c.close().catch(() => undefined)));
  }
}

function splitRandomly(prng: Prng, bytes: Buffer): Buffer[] {
  if (bytes.length < 4 || prng.chance(0.6)) return [bytes];
  const cut = prng.int(1, bytes.length - 1);
  return [bytes.subarray(0, cut), bytes.subarray(cut)];
}

/** Writes chunks (a few ms apart), half-closes, and waits until the server closed the connection. */
function sendAndClose(host: string, port: number, localAddress: string, chunks: Buffer[]): Promise<{ error?: string }> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, localAddress });
    let error: string | undefined;
    const timer = setTimeout(() => {
      error = 'server did not close within 10 s';
      socket.destroy();
    }, 10_000);
    socket.on('error', (err) => (error ??= err.message));
    socket.on('data', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(error ? { error } : {});
    });
    socket.once('connect', async () => {
      for (const [i, chunk] of chunks.entries()) {
        if (i > 0) await sleep(2);
        socket.write(chunk);
      }
      socket.end();
    });
  });
}

/**
 * The per-peer bad-input budget: one address sends garbage again and again;
 * the server must close the connection after about ten bad events and refuse
 * the next connection from that address.
 */
async function probePeerLimiter(host: string, port: number, localAddress: string): Promise<string> {
  const sent = await new Promise<{ writes: number; closedByServer: boolean }>((resolve) => {
    const socket = connect({ host, port, localAddress });
    let writes = 0;
    let closed = false;
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      resolve({ writes, closedByServer: writes < 40 });
    });
    socket.once('connect', async () => {
      for (; writes < 40 && !closed; writes++) {
        socket.write(`garbage ${writes}\r\n`);
        await sleep(25);
      }
      socket.destroy();
    });
  });
  const refused = await new Promise<boolean>((resolve) => {
    const socket = connect({ host, port, localAddress });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(false);
    }, 2_000);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  return `one address sending garbage: ${sent.closedByServer ? `connection closed by the server after ${sent.writes} bad writes` : 'NOT closed after 40 bad writes'}; a new connection from it ${refused ? 'was closed at once (banned)' : 'was NOT refused'}`;
}
