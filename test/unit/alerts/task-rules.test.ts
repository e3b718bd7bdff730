import { describe, expect, it } from 'vitest';
import { applyEvent } from '../../../alerts/alarms/alert-lifecycle.js';
import { summaryOf, type Alert, type AlertSummary } from '../../../alerts/alarms/alert-model.js';
import { alertsConfig } from '../../../alerts/config.js';
import { ON_SITE_STEPS, type Task } from '../../../alerts/joint-monitoring/task-model.js';
import { addProgress, checkProblemDeadlines, closeOutProblem, registerProblem } from '../../../alerts/joint-monitoring/problem-ledger.js';
import { checkArrivalDeadline, checkHold, nextArrivalEscalationAt, recordStep } from '../../../alerts/joint-monitoring/on-site-steps.js';
import { escalationChain, openTask, samplingStationsFor, taskTriggerFor } from '../../../alerts/joint-monitoring/task-rules.js';
import { attachAlert, conditionCleared, conditionRaised, levelRaised } from '../../../alerts/joint-monitoring/task-incident.js';
import type { AlertEvent } from '../../../domain/index.js';
import { alertEvent, testRegistry } from './registry-fixture.js';

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;
const registry = testRegistry();
const config = alertsConfig({ escalationIntervalMs: HOUR, postSupervisionHoldMs: 72 * HOUR });
const party = { kind: 'agency' as const, agencyId: 'k2' };

function summary(overrides: Partial<AlertEvent> = {}, id = 'al-t-1'): AlertSummary {
  const r = applyEvent(undefined, alertEvent({ ts: T0, ...overrides }), {
    now: T0,
    riverId: 'r1',
    newAlert: { id, episode: 1 },
    autoResolveHoldMs: 0,
  });
  return summaryOf(r.alert as Alert);
}

function newTask(overrides: Partial<AlertEvent> = {}): Task {
  const r = openTask(summary(overrides), 'boundary-alert', 1, registry, T0, config);
  if (!r.ok) throw new Error(r.message);
  return r.task;
}

function completeSteps(task: Task, partyId: string): Task {
  let t = task;
  for (const step of ON_SITE_STEPS) {
    const r = recordStep(
      t,
      { party: partyId, step, ...(step === 'locate-sign-in' ? { coordinates: { lat: 30, lon: 120.3 } } : {}) },
      { kind: 'agency', agencyId: partyId },
      T0 + HOUR,
      config,
    );
    if (!r.ok) throw new Error(r.message);
    t = r.task;
  }
  return t;
}

