import { describe, expect, it } from 'vitest';
import { doubtFrom, faultKeysFor, inhibitorKeysFor, type StationFault } from '../../../platform/redis/alerts/inhibition.js';

const alert = { kind: 'exceedance' as const, stationId: 'S-1', parameters: ['tp'] };

describe('inhibition by data quality', () => {
  it('looks at the station’s offline and flag conditions and at the alert parameters’ flat and spike ones', () => {
    expect(faultKeysFor(alert)).toEqual(['dq-offline:S-1', 'dq-flag:S-1', 'dq-flat:S-1:tp', 'dq-spike:S-1:tp']);
    expect(faultKeysFor({ ...alert, stationId: undefined })).toEqual([]);
  });

  it.each<[string, StationFault[], string | undefined]>([
    ['no fault', [], undefined],
    ['offline', [{ key: 'dq-offline:S-1', evidence: {} }], 'offline'],
    ['fault flag D', [{ key: 'dq-flag:S-1', evidence: { flags: { tp: 'D' } } }], 'fault-flags'],
    ['fault flag D on another parameter', [{ key: 'dq-flag:S-1', evidence: { flags: { do: 'D' } } }], undefined],
    ['maintenance flags only (a silence, not a doubt)', [{ key: 'dq-flag:S-1', evidence: { flags: { tp: 'M', do: 'C' } } }], undefined],
    ['stuck sensor', [{ key: 'dq-flat:S-1:tp', evidence: {} }], 'flat-line'],
    ['spikes', [{ key: 'dq-spike:S-1:tp', evidence: {} }], 'spikes'],
  ])('%s', (_name, faults, expected) => {
    expect(doubtFrom(alert, faults)).toBe(expected);
  });

  it('data-quality alerts themselves are never doubtful', () => {
    expect(doubtFrom({ kind: 'data-quality', stationId: 'S-1', parameters: [] }, [{ key: 'dq-offline:S-1', evidence: {} }])).toBeUndefined();
  });
});

describe('section-level alerts inhibit station-level duplicates', () => {
  it.each([
    [{ kind: 'sudden-change' as const, sectionId: 'x', stationId: 'S-1', parameters: ['nh3n', 'cond'] }, ['exceedance:x:nh3n', 'exceedance:x:cond']],
    [{ kind: 'exceedance' as const, sectionId: 'x', stationId: 'S-1', parameters: ['nh3n'] }, []],
    [{ kind: 'sudden-change' as const, sectionId: 'x', stationId: undefined, parameters: ['nh3n'] }, []],
  ])('%j is inhibited by %j', (alert, keys) => {
    expect(inhibitorKeysFor(alert)).toEqual(keys);
  });
});
