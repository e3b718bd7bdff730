import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadingPayload } from '../../../domain/index.js';
import type { GroundTruthLabel } from '../../../simulators/model/index.js';
import { MemoryTransport } from '../../../simulators/transports/index.js';
import { Simulator, type SimulationSummary } from '../../../simulators/index.js';
import { compile, HOUR, sampleRegistry, shippedScenario, stationsOf, tsOf } from './fixtures.js';

/** The fault-mix scenario run end to end through the Simulator, with its labels file. */
describe('faults', () => {
  const registry = sampleRegistry();
  const stations = stationsOf(registry);
  const fromMs = Date.parse('2026-09-01T00:00:00+08:00');
  const toMs = fromMs + 72 * HOUR;
  const seed = 3;
  const transport = new MemoryTransport();
  let dir: string;
  let labels: GroundTruthLabel[];
  let summary: SimulationSummary;
  const readingsOf = (stationId: string): ReadingPayload[] =>
    transport.sent.filter((m) => m.message.stationId === stationId).flatMap((m) => m.message.readings);
  const labelOf = (eventId: string): GroundTruthLabel[] => labels.filter((l) => l.eventId === eventId);
  const inWindow = (r: ReadingPayload, l: GroundTruthLabel): boolean => tsOf(r) >= l.startMs && tsOf(r) < (l.endMs as number);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rw-sim-faults-'));
    const events = compile(shippedScenario('fault-mix'), registry, stations, seed, fromMs, toMs);
    const sim = new Simulator({
      registry,
      stations,
      events,
      seed,
      fromMs,
      toMs,
      speed: 'max',
      allowFuture: true,
      transport,
      logger: pino({ level: 'silent' }),
      labelsPath: join(dir, 'labels.jsonl'),
    });
    await sim.start();
    summary = await sim.finished();
    labels = (await readFile(join(dir, 'labels.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as GroundTruthLabel);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('labels every fault with its kind, per station and parameter', () => {
    const kinds = new Map(labels.map((l) => [l.eventId, l.kind]));
    expect(Object.fromEntries(kinds)).toEqual({
      'pw01-do-stuck': 'flatline',
      'gate02-ph-drift': 'drift',
      'mh02-spikes': 'spikes',
      'jzin-maintenance': 'flag',
      'lt01-nh3n-fault': 'flag',
      'lc02-offline': 'offline',
      'fhzj-link-loss': 'link-loss',
    });
    for (const l of labels) expect(l.category).toBe('data-quality');
    expect(
      labelOf('lc02-offline')
        .map((l) => l.parameter)
        .sort(),
    ).toEqual(['codmn', 'cond', 'do', 'nh3n', 'ph', 'temp', 'tn', 'tp', 'turb']);
    expect(summary.labels.count).toBe(labels.length);
  });

  it('flat line: the stuck DO probe repeats one value for the whole window, and moves before and after', () => {
    const [label] = labelOf('pw01-do-stuck');
    if (!label) throw new Error('no label');
    const readings = readingsOf('TP-PW-01');
    const stuck = readings.filter((r) => inWindow(r, label)).map((r) => r.values.do);
    expect(stuck.length).toBe(144);
    expect(new Set(stuck).size).toBe(1);
    const before = readings.filter((r) => tsOf(r) < label.startMs).map((r) => r.values.do);
    expect(new Set(before).size).toBeGreaterThan(10);
    expect(stuck[0]).toBe(before[before.length - 1]);
  });

  it('drift: pH at the drifting station pulls away from its twin on the same section', () => {
    const [label] = labelOf('gate02-ph-drift');
    if (!label) throw new Error('no label');
    const late = (id: string): number[] =>
      readingsOf(id)
        .filter((r) => tsOf(r) >= (label.endMs as number) - 6 * HOUR && tsOf(r) < (label.endMs as number))
        .map((r) => r.values.ph as number);
    const avg = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    // 0.4 per day over 2 days: about +0.8 at the end of the window.
    expect(avg(late('TP-GATE-02')) - avg(late('TP-GATE-01'))).toBeGreaterThan(0.6);
  });

  it('spikes: exactly the labelled readings are hit, by about the factor', () => {
    const spikeLabels = labelOf('mh02-spikes').filter((l) => l.parameter === 'cond');
    expect(spikeLabels).toHaveLength(5);
    const readings = readingsOf('NL-MH-02');
    const median = [...readings.map((r) => r.values.cond as number)].sort((a, b) => a - b)[
      Math.floor(readings.length / 2)
    ] as number;
    const high = readings.filter((r) => (r.values.cond as number) > 2.5 * median).map(tsOf);
    expect(high).toEqual(spikeLabels.map((l) => l.startMs));
  });

  it('flags: maintenance M on every value, fault D on NH3-N only, only inside the windows', () => {
    const [m] = labelOf('jzin-maintenance');
    const d = labelOf('lt01-nh3n-fault');
    if (!m) throw new Error('no label');
    for (const r of readingsOf('TP-JZ-IN')) {
      if (inWindow(r, m)) for (const key of Object.keys(r.values)) expect(r.flags?.[key]).toBe('M');
      else expect(r.flags).toBeUndefined();
    }
    expect(d.map((l) => l.parameter)).toEqual(['nh3n']);
    const flagged = readingsOf('TP-LT-01').filter((r) => r.flags !== undefined);
    expect(flagged.length).toBe(2); // 8 h window, nutrients every 4 h
    for (const r of flagged) expect(r.flags).toEqual({ nh3n: 'D' });
  });

  it('offline: no reading at all inside the window', () => {
    const [label] = labelOf('lc02-offline');
    if (!label) throw new Error('no label');
    const readings = readingsOf('NL-LC-02');
    expect(readings.filter((r) => inWindow(r, label))).toHaveLength(0);
    expect(readings.length).toBe(72 * 12 - 6 * 12);
  });

  it('link loss: nothing during the outage, then the backlog as one {readings:[...]} batch', () => {
    const [label] = labelOf('fhzj-link-loss');
    if (!label) throw new Error('no label');
    const messages = transport.sent.filter((m) => m.message.stationId === 'TP-FH-ZJ');
    const backlog = messages.filter((m) => m.message.backlog);
    expect(backlog).toHaveLength(1);
    const batch = JSON.parse(backlog[0]?.payload ?? '{}') as { readings: ReadingPayload[] };
    expect(batch.readings).toHaveLength(120);
    for (const r of batch.readings) expect(inWindow(r, label)).toBe(true);
    // The batch goes out with the first reading after the outage, at the labelled upload time.
    const index = messages.indexOf(backlog[0] as (typeof messages)[number]);
    expect(tsOf(messages[index + 1]?.message.readings[0] as ReadingPayload)).toBe(label.uploadMs);
    // Every reading arrives exactly once.
    expect(messages.flatMap((m) => m.message.readings)).toHaveLength(72 * 12);
  });

  it('the summary counts what was sent', () => {
    expect(summary.readingsAcked).toBe(transport.sent.reduce((n, m) => n + m.message.readings.length, 0));
    expect(summary.stoppedBy).toBe('end');
    expect(summary.eventsInjected).toBe(summary.eventsTotal);
    expect(summary.backlogUnsent).toBe(0);
  });
});
