import { describe, expect, it } from 'vitest';
import { flushDue, groupKeyOf } from '../../../platform/redis/alerts/notification-groups.js';

describe('notification groups', () => {
  it.each([
    ['first group: after the wait', 1000, undefined, 30_000, 300_000, 31_000],
    ['right after a send: the repeat interval', 1000, 0, 30_000, 300_000, 300_000],
    ['long after a send: the wait', 1_000_000, 0, 30_000, 300_000, 1_030_000],
  ])('%s', (_name, now, last, wait, repeat, expected) => {
    expect(flushDue(now, last, wait, repeat)).toBe(expected);
  });

  it.each([
    [{ riverId: 'taipu', sectionId: 'tp-jinze' }, 'taipu'],
    [{ riverId: undefined, sectionId: 'lake:east' }, 'lake_east'],
  ])('group key of %j is %s', (alert, key) => {
    expect(groupKeyOf(alert)).toBe(key);
  });
});
