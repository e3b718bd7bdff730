import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../../domain/clock.js';
import type { StationCommand } from '../../../domain/ports.js';
import { PendingCommands } from '../../../ingest/hj212/commands.js';

const command: StationCommand = {
  id: 'c1',
  stationId: 'S1',
  sectionId: 'sec',
  type: 'set-sampling-interval',
  intervalS: 60,
  expiresAt: 10_000,
};

describe('PendingCommands', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('9011 QnRtn=1 then 9012 ExeRtn=1 → ok', async () => {
    const pending = new PendingCommands(new ManualClock(5));
    const outcome = pending.register('Q1', 'MN1', command, 60, 1_000);
    expect(pending.onRequestResponse('MN1', 'Q1', 1)).toBe(true);
    expect(pending.onExecutionResult('MN1', 'Q1', 1)).toBe(true);
    await expect(outcome).resolves.toMatchObject({ id: 'c1', ok: true, qnRtn: 1, exeRtn: 1, intervalS: 60, qn: 'Q1', ts: 5 });
    expect(pending.size).toBe(0);
  });

  it('9011 refusal ends the command with the QnRtn', async () => {
    const pending = new PendingCommands(new ManualClock(0));
    const outcome = pending.register('Q1', 'MN1', command, 60, 1_000);
    pending.onRequestResponse('MN1', 'Q1', 3);
    await expect(outcome).resolves.toMatchObject({ ok: false, qnRtn: 3, message: 'refused: QnRtn=3 (password error)' });
  });

  it('9012 failure → not ok with the ExeRtn', async () => {
    const pending = new PendingCommands(new ManualClock(0));
    const outcome = pending.register('Q1', 'MN1', command, 60, 1_000);
    pending.onExecutionResult('MN1', 'Q1', 2);
    await expect(outcome).resolves.toMatchObject({ ok: false, exeRtn: 2 });
  });

  it('ignores answers from another MN or to another QN', () => {
    const pending = new PendingCommands(new ManualClock(0));
    void pending.register('Q1', 'MN1', command, 60, 1_000);
    expect(pending.onRequestResponse('MN2', 'Q1', 1)).toBe(false);
    expect(pending.onExecutionResult('MN1', 'Q2', 1)).toBe(false);
    expect(pending.size).toBe(1);
  });

  it('times out, saying whether the station had accepted', async () => {
    const pending = new PendingCommands(new ManualClock(0));
    const silent = pending.register('Q1', 'MN1', command, 60, 1_000);
    const accepted = pending.register('Q2', 'MN1', command, 60, 1_000);
    pending.onRequestResponse('MN1', 'Q2', 1);
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(silent).resolves.toMatchObject({ ok: false, message: 'no answer within 1000 ms' });
    await expect(accepted).resolves.toMatchObject({
      ok: false,
      qnRtn: 1,
      message: expect.stringContaining('no execution result'),
    });
  });
});
