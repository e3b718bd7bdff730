import { describe, expect, it } from 'vitest';
import { applyEvent } from '../../../alerts/alarms/alert-lifecycle.js';
import { summaryOf, type Alert, type AlertSummary } from '../../../alerts/alarms/alert-model.js';
import { alertsConfig } from '../../../alerts/config.js';
import {
  attachAlert,
  conditionCleared,
  conditionRaised,
  levelRaised,
  remapEscalationLevel,
} from '../../../alerts/joint-monitoring/task-incident.js';
import { normalizeTask, ON_SITE_STEPS, type Task, type TaskTrigger } from '../../../alerts/joint-monitoring/task-model.js';
import { checkArrivalDeadline, checkHold, recordStep } from '../../../alerts/joint-monitoring/on-site-steps.js';
import { openTask } from '../../../alerts/joint-monitoring/task-rules.js';
import type { AlertEvent } from '../../../domain/index.js';
import { alertEvent, testRegistry } from './registry-fixture.js';

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;
const registry = testRegistry();
const config = alertsConfig({ escalationIntervalMs: HOUR, postSupervisionHoldMs: 72 * HOUR });

function summary(id: string, overrides: Partial<AlertEvent> = {}): AlertSummary {
  const r = applyEvent(undefined, alertEvent({ ts: T0, ...overrides }), {
    now: T0,
    riverId: 'r1',
    newAlert: { id, episode: 1 },
    autoResolveHoldMs: 0,
  });
  return summaryOf(r.alert as Alert);
}

const nh3n = (id = 'al-nh3n') => summary(id, { key: 'exceedance:bd-prov:nh3n', parameters: ['nh3n'] });
const tp = (id = 'al-tp') => summary(id, { key: 'exceedance:bd-prov:tp' });
const codmn = (id = 'al-codmn', level: AlertEvent['level'] = 'yellow') =>
  summary(id, { key: 'exceedance:bd-prov:codmn', parameters: ['codmn'], level });

function open(alert: AlertSummary, trigger: TaskTrigger = 'boundary-alert'): Task {
  const r = openTask(alert, trigger, 1, registry, T0, config);
  if (!r.ok) throw new Error(r.message);
  return r.task;
}

/** What the store does for a raise of a qualifying alert: attach, raised, level. */
function raise(task: Task, alert: AlertSummary, at: number, trigger: TaskTrigger | undefined = 'boundary-alert'): Task {
  const a = attachAlert(task, alert, trigger, registry, at);
  const b = conditionRaised(a.task, alert.id, at);
  return levelRaised(b.task, alert.level, at, config).task;
}

function withAllSteps(task: Task): Task {
  let t = task;
  for (const party of t.parties) {
    for (const step of ON_SITE_STEPS) {
      const r = recordStep(
        t,
        { party, step, ...(step === 'locate-sign-in' ? { coordinates: { lat: 30, lon: 120.3 } } : {}) },
        { kind: 'agency', agencyId: party },
        T0 + HOUR,
        config,
      );
      if (!r.ok) throw new Error(r.message);
      t = r.task;
    }
  }
  return t;
}

