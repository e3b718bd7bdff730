/**
 * The public view's pure parts: local days (Asia/Shanghai, days start at
 * 16:00 UTC), the class of a day (worst hour, hours at or better than the
 * target, days without data as null), and a task that is not closed is not
 * disclosed.
 */
import { describe, expect, it } from 'vitest';
import { loadRegistryFile } from '../../../config/index.js';
import { classByDay, localDate, localDayStart, publicTask, type ClosedTaskInput } from '../../../api/public-view/disclosure.js';

const HOUR = 3_600_000;
const TZ = 480;
/** 2026-12-06T00:00+08:00 */
const DAY0 = Date.UTC(2026, 11, 5, 16);

describe('local days', () => {
  it('a day starts at local midnight', () => {
    expect(localDate(DAY0, TZ)).toBe('2026-12-06');
    expect(localDate(DAY0 - 1, TZ)).toBe('2026-12-05');
    expect(localDayStart(DAY0 + 23 * HOUR, TZ)).toBe(DAY0);
    expect(localDayStart(DAY0 + 23 * HOUR, TZ, 2)).toBe(DAY0 - 48 * HOUR);
  });
});

describe('classByDay', () => {
  it('worst hourly class of each local day, hours meeting the target, empty days null', () => {
    const points = [
      { ts: DAY0 - 48 * HOUR + HOUR, cls: 2 as const, deciding: [] },
      { ts: DAY0 - 48 * HOUR + 2 * HOUR, cls: 4 as const, deciding: [] },
      { ts: DAY0 - 48 * HOUR + 3 * HOUR, cls: 3 as const, deciding: [] },
      // 23:30 local of the same day, not the next one.
      { ts: DAY0 - 24 * HOUR - 30 * 60_000, cls: 1 as const, deciding: [] },
      { ts: DAY0 + 5 * HOUR, cls: 3 as const, deciding: [] },
    ];
    expect(classByDay(points, 3, DAY0 - 48 * HOUR, DAY0 + 10 * HOUR, TZ)).toEqual([
      { date: '2026-12-04', class: 4, label: { zh: 'Ⅳ类', en: 'IV' }, hoursEvaluated: 4, hoursMeetingTarget: 3, meetsTarget: false },
      { date: '2026-12-05', class: null, label: null, hoursEvaluated: 0, hoursMeetingTarget: 0, meetsTarget: null },
      { date: '2026-12-06', class: 3, label: { zh: 'Ⅲ类', en: 'III' }, hoursEvaluated: 1, hoursMeetingTarget: 1, meetsTarget: true },
    ]);
  });
});

describe('publicTask', () => {
  const registry = loadRegistryFile('config/registry.yaml');
  const task: ClosedTaskInput = {
    id: 't1',
    sectionId: 'tp-fenhu',
    level: 'orange',
    parties: ['jiashan', 'wujiang'],
    coordinatorId: 'taihu-bureau',
    openedAt: DAY0,
    closedAt: DAY0 + 80 * HOUR,
    hold: { startedAt: DAY0 + 8 * HOUR, until: DAY0 + 80 * HOUR },
    reopenCount: 1,
    escalations: [{}],
    problems: [{ status: 'closed' }, { status: 'closed' }],
  };

  it('a closed task by names, in local time, with its result', () => {
    expect(publicTask(registry, task, TZ)).toMatchObject({
      id: 't1',
      river: { zh: '太浦河' },
      parties: [registry.agencies.get('jiashan')!.name, registry.agencies.get('wujiang')!.name],
      lead: registry.agencies.get('taihu-bureau')!.name,
      openedAt: '2026-12-06T00:00:00+08:00',
      closedAt: '2026-12-09T08:00:00+08:00',
      problemsRectified: 2,
      reopened: 1,
      escalations: 1,
      result: { zh: expect.stringContaining('保持 72 小时'), en: expect.stringContaining('2 problem(s) rectified') },
    });
  });

  it('an open task is not disclosed', () => {
    expect(publicTask(registry, { ...task, closedAt: undefined }, TZ)).toBeUndefined();
  });
});

describe('switched on per deployment', () => {
  it('off by default; RW_PUBLIC_VIEW=true turns it on with its cache and rate limit', async () => {
    const { loadConfig } = await import('../../../config/index.js');
    expect(loadConfig({}).publicView).toEqual({ enabled: false, days: 30, cacheSeconds: 300, rateLimitPerMinute: 60 });
    expect(loadConfig({ RW_PUBLIC_VIEW: 'true', RW_PUBLIC_CACHE_S: '60' }).publicView).toMatchObject({ enabled: true, cacheSeconds: 60 });
  });
});
