import { describe, expect, it } from 'vitest';
import { loadRegistryFile } from '../../../config/registry-loader.js';
import { ParameterTable, type Submission } from '../../../domain/index.js';
import { parseTimestamp, validateSubmission } from '../../../ingest/validate.js';

const registry = loadRegistryFile('config/registry.yaml');
const NOW = Date.parse('2026-11-22T08:00:00+08:00');
const ctx = { registry, parameters: new ParameterTable(), limits: { maxFutureMs: 300_000, maxAgeMs: 30 * 86_400_000, maxBatch: 1000 }, now: NOW };
const topic = { sectionId: 'tp-fenhu', stationId: 'TP-FH-JS' };
const good = { stationId: 'TP-FH-JS', ts: '2026-11-22T08:00:00+08:00', seq: 7, values: { ph: 7.41, do: 6.8, nh3n: 0.42 }, flags: { nh3n: 'M' } };

const run = (payload: unknown, extra: Partial<Submission> = {}) => validateSubmission({ source: 'mqtt', payload, raw: JSON.stringify(payload), topic, ...extra }, ctx);

describe('validateSubmission', () => {
  it('accepts the contract reading and normalises it', () => {
    const { readings, rejections } = run(good);
    expect(rejections).toEqual([]);
    expect(readings).toEqual([
      { stationId: 'TP-FH-JS', sectionId: 'tp-fenhu', ts: NOW, seq: 7, values: { ph: 7.41, do: 6.8, nh3n: 0.42 }, flags: { nh3n: 'M' }, source: 'mqtt', receivedAt: NOW },
    ]);
  });

  it('accepts epoch milliseconds and drops N flags (a missing flag means N)', () => {
    const { readings } = run({ ...good, ts: NOW - 1000, flags: { ph: 'N' } });
    expect(readings[0]?.ts).toBe(NOW - 1000);
    expect(readings[0]?.flags).toEqual({});
  });

  // Each kind of bad input from issue 3 "Done when", refused with its reason code.
  const wholeReading: [string, unknown, Partial<Submission>, string][] = [
    ['not an object', [1, 2], {}, 'RW_INVALID_PAYLOAD'],
    ['wrong type of stationId', { ...good, stationId: 42 }, {}, 'RW_INVALID_PAYLOAD'],
    ['values not an object', { ...good, values: [7] }, {}, 'RW_INVALID_PAYLOAD'],
    ['unknown station', { ...good, stationId: 'XX-NOPE' }, { topic: { sectionId: 'tp-fenhu', stationId: 'XX-NOPE' } }, 'RW_UNKNOWN_STATION'],
    ['station on the wrong topic (other station)', good, { topic: { sectionId: 'tp-fenhu', stationId: 'TP-FH-ZJ' } }, 'RW_WRONG_TOPIC'],
    ['station on the wrong section', good, { topic: { sectionId: 'tp-jinze', stationId: 'TP-FH-JS' } }, 'RW_WRONG_TOPIC'],
    ['credentials of another station', good, { topic: undefined, authStationId: 'TP-FH-ZJ' }, 'RW_FORBIDDEN_STATION'],
    ['far-future timestamp', { ...good, ts: NOW + 3_600_000 }, {}, 'RW_TS_FUTURE'],
    ['timestamp older than the horizon', { ...good, ts: NOW - 40 * 86_400_000 }, {}, 'RW_TS_TOO_OLD'],
    ['timestamp without offset', { ...good, ts: '2026-11-22T08:00:00' }, {}, 'RW_TS_INVALID'],
    ['timestamp not a date', { ...good, ts: 'yesterday' }, {}, 'RW_TS_INVALID'],
    ['negative seq', { ...good, seq: -1 }, {}, 'RW_INVALID_PAYLOAD'],
    ['no values', { ...good, values: {}, flags: undefined }, {}, 'RW_NO_VALUES'],
    ['empty batch', { readings: [] }, {}, 'RW_NO_VALUES'],
    ['readings not an array', { readings: 'x' }, {}, 'RW_INVALID_PAYLOAD'],
  ];
  it.each(wholeReading)('refuses a reading: %s', (_name, payload, extra, code) => {
    const { readings, rejections } = run(payload, extra);
    expect(readings).toEqual([]);
    expect(rejections.map((r) => r.code)).toEqual([code]);
  });

  const oneValue: [string, Record<string, unknown>, Record<string, unknown> | undefined, string, string][] = [
    ['unknown parameter', { ph: 7, chlorophyll: 3 }, undefined, 'RW_UNKNOWN_PARAMETER', 'chlorophyll'],
    ['prototype-pollution key', JSON.parse('{"ph":7,"__proto__":{"polluted":1}}') as Record<string, unknown>, undefined, 'RW_UNKNOWN_PARAMETER', '__proto__'],
    ['NaN sent as a string', { ph: 7, do: 'NaN' }, undefined, 'RW_NOT_FINITE', 'do'],
    ['Infinity sent as a string', { ph: 7, do: 'Infinity' }, undefined, 'RW_NOT_FINITE', 'do'],
    ['a number as a string', { ph: 7, do: '6.8' }, undefined, 'RW_NOT_FINITE', 'do'],
    ['pH out of range', { ph: 15, do: 6 }, undefined, 'RW_OUT_OF_RANGE', 'ph'],
    ['negative concentration', { ph: 7, nh3n: -0.1 }, undefined, 'RW_OUT_OF_RANGE', 'nh3n'],
    ['DO above 25 mg/L', { ph: 7, do: 30 }, undefined, 'RW_OUT_OF_RANGE', 'do'],
    ['bad flag', { ph: 7, do: 6 }, { do: 'X' }, 'RW_INVALID_FLAG', 'do'],
    ['flag without a value', { ph: 7 }, { tp: 'M' }, 'RW_UNKNOWN_PARAMETER', 'tp'],
  ];
  it.each(oneValue)('refuses one value and keeps the rest: %s', (_name, values, flags, code, parameter) => {
    const { readings, rejections } = run({ ...good, values, flags });
    expect(rejections).toHaveLength(1);
    expect(rejections[0]).toMatchObject({ code, parameter, index: 0, stationId: 'TP-FH-JS' });
    expect(readings).toHaveLength(1);
    const kept = readings[0]!.values;
    expect(Object.keys(kept)).toEqual(Object.keys(values).filter((k) => k !== parameter));
    expect(Object.keys(kept)).not.toContain(parameter);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a parameter the station does not measure is refused', () => {
    const withFewer = loadRegistryFile('config/registry.yaml');
    const station = withFewer.station('TP-FH-JS')!;
    (station as unknown as { parameters: string[] }).parameters = ['ph'];
    const { rejections } = validateSubmission({ source: 'http', payload: good, raw: '', authStationId: 'TP-FH-JS' }, { ...ctx, registry: withFewer });
    expect(rejections.map((r) => [r.code, r.parameter])).toEqual([
      ['RW_UNKNOWN_PARAMETER', 'do'],
      ['RW_UNKNOWN_PARAMETER', 'nh3n'],
    ]);
  });

  it('a batch mixing good and bad keeps the good readings, with the index of each refusal', () => {
    const batch = { readings: [good, { ...good, stationId: 'NOPE' }, { ...good, ts: NOW - 60_000 }, { ...good, values: { ph: 99 }, flags: undefined }] };
    const { readings, rejections } = run(batch);
    expect(readings.map((r) => r.ts)).toEqual([NOW, NOW - 60_000]);
    expect(rejections.map((r) => [r.index, r.code])).toEqual([
      [1, 'RW_UNKNOWN_STATION'],
      [3, 'RW_OUT_OF_RANGE'],
    ]);
  });

  it('a batch over the limit is refused as a whole', () => {
    const { readings, rejections } = validateSubmission({ source: 'mqtt', payload: { readings: Array(1001).fill(good) }, raw: '', topic }, ctx);
    expect(readings).toEqual([]);
    expect(rejections[0]?.code).toBe('RW_BATCH_TOO_LARGE');
  });

  it('a batch of 1,000 backlog readings is accepted', () => {
    const list = Array.from({ length: 1000 }, (_, i) => ({ ...good, seq: i, ts: NOW - i * 60_000 }));
    expect(run({ readings: list }).readings).toHaveLength(1000);
  });
});

describe('parseTimestamp', () => {
  it.each([
    ['2026-11-22T08:00:00+08:00', Date.parse('2026-11-22T00:00:00Z')],
    ['2026-11-22T00:00:00Z', Date.parse('2026-11-22T00:00:00Z')],
    ['2026-11-22T00:00:00.250Z', Date.parse('2026-11-22T00:00:00.250Z')],
    [1795300000000, 1795300000000],
    ['2026-11-22 08:00:00', undefined],
    [1.5, undefined],
    [-5, undefined],
    [null, undefined],
  ])('%s → %s', (input, expected) => {
    expect(parseTimestamp(input)).toBe(expected);
  });
});