describe('taskTriggerFor', () => {
  it.each([
    { name: 'yellow at a boundary', event: {}, type: 'opened', expected: 'boundary-alert' },
    { name: 'red at a boundary', event: { level: 'red' }, type: 'opened', expected: 'boundary-alert' },
    { name: 'blue at a boundary', event: { level: 'blue' }, type: 'opened', expected: undefined },
    { name: 'raised to yellow at a boundary', event: {}, type: 'level-raised', expected: 'boundary-alert' },
    { name: 'yellow inside one county', event: { sectionId: 'mid' }, type: 'opened', expected: undefined },
    { name: 'acknowledged', event: {}, type: 'acknowledged', expected: undefined },
    {
      name: 'data-quality at a boundary',
      event: { kind: 'data-quality', level: undefined },
      type: 'opened',
      expected: undefined,
    },
    {
      name: 'upstream pre-warning of a yellow origin alert (blue, not a boundary)',
      event: { kind: 'upstream-arrival', level: 'blue', sectionId: 'low', evidence: { originLevel: 'yellow' } },
      type: 'opened',
      expected: 'upstream-arrival',
    },
    {
      name: 'upstream pre-warning of a red origin alert',
      event: { kind: 'upstream-arrival', level: 'blue', sectionId: 'low', evidence: { originLevel: 'red' } },
      type: 'opened',
      expected: 'upstream-arrival',
    },
    {
      name: 'upstream pre-warning of a blue origin alert (issue 13 §8: notify only)',
      event: { kind: 'upstream-arrival', level: 'blue', sectionId: 'low', evidence: { originLevel: 'blue' } },
      type: 'opened',
      expected: undefined,
    },
    {
      name: 'upstream pre-warning without an origin level (written before issue 13)',
      event: { kind: 'upstream-arrival', level: 'blue', sectionId: 'low', evidence: {} },
      type: 'opened',
      expected: undefined,
    },
    {
      name: 'blue early warning at a boundary',
      event: { kind: 'early-warning', level: 'blue' },
      type: 'opened',
      expected: undefined,
    },
  ] as const)('$name → $expected', ({ event, type, expected }) => {
    expect(taskTriggerFor(summary(event as Partial<AlertEvent>), type, registry, config)).toBe(expected);
  });

  it('per-section rules override the defaults for that section only', () => {
    const perSection = {
      ...config,
      taskRulesBySection: {
        'bd-prov': { taskMinLevel: 'red' as const },
        low: { prewarningTaskMinLevel: 'blue' as const },
      },
    };
    const yellowAt = (sectionId: string) => summary({ sectionId, level: 'yellow' });
    expect(taskTriggerFor(yellowAt('bd-prov'), 'opened', registry, perSection)).toBeUndefined();
    expect(taskTriggerFor(summary({ sectionId: 'bd-prov', level: 'red' }), 'opened', registry, perSection)).toBe(
      'boundary-alert',
    );
    expect(taskTriggerFor(yellowAt('bd-city'), 'opened', registry, perSection)).toBe('boundary-alert');
    const blueOrigin = summary({ kind: 'upstream-arrival', level: 'blue', sectionId: 'low', evidence: { originLevel: 'blue' } });
    expect(taskTriggerFor(blueOrigin, 'opened', registry, perSection)).toBe('upstream-arrival');
    expect(taskTriggerFor(blueOrigin, 'opened', registry, config)).toBeUndefined();
  });
});

describe('openTask', () => {
  it.each([
    { section: 'bd-prov', parties: ['k2', 'k1b'], lead: 'p1', why: 'counties of different cities → the province' },
    { section: 'bd-city', parties: ['k1b', 'k1a'], lead: 'c1', why: 'two counties of one city → the city' },
  ])('$why', ({ section, parties, lead }) => {
    const task = newTask({ sectionId: section });
    expect(task).toMatchObject({ id: 'tk-al-t-1', status: 'open', parties, coordinatorId: lead, alertIds: ['al-t-1'] });
    expect(task.history.map((h) => h.type)).toEqual(['opened']);
  });

  it.each([
    { level: 'red', deadline: T0 + 2 * HOUR },
    { level: 'orange', deadline: T0 + 4 * HOUR },
    { level: 'yellow', deadline: T0 + 24 * HOUR },
  ] as const)('arrival deadline for $level', ({ level, deadline }) => {
    expect(newTask({ level }).arrivalDeadline).toBe(deadline);
  });

  it('a pre-warning uses the predicted arrival and takes the origin jurisdiction as a party', () => {
    const alert = summary({
      kind: 'upstream-arrival',
      level: 'blue',
      sectionId: 'low',
      arrival: { fromTs: T0 + 5 * HOUR, peakTs: T0 + 6 * HOUR, toTs: T0 + 8 * HOUR, originSectionId: 'bd-city' },
    });
    const r = openTask(alert, 'upstream-arrival', 1, registry, T0, config);
    expect(r.ok && r.task).toMatchObject({ arrivalDeadline: T0 + 5 * HOUR, parties: ['k2', 'k1b', 'k1a'], coordinatorId: 'p1' });
  });

  it('commands go to the stations of the section and its neighbours', () => {
    expect(samplingStationsFor(registry, 'bd-prov').sort()).toEqual(['S-BP-1', 'S-BP-2', 'S-LOW', 'S-MID']);
    expect([...newTask().sampling.stationIds].sort()).toEqual(['S-BP-1', 'S-BP-2', 'S-LOW', 'S-MID']);
  });
});

