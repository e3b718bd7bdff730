import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { ReadingPayload } from '../../../domain/index.js';
import { checkCommand } from '../../../simulators/command-handling.js';
import { NO_EVENTS } from '../../../simulators/model/index.js';
import { Simulator } from '../../../simulators/index.js';
import { MemoryTransport } from '../../../simulators/transports/index.js';
import { FakeTimers } from './fake-timers.js';
import { HOUR, sampleRegistry, stationsOf, tsOf } from './fixtures.js';

const MINUTE = 60_000;

describe('checkCommand', () => {
  const base = { id: 'c1', stationId: 'S1', sectionId: 'sec', type: 'set-sampling-interval', intervalS: 60, expiresAt: 2000 };
  it.each([
    { name: 'valid', payload: base, ok: true },
    { name: 'restore without interval', payload: { ...base, type: 'restore-sampling-interval', intervalS: undefined }, ok: true },
    { name: 'expired', payload: { ...base, expiresAt: 999 }, ok: false, reason: /expired/ },
    { name: 'other station', payload: { ...base, stationId: 'S2' }, ok: false, reason: /not this station/ },
    { name: 'set without interval', payload: { ...base, intervalS: undefined }, ok: false, reason: /needs intervalS/ },
    { name: 'interval out of range', payload: { ...base, intervalS: 0 }, ok: false, reason: /invalid command/ },
    { name: 'unknown type', payload: { ...base, type: 'reboot' }, ok: false, reason: /invalid command/ },
    { name: 'not JSON', payload: 'garbage', ok: false, reason: /invalid command/ },
  ])('$name', ({ payload, ok, reason }) => {
    const clean = JSON.parse(JSON.stringify(payload)) as unknown;
    const result = checkCommand(clean, 'S1', 'sec', 1000);
    expect(result.ok).toBe(ok);
    if (!result.ok && reason) expect(result.reason).toMatch(reason);
  });
});

/** The two tp-fenhu stations simulated for 3 h from `fromMs` in real time on fake timers, started. */
async function twoFenhuStations(fromMs: number) {
  const registry = sampleRegistry();
  const timers = new FakeTimers(fromMs);
  const transport = new MemoryTransport();
  const sim = new Simulator({
    registry,
    stations: stationsOf(registry, ['TP-FH-JS', 'TP-FH-ZJ']),
    events: NO_EVENTS,
    seed: 1,
    fromMs,
    toMs: fromMs + 3 * HOUR,
    speed: 1,
    transport,
    timers,
    logger: pino({ level: 'silent' }),
  });
  await sim.start();
  return { sim, timers, transport };
}

describe('stations obey sampling-interval commands', () => {
  it('raises the frequency (and the analyser cycle), acks, restores, and refuses bad commands', async () => {
    const fromMs = Date.parse('2026-06-01T00:00:00+08:00');
    const { sim, timers, transport } = await twoFenhuStations(fromMs);
    const readings = (id: string, fromH: number, toH: number): ReadingPayload[] =>
      transport.sent
        .flatMap((m) => m.message.readings)
        .filter((r) => r.stationId === id && tsOf(r) > fromMs + fromH * HOUR && tsOf(r) <= fromMs + toH * HOUR);
    const command = (type: string, intervalS?: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
      id: `cmd-${type}-${intervalS ?? 'x'}`,
      stationId: 'TP-FH-JS',
      sectionId: 'tp-fenhu',
      type,
      ...(intervalS !== undefined ? { intervalS } : {}),
      expiresAt: timers.now() + MINUTE,
      ...extra,
    });

    await timers.advanceTo(fromMs + HOUR + 1000);
    expect(readings('TP-FH-JS', 0, 1)).toHaveLength(12);

    const ack = await transport.deliverCommand('TP-FH-JS', 'tp-fenhu', command('set-sampling-interval', 60));
    expect(ack).toMatchObject({ id: 'cmd-set-sampling-interval-60', stationId: 'TP-FH-JS', ok: true });
    await timers.advanceTo(fromMs + 2 * HOUR + 1000);
    const fast = readings('TP-FH-JS', 1, 2);
    expect(fast).toHaveLength(60);
    expect(readings('TP-FH-ZJ', 1, 2)).toHaveLength(12);
    // While sampling fast the analyser runs hourly (its minimum cycle), not every 4 h.
    expect(fast.filter((r) => r.values.nh3n !== undefined).map((r) => tsOf(r) - fromMs)).toEqual([2 * HOUR]);
    expect(readings('TP-FH-ZJ', 1, 2).filter((r) => r.values.nh3n !== undefined)).toHaveLength(0);

    const restored = await transport.deliverCommand('TP-FH-JS', 'tp-fenhu', command('restore-sampling-interval'));
    expect(restored?.ok).toBe(true);
    const expired = await transport.deliverCommand(
      'TP-FH-JS',
      'tp-fenhu',
      command('set-sampling-interval', 30, { expiresAt: timers.now() - 1 }),
    );
    expect(expired).toMatchObject({ ok: false });
    expect(expired?.message).toMatch(/expired/);
    const wrongStation = await transport.deliverCommand(
      'TP-FH-JS',
      'tp-fenhu',
      command('set-sampling-interval', 30, { stationId: 'TP-FH-ZJ' }),
    );
    expect(wrongStation?.ok).toBe(false);
    expect(await transport.deliverCommand('TP-FH-JS', 'tp-fenhu', 'not json')).toBeUndefined();

    await timers.advanceTo(fromMs + 3 * HOUR);
    expect(readings('TP-FH-JS', 2.01, 3)).toHaveLength(11);

    // The run ended at toMs by itself; close() returns the same summary.
    const summary = await sim.close();
    expect(summary.stoppedBy).toBe('end');
    expect(summary.commands).toEqual({ received: 5, applied: 2, refused: 3 });
  });
});

describe('stations answer verification requests (measure-now, issue 13 §4)', () => {
  it('the analyser measures again one minimum cycle after the request, instead of at its next 4-h slot', async () => {
    const fromMs = Date.parse('2026-06-01T00:30:00+08:00');
    const { sim, timers, transport } = await twoFenhuStations(fromMs);
    const nh3nTimes = (id: string): number[] =>
      transport.sent
        .flatMap((m) => m.message.readings)
        .filter((r) => r.stationId === id && r.values.nh3n !== undefined)
        .map((r) => tsOf(r) - fromMs);
    await timers.advanceTo(fromMs + 10 * MINUTE);
    const before = nh3nTimes('TP-FH-JS').length;
    const ack = await transport.deliverCommand('TP-FH-JS', 'tp-fenhu', {
      id: 'al-1.verify.1',
      stationId: 'TP-FH-JS',
      sectionId: 'tp-fenhu',
      type: 'measure-now',
      parameters: ['nh3n'],
      expiresAt: timers.now() + MINUTE,
    });
    expect(ack).toMatchObject({ id: 'al-1.verify.1', ok: true });
    expect(ack?.message).toMatch(/measurement at/);
    await timers.advanceTo(fromMs + 3 * HOUR);
    // Asked at 00:40 local: measured at 01:40 (the analyser's 1-h minimum cycle); the other station keeps its 4-h slot.
    const after = nh3nTimes('TP-FH-JS').slice(before);
    expect(after[0]).toBe(70 * MINUTE);
    expect(nh3nTimes('TP-FH-ZJ').filter((t) => t > 10 * MINUTE && t < 3 * HOUR)).toEqual([]);
    await sim.close();
  });
});
