/**
 * The line of an alert opening (measurement `alert`, docs/influxdb-schema.md):
 * only openings count, data-quality alerts have level none, tag values are
 * escaped, the time is the opening's.
 */
import { describe, expect, it } from 'vitest';
import type { AlertSummary, AlertTransition, LiveEvent } from '../../../platform/redis/alerts/index.js';
import { alertPointLine } from '../../../platform/influx/alert-points.js';

const alert = (over: Partial<AlertSummary> = {}): AlertSummary =>
  ({ id: 'a1', key: 'exceedance:tp-fenhu:nh3n', kind: 'exceedance', sectionId: 'tp-fenhu', riverId: 'taipu', level: 'yellow', ...over }) as AlertSummary;
/** `none`: a transition without level (data-quality alerts). */
const transition = (type: AlertTransition['type'], level: NonNullable<AlertTransition['level']> | 'none' = 'yellow'): AlertTransition =>
  ({ id: 'a1.1', seq: 1, type, at: 1_795_305_600_123, actor: { kind: 'analytics' }, level: level === 'none' ? undefined : level }) as AlertTransition;
const ev = (a: AlertSummary, t: AlertTransition): LiveEvent => ({ type: 'alert', alert: a, transition: t });

describe('alertPointLine', () => {
  it('an opened alert is one point with its tags, opened=1 and its id, at the opening time', () => {
    expect(alertPointLine(ev(alert(), transition('opened')))).toBe(
      'alert,river=taipu,section=tp-fenhu,kind=exceedance,level=yellow,key=exceedance:tp-fenhu:nh3n opened=1i,id="a1" 1795305600123',
    );
  });

  it('other transitions and task events write nothing', () => {
    for (const type of ['level-raised', 'acknowledged', 'resolved', 'reminder'] as const)
      expect(alertPointLine(ev(alert(), transition(type)))).toBeUndefined();
    expect(alertPointLine({ type: 'task' } as LiveEvent)).toBeUndefined();
  });

  it('a data-quality alert has level none; spaces, commas and = in tag values are escaped', () => {
    const line = alertPointLine(ev(alert({ kind: 'data-quality', level: undefined, key: 'dq:a b,c=d', riverId: undefined }), transition('opened', 'none')));
    expect(line).toBe('alert,river=unknown,section=tp-fenhu,kind=data-quality,level=none,key=dq:a\\ b\\,c\\=d opened=1i,id="a1" 1795305600123');
  });
});