describe('on-site steps', () => {
  it('accepts the eight steps in order and refuses any other order with a coded error', () => {
    const task = newTask();
    const skip = recordStep(task, { party: 'k2', step: 'inspect' }, party, T0, config);
    expect(skip).toMatchObject({ ok: false, code: 'RW_TASK_STEP_ORDER' });
    expect(!skip.ok && skip.message).toContain('"locate-sign-in"');
    expect(recordStep(task, { party: 'k2', step: 'locate-sign-in' }, party, T0, config)).toMatchObject({
      ok: false,
      code: 'RW_INVALID_PAYLOAD',
    });
    expect(
      recordStep(task, { party: 'c2', step: 'locate-sign-in', coordinates: { lat: 1, lon: 1 } }, party, T0, config),
    ).toMatchObject({ ok: false, code: 'RW_TASK_NOT_PARTY' });
    const done = completeSteps(task, 'k2');
    expect(done.steps.k2?.map((s) => s.step)).toEqual([...ON_SITE_STEPS]);
    expect(done.history.filter((h) => h.type === 'checked-in')).toHaveLength(1);
    expect(recordStep(done, { party: 'k2', step: 'complete' }, party, T0, config)).toMatchObject({
      ok: false,
      code: 'RW_TASK_STEP_ORDER',
    });
  });
});

describe('arrival escalation', () => {
  it('escalates to the lead at the deadline, then up one level per interval, and stops at check-in', () => {
    const task = newTask({ sectionId: 'bd-city', level: 'red' });
    expect(escalationChain(registry, task.coordinatorId)).toEqual(['c1', 'p1']);
    expect(checkArrivalDeadline(task, registry, task.arrivalDeadline - 1, config).added).toEqual([]);
    const first = checkArrivalDeadline(task, registry, task.arrivalDeadline, config);
    expect(first.task.escalations).toEqual([
      { at: task.arrivalDeadline, toAgencyId: 'c1', level: 1, reason: 'arrival-deadline', agencyIds: ['k1b', 'k1a'] },
    ]);
    expect(nextArrivalEscalationAt(first.task, registry, config)).toBe(task.arrivalDeadline + HOUR);
    const second = checkArrivalDeadline(first.task, registry, task.arrivalDeadline + HOUR, config);
    expect(second.task.escalations.map((e) => e.toAgencyId)).toEqual(['c1', 'p1']);
    expect(nextArrivalEscalationAt(second.task, registry, config)).toBeUndefined();

    let checked = task;
    for (const p of ['k1b', 'k1a']) {
      const r = recordStep(
        checked,
        { party: p, step: 'locate-sign-in', coordinates: { lat: 30, lon: 120 } },
        { kind: 'agency', agencyId: p },
        T0,
        config,
      );
      checked = r.ok ? r.task : checked;
    }
    expect(checkArrivalDeadline(checked, registry, task.arrivalDeadline + 10 * HOUR, config).added).toEqual([]);
  });

  it('catches up several missed levels in one late check', () => {
    const task = newTask({ level: 'red' });
    const r = checkArrivalDeadline(task, registry, task.arrivalDeadline + 5 * HOUR, config);
    expect(r.task.escalations.map((e) => e.toAgencyId)).toEqual(['p1']);
  });

  it('a level raise before anyone is on site tightens the deadline', () => {
    const task = newTask({ level: 'yellow' });
    const r = levelRaised(task, 'red', T0 + HOUR, config);
    expect(r.task).toMatchObject({ level: 'red', arrivalDeadline: T0 + 3 * HOUR });
  });
});