describe('one task per section and incident', () => {
  it('three boundary alerts of one section: one task with three alerts, conditions and an attachment history', () => {
    let task = open(nh3n());
    task = raise(task, tp(), T0 + 60_000);
    task = raise(task, codmn('al-codmn', 'orange'), T0 + 120_000);
    expect(task).toMatchObject({
      id: 'tk-al-nh3n',
      conditionKey: 'exceedance:bd-prov:nh3n',
      conditionKeys: ['exceedance:bd-prov:nh3n', 'exceedance:bd-prov:tp', 'exceedance:bd-prov:codmn'],
      alertIds: ['al-nh3n', 'al-tp', 'al-codmn'],
      activeAlertIds: ['al-nh3n', 'al-tp', 'al-codmn'],
      parties: ['k2', 'k1b'],
      coordinatorId: 'p1',
      level: 'orange',
      conditionCleared: false,
    });
    expect(task.history.map((h) => h.type)).toEqual(['opened', 'alert-attached', 'alert-attached', 'level-raised']);
    expect(task.history[1]).toMatchObject({
      actor: { kind: 'system' },
      at: T0 + 60_000,
      details: { alertId: 'al-tp', conditionKey: 'exceedance:bd-prov:tp', trigger: 'boundary-alert' },
    });
    // The orange alert tightens the deadline like a level raise of one alert (nobody on site yet).
    expect(task.arrivalDeadline).toBe(T0 + 120_000 + 4 * HOUR);
  });

  it('attaching the same alert again, or to a closed task, changes nothing', () => {
    const task = raise(open(nh3n()), tp(), T0);
    expect(attachAlert(task, tp(), 'boundary-alert', registry, T0 + 1).task).toBe(task);
    expect(conditionRaised(task, 'al-tp', T0 + 1).task).toBe(task);
    const closed: Task = { ...task, status: 'closed', closedAt: T0 };
    expect(attachAlert(closed, codmn(), 'boundary-alert', registry, T0 + 1).task).toBe(closed);
  });

  it.each([
    { cleared: ['al-nh3n'], status: 'open', waterBack: false, active: ['al-tp', 'al-codmn'] },
    { cleared: ['al-nh3n', 'al-codmn'], status: 'open', waterBack: false, active: ['al-tp'] },
    { cleared: ['al-tp', 'al-codmn', 'al-nh3n'], status: 'hold', waterBack: true, active: [] },
    { cleared: ['al-tp', 'al-tp', 'al-codmn'], status: 'open', waterBack: false, active: ['al-nh3n'] },
    { cleared: ['al-elsewhere', 'al-codmn', 'al-nh3n'], status: 'open', waterBack: false, active: ['al-tp'] },
  ] as const)('clearing $cleared → $status (water back: $waterBack)', ({ cleared, status, waterBack, active }) => {
    let task = withAllSteps(raise(raise(open(nh3n()), tp(), T0), codmn(), T0));
    expect(task.status).toBe('open');
    for (const id of cleared) task = conditionCleared(task, id, T0 + 2 * HOUR, config).task;
    expect(task).toMatchObject({ status, conditionCleared: waterBack, activeAlertIds: active });
    expect(task.history.filter((h) => h.type === 'hold-started')).toHaveLength(status === 'hold' ? 1 : 0);
  });

  it.each([
    { what: 'a raise of an attached condition', alert: () => tp(), trigger: undefined },
    { what: 'a new qualifying alert of the section', alert: () => codmn('al-codmn-2'), trigger: 'boundary-alert' },
  ] as const)('during the hold, $what reopens the task; the hold starts again when all have cleared', ({ alert, trigger }) => {
    let task = withAllSteps(raise(open(nh3n()), tp(), T0));
    task = conditionCleared(task, 'al-nh3n', T0 + 2 * HOUR, config).task;
    task = conditionCleared(task, 'al-tp', T0 + 2 * HOUR, config).task;
    expect(task.status).toBe('hold');

    const relapse = raise(task, alert(), T0 + 3 * HOUR, trigger);
    expect(relapse).toMatchObject({ status: 'open', hold: undefined, reopenCount: 1, conditionCleared: false });
    expect(relapse.activeAlertIds).toEqual([alert().id]);
    expect(relapse.history.at(-1)).toMatchObject({ type: 'reopened', details: { alertId: alert().id } });

    const held = conditionCleared(relapse, alert().id, T0 + 4 * HOUR, config).task;
    expect(held).toMatchObject({ status: 'hold', hold: { startedAt: T0 + 4 * HOUR, until: T0 + 76 * HOUR } });
    expect(checkHold(held, T0 + 76 * HOUR).task).toMatchObject({ status: 'closed', closedAt: T0 + 76 * HOUR });
  });

  it("an old episode's clear handled after the next episode's raise does not drop the raised condition", () => {
    let task = open(tp('al-tp-1'));
    task = raise(task, tp('al-tp-2'), T0 + HOUR, undefined);
    task = conditionCleared(task, 'al-tp-1', T0 + HOUR, config).task;
    expect(task).toMatchObject({
      activeAlertIds: ['al-tp-2'],
      conditionCleared: false,
      conditionKeys: ['exceedance:bd-prov:tp'],
    });
  });
});

