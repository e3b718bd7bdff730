/**
 * An entry the readings log hands out again while the worker still holds it
 * (the consumer claims entries idle past its claim time, its own included,
 * and the reorder buffer can hold a reading that long) is not taken twice:
 * its readings are analysed once and it is acknowledged once. Before, the
 * Cluster drill's last six entries were claimed back every 60 s and never
 * acknowledged.
 */
import { describe, expect, it } from 'vitest';
import { AnalyticsWorker, type AnalyticsWorkerSettings } from '../../../analytics/worker.js';
import { loadRegistryFile } from '../../../config/index.js';
import { ParameterTable, systemClock, type LogEntry, type Reading } from '../../../domain/index.js';

const parameters = new ParameterTable();
const registry = loadRegistryFile('config/registry.yaml', parameters);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Readings of tp-fenhu's first station, five minutes apart, an hour old. */
function readingsAt(count: number): Reading[] {
  const station = registry.stationsOf('tp-fenhu')[0];
  if (!station) throw new Error('tp-fenhu has no station');
  const now = Date.now();
  return Array.from({ length: count }, (_, i) => ({
    stationId: station.id,
    sectionId: 'tp-fenhu',
    ts: now - 3_600_000 + i * 300_000,
    values: { ph: 7.5, do: 8.5 },
    flags: {},
    source: 'mqtt' as const,
    receivedAt: now,
  }));
}

/**
 * A worker for tp-fenhu reading `deliveries` one batch per call (then nothing), acknowledging with `ack`;
 * runs until something is acknowledged (5 s at most) plus `settleMs`, then closes. Returns the worker and
 * the error that stopped it, if any.
 */
async function runWorker(
  deliveries: LogEntry[][],
  ack: (entries: readonly LogEntry[]) => Promise<void>,
  acked: readonly string[],
  watermarkDelayMs: number,
  settleMs = 0,
  settings: Partial<AnalyticsWorkerSettings> = {},
  save: () => Promise<void> = async () => undefined,
): Promise<{ worker: AnalyticsWorker; stopped: Error | undefined }> {
  let stopped: Error | undefined;
  const worker = new AnalyticsWorker({
    registry,
    parameters,
    clock: systemClock,
    reader: {
      next: async () => {
        await sleep(20);
        return deliveries.shift() ?? [];
      },
      ack,
    },
    sink: { publish: async () => undefined },
    snapshots: { load: async () => new Map(), save },
    sections: ['tp-fenhu'],
    settings: { checkpointIntervalMs: 10, tickIntervalMs: 50, warmHistoryMs: 0, ...settings },
    options: { reorder: { watermarkDelayMs } } as never,
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  worker.on('error', (err) => (stopped = err));
  await worker.start();
  try {
    const deadline = Date.now() + 5000;
    while (acked.length === 0 && Date.now() < deadline) await sleep(20);
    await sleep(settleMs);
  } finally {
    await worker.close();
  }
  return { worker, stopped };
}

describe('analytics worker and redelivered entries', () => {
  it('analyses and acknowledges an entry once when it is handed out again while held', async () => {
    const entry: LogEntry = { id: '1-0', partition: 0, readings: readingsAt(3) };
    // The same entry now, again 100 ms later (claimed back while held in the reorder buffer), then nothing.
    const acked: string[] = [];
    const { worker } = await runWorker([[entry], [], [], [], [entry]], async (entries) => void acked.push(...entries.map((e) => e.id)), acked, 300, 500);
    expect(acked).toEqual(['1-0']);
    expect(worker.stats.readings).toBe(3);
  });

  it('keeps running when a checkpoint cannot reach Redis, and acknowledges at the next one', async () => {
    const acked: string[] = [];
    let failures = 0;
    const ack = async (entries: readonly LogEntry[]): Promise<void> => {
      // The first acknowledgement meets a Redis client ioredis has just closed in a failover.
      if (failures++ === 0) throw new Error('Connection is closed.');
      acked.push(...entries.map((e) => e.id));
    };
    const { stopped } = await runWorker([[{ id: '2-0', partition: 0, readings: readingsAt(1) }]], ack, acked, 100);
    expect(stopped).toBeUndefined();
    expect(failures).toBeGreaterThan(1);
    expect(acked).toEqual(['2-0']);
  });

  /** Three entries read one per 20 ms; returns the acknowledgement batches once the last one is acknowledged. */
  async function ackBatches(save: () => Promise<void>): Promise<string[][]> {
    const entries = ['3-0', '4-0', '5-0'].map((id): LogEntry => ({ id, partition: 0, readings: readingsAt(1) }));
    const batches: string[][] = [];
    const ack = async (acked: readonly LogEntry[]): Promise<void> => void batches.push(acked.map((e) => e.id));
    const acked = { get length() { return batches.flat().includes('5-0') ? 1 : 0; } } as unknown as string[];
    await runWorker(entries.map((e) => [e]), ack, acked, 0, 0, { checkpointMaxShare: 0.01 }, save);
    return batches;
  }
  /** A save that works (serialises) for `ms` before it hands the write to Redis. */
  const busySave = (ms: number) => (): Promise<void> => {
    const until = performance.now() + ms;
    while (performance.now() < until);
    return Promise.resolve();
  };

  it('checkpoints less often when their work is costly: at most checkpointMaxShare of the time', async () => {
    // Checkpoints are due every 10 ms; each works 20 ms, so at 1 % the next waits 2 s.
    expect(await ackBatches(busySave(20))).toEqual([['3-0'], ['4-0', '5-0']]);
  });

  it('a slow Redis (a failover) does not count as checkpoint work', async () => {
    // Counted, each 100 ms save would push the next checkpoint 10 s out, past this test's time limit.
    expect((await ackBatches(() => sleep(100))).flat()).toEqual(['3-0', '4-0', '5-0']);
  }, 4000);
});
