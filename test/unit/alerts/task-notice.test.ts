import { describe, expect, it } from 'vitest';
import { alertDueTimes } from '../../../alerts/alarms/alert-escalation.js';
import { verificationOf } from '../../../alerts/alarms/verification.js';
import { taskNoticeFor } from '../../../alerts/joint-monitoring/task-notice.js';

const task = { parties: ['county-a', 'county-b'], coordinatorId: 'city-x' };
const t = (type: string, details: Record<string, string | number | boolean> = {}) => ({ type, details }) as Parameters<typeof taskNoticeFor>[1];

describe('taskNoticeFor', () => {
  it('an opening goes to every party and the lead, and steps the sampling up; a close steps it back', () => {
    const opened = taskNoticeFor(task, t('opened'));
    expect(opened.recipients).toEqual([
      { agencyId: 'county-a', role: 'party' },
      { agencyId: 'county-b', role: 'party' },
      { agencyId: 'city-x', role: 'lead' },
    ]);
    expect(opened.sampling).toBe('raise');
    expect(taskNoticeFor(task, t('closed')).sampling).toBe('restore');
    expect(taskNoticeFor(task, t('reopened')).sampling).toBeUndefined();
  });

  it('a lead that is also a party is told once, as a party', () => {
    const n = taskNoticeFor({ parties: ['county-a', 'city-x'], coordinatorId: 'city-x' }, t('opened'));
    expect(n.recipients.map((r) => r.agencyId)).toEqual(['county-a', 'city-x']);
  });

  it('an attached alert tells only the agencies it brought in, and a new lead', () => {
    expect(taskNoticeFor(task, t('alert-attached', { partiesAdded: '' })).recipients).toEqual([]);
    expect(taskNoticeFor(task, t('alert-attached', { partiesAdded: 'county-c', coordinatorId: 'prov-p' })).recipients).toEqual([
      { agencyId: 'county-c', role: 'party' },
      { agencyId: 'prov-p', role: 'lead' },
    ]);
  });

  it('an escalation goes to the agency above; only the first counts a missed deadline', () => {
    const first = taskNoticeFor(task, t('escalated', { toAgencyId: 'city-x', level: 1 }));
    expect(first).toEqual({ recipients: [{ agencyId: 'city-x', role: 'escalation' }], deadlineMissed: 'arrival' });
    expect(taskNoticeFor(task, t('problem-escalated', { toAgencyId: 'prov-p', level: 1 })).deadlineMissed).toBe('problem');
    expect(taskNoticeFor(task, t('escalated', { toAgencyId: 'prov-p', level: 2 })).deadlineMissed).toBeUndefined();
  });

  it('a step recorded tells nobody', () => {
    expect(taskNoticeFor(task, t('step-recorded', { party: 'county-a' }))).toEqual({ recipients: [] });
  });
});

describe('alertDueTimes', () => {
  const config = { reminderIntervalMs: 60_000, reminderIntervalMsByLevel: {}, autoResolveHoldMs: 5_000 } as unknown as Parameters<typeof alertDueTimes>[1];
  it('an open alert is due for its next reminder; a cleared one also for its auto-resolve; a resolved one never', () => {
    expect(alertDueTimes({ status: 'open', openedAt: 1_000, reminders: 2 }, config)).toEqual([1_000 + 3 * 60_000]);
    expect(alertDueTimes({ status: 'acknowledged', openedAt: 1_000, reminders: 0, clearedAt: 9_000 }, config)).toEqual([14_000]);
    expect(alertDueTimes({ status: 'resolved', openedAt: 1_000, reminders: 0, clearedAt: 9_000 }, config)).toEqual([]);
  });
});

describe('verificationOf', () => {
  it('reads a well-formed request to measure again, and nothing else', () => {
    const evidence = { unconfirmed: true, verify: { stationId: 'S1', parameter: 'nh3n' }, suspect: { ts: 42 } };
    expect(verificationOf({ evidence })).toEqual({ stationId: 'S1', parameter: 'nh3n', suspectTs: 42 });
    expect(verificationOf({ evidence: { ...evidence, unconfirmed: false } })).toBeUndefined();
    expect(verificationOf({ evidence: { unconfirmed: true, verify: { stationId: 3, parameter: 'nh3n' } } })).toBeUndefined();
  });
});
