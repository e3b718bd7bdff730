import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../domain/index.js';
import { runSimulate } from '../../../simulators/index.js';
import { sampleRegistry } from './fixtures.js';

/** runSimulate end to end without a server: the jsonl transport writes what MQTT would publish. */
describe('runSimulate', () => {
  let dir: string;
  const logger = pino({ level: 'silent' });
  const quietOut = { write: () => true, isTTY: false };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rw-sim-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('backfills a scenario as fast as possible, with labels, and the same seed gives the same file', async () => {
    const argv = (out: string): string[] => [
      '--scenario',
      'taipu-spill',
      '--from',
      '2026-11-01T00:00:00+08:00',
      '--transport',
      'jsonl',
      '--out',
      out,
      '--labels',
      join(dir, 'labels.jsonl'),
      '--quiet',
    ];
    const first = await runSimulate(argv(join(dir, 'a.jsonl')), {
      registry: sampleRegistry(),
      logger,
      config: { progressOut: quietOut },
    }).done;
    await runSimulate(argv(join(dir, 'b.jsonl')), { registry: sampleRegistry(), logger, config: { progressOut: quietOut } }).done;
    expect(first).toMatchObject({ stations: 18, readingsAcked: 18 * 2 * 288, stoppedBy: 'end', seed: 7, eventsInjected: 1 });
    const a = await readFile(join(dir, 'a.jsonl'), 'utf8');
    expect(a).toBe(await readFile(join(dir, 'b.jsonl'), 'utf8'));
    const line = JSON.parse(a.split('\n')[0] as string) as { topic: string; payload: { stationId: string; ts: string } };
    expect(line.topic).toBe(`wq/th-east/TH-E-01/readings`);
    expect(line.payload).toMatchObject({ stationId: 'TH-E-01', ts: '2026-11-01T00:00:00+08:00' });
    expect((await readFile(join(dir, 'labels.jsonl'), 'utf8')).split('\n').filter(Boolean).length).toBe(first?.labels.count);
  }, 30_000);

  it('load mode: synthetic stations at a target rate, reporting achieved rate and latency', async () => {
    const registryOut = join(dir, 'load-registry.yaml');
    const run = runSimulate(
      [
        '--load',
        '500',
        '--rate',
        '2000',
        '--run-for',
        '1s',
        '--transport',
        'jsonl',
        '--out',
        join(dir, 'load.jsonl'),
        '--load-registry-out',
        registryOut,
        '--quiet',
      ],
      {
        registry: sampleRegistry(),
        logger,
        config: { progressOut: quietOut },
      },
    );
    const summary = await run.done;
    expect(summary?.stoppedBy).toBe('run-for');
    expect(summary?.stations).toBe(500);
    // The bucket allows a tenth of a second of burst; the rate holds within that.
    expect(summary?.readingsAcked).toBeGreaterThan(1000);
    expect(summary?.readingsAcked).toBeLessThanOrEqual(2000 * 1.2 + 200);
    expect(summary?.latencyMs.p99).toBeGreaterThanOrEqual(summary?.latencyMs.p50 ?? Infinity);
    const { loadRegistryFile } = await import('../../../config/registry-loader.js');
    expect(loadRegistryFile(registryOut).stations.size).toBe(18 + 500);
  }, 30_000);

  it('rejects bad flags with every problem listed', async () => {
    const run = runSimulate(['--speed', 'warp', '--stations', 'NOPE', '--seed', 'x'], { registry: sampleRegistry(), logger });
    const err = await run.done.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('RW_CONFIG_INVALID');
    expect((err as AppError).details.length).toBe(2);
  });

  it('--help prints the usage', async () => {
    let text = '';
    const summary = await runSimulate(['--help'], {
      registry: sampleRegistry(),
      logger,
      config: { progressOut: { write: (s: string) => (text += s) } },
    }).done;
    expect(summary).toBeUndefined();
    expect(text).toMatch(/--scenario/);
  });

  it('close() stops an open-ended real-time run', async () => {
    const run = runSimulate(['--transport', 'jsonl', '--out', join(dir, 'rt.jsonl'), '--quiet', '--stations', 'TP-FH-JS'], {
      registry: sampleRegistry(),
      logger,
      config: { progressOut: quietOut },
    });
    await new Promise((r) => setTimeout(r, 100));
    await run.close();
    await expect(run.done).resolves.toMatchObject({ stoppedBy: 'close' });
  });
});
