import { describe, expect, it } from 'vitest';
import {
  alertEscalationChain,
  escalationPlan,
  escalationSteps,
  reminderIntervalFor,
  reminderRecipients,
} from '../../../alerts/alarms/alert-escalation.js';
import { alertsConfig } from '../../../alerts/config.js';
import { testRegistry } from './registry-fixture.js';

const registry = testRegistry();
const config = alertsConfig({ reminderIntervalMs: 600_000, reminderIntervalMsByLevel: { red: 300_000, none: 0 } });

describe('alert escalation chain', () => {
  it.each([
    ['mid', ['c1', 'p1']],
    ['bd-city', ['p1']],
    ['bd-prov', []],
  ])('above the lead of %s: %j', (sectionId, chain) => {
    expect(alertEscalationChain(registry, sectionId)).toEqual(chain);
  });

  it.each([
    ['red', 300_000],
    ['yellow', 600_000],
    [undefined, 0],
  ] as const)('reminder interval of %s is %i ms', (level, ms) => {
    expect(reminderIntervalFor(level, config)).toBe(ms);
  });

  it.each([
    [1, 0],
    [2, 1],
    [3, 2],
  ])('reminder %i has climbed %i step(s)', (n, steps) => {
    expect(escalationSteps(n, config)).toBe(steps);
  });

  it('reminders add the chain one step at a time; never when escalation is off', () => {
    const roles = (n: number, c = config) => reminderRecipients(registry, 'mid', n, c).map((r) => `${r.agencyId}:${r.role}`);
    expect(roles(1)).toEqual(['k1b:downstream']);
    expect(roles(2)).toEqual(['k1b:downstream', 'c1:escalation']);
    expect(roles(5)).toEqual(['k1b:downstream', 'c1:escalation', 'p1:escalation']);
    expect(roles(5, alertsConfig({ escalateAlertsFromReminder: 0 }))).toEqual(['k1b:downstream']);
  });

  it('the plan shows the next reminder and each step up, and nothing once acknowledged', () => {
    const alert = { sectionId: 'mid', level: 'yellow' as const, openedAt: 0, reminders: 0, status: 'open' };
    expect(escalationPlan(alert, registry, config).next).toEqual([
      { reminder: 1, at: 600_000, adds: undefined },
      { reminder: 2, at: 1_200_000, adds: 'c1' },
      { reminder: 3, at: 1_800_000, adds: 'p1' },
    ]);
    expect(escalationPlan({ ...alert, status: 'acknowledged' }, registry, config).next).toEqual([]);
  });
});
