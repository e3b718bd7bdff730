import { describe, expect, it } from 'vitest';
import { matchesTarget, silences, windowAt, windowProblems, type Silence, type SilenceTarget } from '../../../alerts/alarms/silence-model.js';

const alert: SilenceTarget = { sectionId: 'bd-prov', stationId: 'S-BP-1', parameters: ['tp', 'nh3n'], kind: 'exceedance' };
const at = (iso: string) => Date.parse(iso);

function silence(over: Partial<Silence>): Silence {
  return {
    id: 'si-1',
    agencyId: 'k1b',
    matcher: { sectionId: 'bd-prov' },
    startsAt: at('2026-12-01T00:00:00Z'),
    endsAt: at('2026-12-31T00:00:00Z'),
    reason: 'calibration',
    createdAt: at('2026-12-01T00:00:00Z'),
    history: [],
    ...over,
  };
}

describe('silence matcher', () => {
  it.each([
    [{ sectionId: 'bd-prov' }, true],
    [{ sectionId: 'low' }, false],
    [{ stationId: 'S-BP-1' }, true],
    [{ stationId: 'S-BP-2' }, false],
    [{ sectionId: 'bd-prov', parameter: 'nh3n' }, true],
    [{ sectionId: 'bd-prov', parameter: 'do' }, false],
    [{ sectionId: 'bd-prov', kind: 'exceedance' as const }, true],
    [{ sectionId: 'bd-prov', kind: 'data-quality' as const }, false],
    [{ stationId: 'S-BP-1', parameter: 'tp', kind: 'exceedance' as const }, true],
  ])('%j matches: %s', (matcher, expected) => {
    expect(matchesTarget(matcher, alert)).toBe(expected);
  });

  it('a station silence does not match a section-level alert without a station', () => {
    expect(matchesTarget({ stationId: 'S-BP-1' }, { ...alert, stationId: undefined })).toBe(false);
  });
});

describe('silence windows', () => {
  // Tuesdays 09:00–11:00 Shanghai = 01:00–03:00 UTC. 2026-12-08 is a Tuesday.
  const weekly = silence({ recurrence: { weekdays: [2], start: '09:00', end: '11:00' } });
  it.each([
    ['one-off: before the start', silence({}), '2026-11-30T23:59:59Z', undefined],
    ['one-off: inside', silence({}), '2026-12-10T12:00:00Z', ['2026-12-01T00:00:00Z', '2026-12-31T00:00:00Z']],
    ['one-off: at the end (exclusive)', silence({}), '2026-12-31T00:00:00Z', undefined],
    [
      'one-off: ended by hand',
      silence({ endedAt: at('2026-12-05T00:00:00Z') }),
      '2026-12-05T00:00:00Z',
      undefined,
    ],
    ['weekly: Tuesday 09:30 local', weekly, '2026-12-08T01:30:00Z', ['2026-12-08T01:00:00Z', '2026-12-08T03:00:00Z']],
    ['weekly: Tuesday 11:00 local (end exclusive)', weekly, '2026-12-08T03:00:00Z', undefined],
    ['weekly: Tuesday 08:59 local', weekly, '2026-12-08T00:59:00Z', undefined],
    ['weekly: Wednesday 09:30 local', weekly, '2026-12-09T01:30:00Z', undefined],
    // Monday 17:30 UTC is Tuesday 01:30 local: outside 09–11 all the same.
    ['weekly: Tuesday local by date, Monday in UTC', weekly, '2026-12-07T17:30:00Z', undefined],
    [
      'weekly: cut by the final end',
      silence({ recurrence: { weekdays: [2], start: '09:00', end: '11:00' }, endsAt: at('2026-12-08T02:00:00Z') }),
      '2026-12-08T01:30:00Z',
      ['2026-12-08T01:00:00Z', '2026-12-08T02:00:00Z'],
    ],
  ])('%s', (_name, s, when, expected) => {
    const w = windowAt(s, at(when));
    expect(w === undefined ? undefined : [new Date(w.from).toISOString(), new Date(w.to).toISOString()]).toEqual(
      expected?.map((x) => new Date(at(x)).toISOString()),
    );
  });

  it('silences needs both the window and the matcher', () => {
    expect(silences(weekly, alert, at('2026-12-08T01:30:00Z'))).toBe(true);
    expect(silences(weekly, { ...alert, sectionId: 'low' }, at('2026-12-08T01:30:00Z'))).toBe(false);
    expect(silences(weekly, alert, at('2026-12-09T01:30:00Z'))).toBe(false);
  });

  it.each([
    [{ weekdays: [2], start: '09:00', end: '11:00' }, 0],
    [{ weekdays: [], start: '09:00', end: '11:00' }, 1],
    [{ weekdays: [8], start: '09:00', end: '11:00' }, 1],
    [{ weekdays: [1], start: '9:00', end: '11:00' }, 1],
    [{ weekdays: [1], start: '22:00', end: '02:00' }, 1],
  ])('window %j has %i problem(s)', (w, n) => {
    expect(windowProblems(w)).toHaveLength(n);
  });
});
