/**
 * Transfer rules on the sample registry: deadlines by level, the common
 * superior of sender and receiver, the states that allow each answer, and
 * escalation one level per interval (a late check catches up at once).
 */
import { describe, expect, it } from 'vitest';
import { alertsConfig } from '../../../alerts/config.js';
import type { Transfer } from '../../../alerts/joint-monitoring/transfer-model.js';
import {
  acceptTransfer,
  checkTransferDeadlines,
  createTransfer,
  nextTransferEscalationAt,
  refuseTransfer,
  reportTransferResult,
} from '../../../alerts/joint-monitoring/transfer-rules.js';
import { loadRegistryFile } from '../../../config/index.js';
import type { AlertLevel } from '../../../domain/index.js';

const HOUR = 3_600_000;
const registry = loadRegistryFile('config/registry.yaml');
const config = alertsConfig({});
const T0 = Date.UTC(2026, 11, 6);
const agency = (agencyId: string) => ({ kind: 'agency' as const, agencyId });

function make(level: AlertLevel | undefined, from = 'menghai', to = 'lancang'): Transfer {
  const r = createTransfer(
    {
      id: 't1',
      subject: { kind: 'alert', id: 'a1', sectionId: 'nl-menghai', riverId: 'nanlan', level, summary: 's', parameters: [] },
      fromAgencyId: from,
      toAgencyId: to,
      reason: 'source upstream',
      actor: agency(from),
    },
    registry,
    T0,
    config,
  );
  if (!r.ok) throw new Error(r.message);
  return r.transfer;
}

describe('createTransfer', () => {
  it.each([
    ['red', 1],
    ['orange', 2],
    ['yellow', 12],
    ['blue', 24],
    [undefined, 24],
  ] as const)('level %s: accept within %i h (default)', (level, hours) => {
    expect(make(level).acceptDeadline).toBe(T0 + hours * HOUR);
  });

  it('the superior is the lowest common one: two counties of two prefectures → the province; of two provinces → the basin bureau or ministry', () => {
    expect(make('yellow', 'menghai', 'lancang').superiorId).toBe('yn');
    expect(make('yellow', 'lancang', 'puer').superiorId).toBe('puer');
    expect(make('yellow', 'jiashan', 'wujiang').superiorId).toBe(registry.leadAgency(['jiashan', 'wujiang'])!.id);
  });

  it('refuses an unknown receiver, oneself and an empty reason', () => {
    const base = { id: 't', subject: make('red').subject, fromAgencyId: 'menghai', reason: 'r', actor: agency('menghai') };
    expect(createTransfer({ ...base, toAgencyId: 'nowhere' }, registry, T0, config)).toMatchObject({ ok: false, code: 'RW_TRANSFER_INVALID' });
    expect(createTransfer({ ...base, toAgencyId: 'menghai' }, registry, T0, config)).toMatchObject({ ok: false, code: 'RW_TRANSFER_INVALID' });
    expect(createTransfer({ ...base, toAgencyId: 'lancang', reason: '  ' }, registry, T0, config)).toMatchObject({ ok: false, code: 'RW_TRANSFER_INVALID' });
  });

  it('per-level deadlines come from configuration', () => {
    const custom = alertsConfig({ transfer: { acceptWithinMs: { red: 30 * 60_000 }, resultWithinMs: { red: 6 * HOUR } } });
    const r = createTransfer({ id: 't', subject: make('red').subject, fromAgencyId: 'menghai', toAgencyId: 'lancang', reason: 'r', actor: agency('menghai') }, registry, T0, custom);
    expect(r.ok && r.transfer.acceptDeadline).toBe(T0 + 30 * 60_000);
    const accepted = r.ok ? acceptTransfer(r.transfer, agency('lancang'), '', T0 + 1, custom) : undefined;
    expect(accepted?.ok && accepted.transfer.resultDeadline).toBe(T0 + 1 + 6 * HOUR);
  });
});

describe('answers', () => {
  it('accept then result; refuse only while pending; result only once accepted', () => {
    const t = make('yellow');
    expect(reportTransferResult(t, agency('lancang'), 'done', T0)).toMatchObject({ ok: false, code: 'RW_TRANSFER_STATE' });
    const a = acceptTransfer(t, agency('lancang'), 'ok', T0 + HOUR, config);
    if (!a.ok) throw new Error(a.message);
    expect(a.transfer).toMatchObject({ status: 'accepted', resultDeadline: T0 + HOUR + 72 * HOUR });
    expect(refuseTransfer(a.transfer, agency('lancang'), 'no', T0)).toMatchObject({ ok: false, code: 'RW_TRANSFER_STATE' });
    const r = reportTransferResult(a.transfer, agency('lancang'), 'sealed', T0 + 2 * HOUR);
    expect(r).toMatchObject({ ok: true, transfer: { status: 'completed', result: { text: 'sealed' } } });
    expect(r.ok && r.transfer.history.map((h) => h.type)).toEqual(['created', 'accepted', 'result']);
    expect(refuseTransfer(t, agency('lancang'), ' ', T0)).toMatchObject({ ok: false, code: 'RW_TRANSFER_INVALID' });
    expect(refuseTransfer(t, agency('lancang'), 'not ours', T0)).toMatchObject({ ok: true, transfer: { status: 'refused' } });
  });
});

describe('escalation', () => {
  it('to the common superior at the deadline, one level up per interval; a late check catches up; none once answered', () => {
    const t = make('yellow');
    expect(nextTransferEscalationAt(t, registry, config)).toBe(T0 + 12 * HOUR);
    expect(checkTransferDeadlines(t, registry, T0 + 12 * HOUR - 1, config).added).toEqual([]);
    const late = checkTransferDeadlines(t, registry, T0 + 14 * HOUR, config);
    // yn at 12 h, mee at 13 h; the chain ends at the top.
    expect(late.transfer.escalations.map((e) => e.toAgencyId)).toEqual(['yn', 'mee']);
    expect(nextTransferEscalationAt(late.transfer, registry, config)).toBeUndefined();
    const refused = refuseTransfer(t, agency('lancang'), 'no', T0 + HOUR);
    expect(refused.ok && nextTransferEscalationAt(refused.transfer, registry, config)).toBeUndefined();
  });
});