describe('post-supervision', () => {
  it('holds once steps are done and the water is back, closes after the hold, reopens on relapse', () => {
    let task = completeSteps(completeSteps(newTask(), 'k2'), 'k1b');
    expect(task.status).toBe('open');
    task = conditionCleared(task, 'al-t-1', T0 + 2 * HOUR, config).task;
    expect(task).toMatchObject({ status: 'hold', hold: { startedAt: T0 + 2 * HOUR, until: T0 + 74 * HOUR } });

    // The next episode of the same condition during the hold: attached, a relapse.
    const attached = attachAlert(task, summary({}, 'al-t-2'), undefined, registry, T0 + 10 * HOUR);
    const relapse = conditionRaised(attached.task, 'al-t-2', T0 + 10 * HOUR);
    expect([...attached.added, ...relapse.added].map((t) => t.type)).toEqual(['alert-attached', 'reopened']);
    expect(relapse.task).toMatchObject({ status: 'open', hold: undefined, reopenCount: 1, alertIds: ['al-t-1', 'al-t-2'] });

    const again = conditionCleared(relapse.task, 'al-t-2', T0 + 20 * HOUR, config).task;
    expect(again.status).toBe('hold');
    expect(checkHold(again, T0 + 20 * HOUR + 72 * HOUR - 1).task.status).toBe('hold');
    const closed = checkHold(again, T0 + 92 * HOUR);
    expect(closed.task).toMatchObject({ status: 'closed', closedAt: T0 + 92 * HOUR });
    expect(attachAlert(closed.task, summary({}, 'al-t-3'), 'boundary-alert', registry, T0 + 100 * HOUR).added).toEqual([]);
    expect(conditionRaised(closed.task, 'al-t-2', T0 + 100 * HOUR).added).toEqual([]);
  });

  it('the water back before the steps are done does not start the hold', () => {
    const task = conditionCleared(completeSteps(newTask(), 'k2'), 'al-t-1', T0, config).task;
    expect(task).toMatchObject({ status: 'open', conditionCleared: true });
    const r = completeSteps(task, 'k1b');
    expect(r.status).toBe('hold');
  });
});

describe('problem ledger', () => {
  it('registers, tracks, escalates when overdue and keeps the task open until closed out', () => {
    let task = completeSteps(completeSteps(newTask(), 'k2'), 'k1b');
    const reg = registerProblem(
      task,
      { description: 'discharge pipe', ownerAgencyId: 'k1b', measures: 'seal it', deadline: T0 + 10 * HOUR },
      party,
      T0 + HOUR,
    );
    if (!reg.ok) throw new Error(reg.message);
    task = reg.task;
    const prog = addProgress(task, 'p1', { note: 'pipe located', attachments: ['photo-1'] }, party, T0 + 2 * HOUR);
    task = prog.ok ? prog.task : task;
    expect(task.problems[0]?.progress).toEqual([
      { at: T0 + 2 * HOUR, actor: party, note: 'pipe located', attachments: ['photo-1'] },
    ]);

    const overdue = checkProblemDeadlines(task, registry, T0 + 10 * HOUR, config);
    expect(overdue.task.escalations).toEqual([
      expect.objectContaining({ toAgencyId: 'p1', reason: 'problem-deadline', problemId: 'p1', agencyIds: ['k1b'] }),
    ]);
    task = overdue.task;

    task = conditionCleared(task, 'al-t-1', T0 + 11 * HOUR, config).task;
    expect(checkHold(task, T0 + 200 * HOUR).task.status).toBe('hold');
    const closed = closeOutProblem(task, 'p1', { evidence: ['report-7'], note: 'sealed' }, party, T0 + 200 * HOUR);
    expect(closed.ok && closed.task.status).toBe('closed');
    expect(addProgress(closed.ok ? closed.task : task, 'p1', { note: 'x' }, party, T0)).toMatchObject({ ok: false });
    expect(closeOutProblem(task, 'p9', { evidence: ['x'], note: '' }, party, T0)).toMatchObject({
      ok: false,
      code: 'RW_NOT_FOUND',
    });
  });
});
