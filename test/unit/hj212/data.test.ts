import { describe, expect, it } from 'vitest';
import { ParameterTable, CANONICAL_PARAMETERS } from '../../../domain/parameters.js';
import { mapDataUpload, parseCp, parsePacket, type CpGroups } from '../../../ingest/hj212/index.js';
import { dataSegmentOf, REFERENCE_PACKETS } from './reference-packets.js';

const parameters = new ParameterTable();

function groupsOf(packet: string): { cn: string; groups: CpGroups } {
  const parsed = parsePacket(dataSegmentOf(packet));
  if (!parsed.ok) throw new Error(parsed.reason);
  const cp = parseCp(parsed.value.cp);
  if (!cp.ok) throw new Error(cp.reason);
  return { cn: parsed.value.cn, groups: cp.value };
}

function cp(text: string): CpGroups {
  const result = parseCp(text);
  if (!result.ok) throw new Error(result.reason);
  return result.value;
}

const ctx = { stationId: 'S1', parameters, timezoneOffsetMinutes: 480 };

describe('mapDataUpload', () => {
  it('maps the reference real-time packet (2011, -Rtd) and reports its unknown codes', () => {
    const { cn, groups } = groupsOf(REFERENCE_PACKETS.realtime2011);
    const mapping = mapDataUpload(groups, { ...ctx, cn });
    expect(mapping.readings).toEqual([
      {
        stationId: 'S1',
        // DataTime 2021-03-01 11:11:00 at UTC+8.
        ts: Date.parse('2021-03-01T03:11:00Z'),
        values: {
          ph: 8.33,
          do: 10.15,
          temp: 9.7,
          cond: 1425,
          turb: 13.1,
          tp: 0,
          tn: 3.563168,
          nh3n: 0.09055002,
          codmn: 4.102818,
        },
        flags: { ph: 'N', do: 'N', temp: 'N', cond: 'N', turb: 'N', tp: 'N', tn: 'N', nh3n: 'N', codmn: 'N' },
      },
    ]);
    expect(mapping.unknownCodes).toEqual(['w01008']);
    // w23002 (volatile phenol) is a recognised Table B.1 code RiverWatch does not track: counted, not unknown.
    expect(mapping.untrackedCodes).toEqual(['w23002']);
    expect(mapping.problems).toEqual([]);
  });

  it('maps the reference hourly packet (2061, -Avg)', () => {
    const { cn, groups } = groupsOf(REFERENCE_PACKETS.hourly2061);
    const mapping = mapDataUpload(groups, { ...ctx, cn });
    expect(mapping.readings).toHaveLength(1);
    expect(mapping.readings[0]?.ts).toBe(Date.parse('2024-03-15T00:00:00Z'));
    expect(mapping.readings[0]?.values).toEqual({
      temp: 12.6,
      ph: 7.62,
      do: 8.91,
      cond: 412.5,
      turb: 18.3,
      codmn: 3.4,
      nh3n: 0.512,
      tp: 0.118,
      tn: 2.35,
    });
    expect(mapping.unknownCodes).toEqual([]);
  });

  it.each([
    { cn: '2011', used: 'Rtd', value: 1 },
    { cn: '2051', used: 'Avg', value: 2 },
    { cn: '2061', used: 'Avg', value: 2 },
    { cn: '2031', used: 'Avg', value: 2 },
  ])('CN $cn carries -$used; Min/Max/Cou are dropped and counted', ({ cn, value }) => {
    const mapping = mapDataUpload(
      cp('DataTime=20240315080000;w01001-Rtd=1,w01001-Avg=2,w01001-Min=0.5,w01001-Max=3,w01001-Cou=9'),
      { ...ctx, cn },
    );
    expect(mapping.readings[0]?.values).toEqual({ ph: value });
    expect(mapping.droppedItems).toBe(4);
  });

  it('passes data flags through for ingest to judge', () => {
    const mapping = mapDataUpload(cp('DataTime=20240315080000;w21011-Avg=0.2,w21011-Flag=M;w01001-Avg=7,w01001-Flag=Q'), {
      ...ctx,
      cn: '2061',
    });
    expect(mapping.readings[0]?.flags).toEqual({ tp: 'M', ph: 'Q' });
  });

  it('drops a flag whose value is missing', () => {
    const mapping = mapDataUpload(cp('DataTime=20240315080000;w21011-Avg=0.2;w01001-Flag=D'), { ...ctx, cn: '2061' });
    expect(mapping.readings[0]).toMatchObject({ values: { tp: 0.2 }, flags: {} });
  });

  it('uses the configured offset for DataTime', () => {
    const mapping = mapDataUpload(cp('DataTime=20240315080000;w01001-Rtd=7'), { ...ctx, cn: '2011', timezoneOffsetMinutes: 0 });
    expect(mapping.readings[0]?.ts).toBe(Date.parse('2024-03-15T08:00:00Z'));
  });

  it('makes one reading per DataTime group (backlog)', () => {
    const mapping = mapDataUpload(cp('DataTime=20240315080000;w01001-Avg=7;DataTime=20240315090000;w01001-Avg=7.1'), {
      ...ctx,
      cn: '2061',
    });
    expect(mapping.readings.map((r) => [r.ts, r.values.ph])).toEqual([
      [Date.parse('2024-03-15T00:00:00Z'), 7],
      [Date.parse('2024-03-15T01:00:00Z'), 7.1],
    ]);
  });

  it('merges groups that repeat the same DataTime (parts of a split message) into one reading', () => {
    const mapping = mapDataUpload(cp('DataTime=20240315080000;w01001-Avg=7;DataTime=20240315080000;w21011-Avg=0.1'), {
      ...ctx,
      cn: '2061',
    });
    expect(mapping.readings).toEqual([
      { stationId: 'S1', ts: Date.parse('2024-03-15T00:00:00Z'), values: { ph: 7, tp: 0.1 }, flags: {} },
    ]);
  });

  it('maps configured extra parameters by their code', () => {
    const extra = new ParameterTable([
      ...CANONICAL_PARAMETERS,
      { ...CANONICAL_PARAMETERS[0]!, key: 'chla', hj212Code: 'w01016' },
    ]);
    const mapping = mapDataUpload(cp('DataTime=20240315080000;w01016-Rtd=0.01'), { ...ctx, cn: '2011', parameters: extra });
    expect(mapping.readings[0]?.values).toEqual({ chla: 0.01 });
  });

  it.each([
    { name: 'bad DataTime', text: 'DataTime=20240230080000;w01001-Rtd=7', code: 'RW_TS_INVALID' },
    { name: 'missing DataTime', text: 'w01001-Rtd=7', code: 'RW_TS_INVALID' },
    { name: 'value not a number', text: 'DataTime=20240315080000;w01001-Rtd=abc,w01009-Rtd=8', code: 'RW_NOT_FINITE' },
    { name: 'empty value', text: 'DataTime=20240315080000;w01001-Rtd=,w01009-Rtd=8', code: 'RW_NOT_FINITE' },
    { name: 'hex value', text: 'DataTime=20240315080000;w01001-Rtd=0x10,w01009-Rtd=8', code: 'RW_NOT_FINITE' },
    { name: 'item not code-Suffix', text: 'DataTime=20240315080000;RtdInterval=30,w01009-Rtd=8', code: 'RW_INVALID_PAYLOAD' },
    { name: 'no value at all', text: 'DataTime=20240315080000;w01001-Flag=N', code: 'RW_NO_VALUES' },
  ])('reports $name as $code', ({ text, code }) => {
    const mapping = mapDataUpload(cp(text), { ...ctx, cn: '2011' });
    expect(mapping.problems.map((p) => p.code)).toContain(code);
  });

  it('keeps the good values of a packet with a bad one', () => {
    const mapping = mapDataUpload(cp('DataTime=20240315080000;w01001-Rtd=abc;w01009-Rtd=8;w99999-Rtd=1'), { ...ctx, cn: '2011' });
    expect(mapping.readings[0]?.values).toEqual({ do: 8 });
    expect(mapping.unknownCodes).toEqual(['w99999']);
    expect(mapping.problems.map((p) => p.code)).toEqual(['RW_NOT_FINITE']);
  });

  it('reports a packet of only unknown codes as unknown codes, no reading', () => {
    const mapping = mapDataUpload(cp('DataTime=20240315080000;w01008-Rtd=0;w23002-Rtd=0'), { ...ctx, cn: '2011' });
    expect(mapping).toMatchObject({ readings: [], unknownCodes: ['w01008'], untrackedCodes: ['w23002'], problems: [] });
  });

  it('refuses a CN that is not a data upload', () => {
    expect(mapDataUpload(cp('DataTime=20240315080000;w01001-Rtd=7'), { ...ctx, cn: '1062' }).problems[0]?.code).toBe(
      'RW_INVALID_PAYLOAD',
    );
  });
});