describe('pre-warnings and boundary alerts share the section task', () => {
  const preWarning = (id: string, sectionId: string, originSectionId: string) =>
    summary(id, {
      key: `upstream-arrival:${sectionId}:${originSectionId}`,
      kind: 'upstream-arrival',
      level: 'blue',
      sectionId,
      arrival: { fromTs: T0 + 5 * HOUR, peakTs: T0 + 6 * HOUR, toTs: T0 + 8 * HOUR, originSectionId },
    });

  it("a pre-warning attaching to a boundary task brings the origin's jurisdiction in as a party", () => {
    const task = raise(open(tp()), preWarning('al-pre', 'bd-prov', 'bd-city'), T0 + HOUR, 'upstream-arrival');
    expect(task).toMatchObject({
      trigger: 'boundary-alert',
      parties: ['k2', 'k1b', 'k1a'],
      coordinatorId: 'p1',
      level: 'yellow',
      alertIds: ['al-tp', 'al-pre'],
    });
    expect(task.steps.k1a).toEqual([]);
    expect(task.history.at(-1)).toMatchObject({
      type: 'alert-attached',
      details: { alertId: 'al-pre', trigger: 'upstream-arrival', partiesAdded: 'k1a' },
    });
    expect(task.history.at(-1)?.details).not.toHaveProperty('coordinatorId');
  });

  it('a boundary alert attaching to a pre-warning task raises its level and adds no party', () => {
    const pre = open(preWarning('al-pre', 'bd-prov', 'bd-city'), 'upstream-arrival');
    const task = raise(pre, tp(), T0 + HOUR);
    expect(task).toMatchObject({ trigger: 'upstream-arrival', parties: pre.parties, level: 'yellow' });
    expect(task.history.map((h) => h.type)).toEqual(['opened', 'alert-attached', 'level-raised']);
  });

  it('a wider incident moves the lead up; escalations already made keep counting on the new chain', () => {
    // Pre-warning at mid (k1b) from up (k1a): city c1 leads. Overdue: escalated to c1.
    let task = open(preWarning('al-pre-1', 'mid', 'up'), 'upstream-arrival');
    expect(task).toMatchObject({ parties: ['k1b', 'k1a'], coordinatorId: 'c1' });
    task = checkArrivalDeadline(task, registry, task.arrivalDeadline, config).task;
    expect(task.escalations.map((e) => e.toAgencyId)).toEqual(['c1']);

    // A second origin in the other city brings k2 in: the province leads, and is due next.
    task = raise(task, preWarning('al-pre-2', 'mid', 'bd-prov'), task.arrivalDeadline + 1, 'upstream-arrival');
    expect(task).toMatchObject({ parties: ['k1b', 'k1a', 'k2'], coordinatorId: 'p1', escalationLevel: 0 });
    expect(task.history.at(-1)?.details).toMatchObject({ partiesAdded: 'k2', coordinatorId: 'p1' });
    const next = checkArrivalDeadline(task, registry, task.arrivalDeadline + 1, config).task;
    expect(next.escalations.map((e) => e.toAgencyId)).toEqual(['c1', 'p1']);
    expect(checkArrivalDeadline(next, registry, task.arrivalDeadline + 10 * HOUR, config).added).toEqual([]);
  });

  it.each([
    { previous: ['c1', 'p1'], next: ['p1'], level: 0, expected: 0 },
    { previous: ['c1', 'p1'], next: ['p1'], level: 1, expected: 0 },
    { previous: ['c1', 'p1'], next: ['p1'], level: 2, expected: 1 },
    { previous: ['k1b', 'c1', 'p1'], next: ['c1', 'p1'], level: 2, expected: 1 },
    { previous: ['c1', 'p1'], next: ['c1', 'p1'], level: 1, expected: 1 },
  ])('escalation level $level on $previous is $expected on $next', ({ previous, next, level, expected }) => {
    expect(remapEscalationLevel(previous, next, level)).toBe(expected);
  });
});

describe('tasks stored before tasks carried several conditions', () => {
  const stored = (task: Task): Task => {
    const { conditionKeys: _c, activeAlertIds: _a, ...legacy } = task;
    return JSON.parse(JSON.stringify(legacy)) as Task;
  };

  it.each([
    { name: 'raised', cleared: false, active: ['al-tp-2'] },
    { name: 'cleared', cleared: true, active: [] },
  ])('a task whose condition is $name reads with its newest alert active or none', ({ cleared, active }) => {
    const base = open(tp('al-tp-1'));
    const legacy = stored({ ...base, alertIds: ['al-tp-1', 'al-tp-2'], conditionCleared: cleared });
    const task = normalizeTask(legacy);
    expect(task).toMatchObject({ conditionKeys: ['exceedance:bd-prov:tp'], activeAlertIds: active, conditionCleared: cleared });
    if (!cleared) {
      // The clear of its alert then starts post-supervision as before.
      const held = conditionCleared(withAllSteps(task), 'al-tp-2', T0 + 2 * HOUR, config).task;
      expect(held.status).toBe('hold');
    }
  });

  it('a task already in the new shape is returned as it is', () => {
    const task = open(tp());
    expect(normalizeTask(task)).toBe(task);
  });
});