describe('dialects: HJ/T 212-2005 codes and station code tables', () => {
  // Receive log of real 2005 loggers: xiaoyao9184/hj-t212-parser,
  // hj-h212-parser/src/test/resources/AllData/2016-08-24 00.h212 (`011` COD, `060` NH3-N, `B01` flow).
  it('maps 2005 numeric codes through Table B.1 (060 -> w21003) and counts the untracked ones (011 COD, B01 flow)', () => {
    const mapping = mapDataUpload(cp('DataTime=20160823235600;B01-Rtd=12.359,B01-Flag=N;011-Rtd=39.694,011-Flag=N;060-Rtd=2.680,060-Flag=D'), {
      ...ctx,
      cn: '2011',
    });
    expect(mapping.readings).toEqual([{ stationId: 'S1', ts: Date.UTC(2016, 7, 23, 15, 56, 0), values: { nh3n: 2.68 }, flags: { nh3n: 'D' } }]);
    expect(mapping.untrackedCodes.sort()).toEqual(['w00000', 'w01018']);
    expect(mapping.unknownCodes).toEqual([]);
    expect(mapping.problems).toEqual([]);
  });

  it.each([
    { sent: '001', key: 'ph' },
    { sent: '060', key: 'nh3n' },
    { sent: '065', key: 'tn' },
    { sent: '101', key: 'tp' },
  ])('2005 code $sent is $key', ({ sent, key }) => {
    const mapping = mapDataUpload(cp(`DataTime=20160823235600000;${sent}-Rtd=1.5`), { ...ctx, cn: '2011' });
    expect(mapping.readings[0]?.values).toEqual({ [key]: 1.5 });
  });

  it('a station table maps a vendor code and overrides the 2005 column', () => {
    const mapping = mapDataUpload(cp('DataTime=20240315080000;301-Rtd=8.1;060-Rtd=0.4'), {
      ...ctx,
      cn: '2011',
      stationCodes: { '301': 'w01009', '060': 'w21011' },
    });
    expect(mapping.readings[0]?.values).toEqual({ do: 8.1, tp: 0.4 });
  });

  it('reports an unknown numeric code as sent', () => {
    const mapping = mapDataUpload(cp('DataTime=20240315080000;01-Rtd=3;w01001-Rtd=7'), { ...ctx, cn: '2011' });
    expect(mapping.unknownCodes).toEqual(['01']);
    expect(mapping.readings[0]?.values).toEqual({ ph: 7 });
  });
});

describe('split upload parts (C.49/C.50)', () => {
  it('a later part without DataTime takes the inherited one', () => {
    const mapping = mapDataUpload(cp('w21003-Avg=0.5,w21003-Flag=N'), { ...ctx, cn: '2051', inheritedDataTime: '20240315080000' });
    expect(mapping.readings).toEqual([{ stationId: 'S1', ts: Date.UTC(2024, 2, 15, 0, 0, 0), values: { nh3n: 0.5 }, flags: { nh3n: 'N' } }]);
    expect(mapping.problems).toEqual([]);
  });

  it('a part with its own DataTime ignores the inherited one', () => {
    const mapping = mapDataUpload(cp('DataTime=20240315090000;w21003-Avg=0.5'), { ...ctx, cn: '2051', inheritedDataTime: '20240315080000' });
    expect(mapping.readings.map((r) => r.ts)).toEqual([Date.UTC(2024, 2, 15, 1, 0, 0)]);
  });
});
