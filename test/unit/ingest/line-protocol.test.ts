import { describe, expect, it } from 'vitest';
import { readingToLine } from '../../../platform/influx/line-protocol.js';
import { partitionOf } from '../../../platform/redis/readings/readings-log.js';
import { parseReadingsTopic, readingsTopic } from '../../../domain/index.js';

describe('line protocol', () => {
  it('one float field per parameter, flags as strings, tags escaped, ms timestamp', () => {
    const line = readingToLine(
      { stationId: 'TP FH,1', sectionId: 'tp-fenhu', ts: 1795300000000, seq: 3, values: { ph: 7, nh3n: 0.42 }, flags: { nh3n: 'M' }, source: 'mqtt', receivedAt: 0 },
      'taipu',
    );
    expect(line).toBe('water_quality,river=taipu,section=tp-fenhu,station=TP\\ FH\\,1 ph=7.0,nh3n=0.42,nh3n_flag="M",seq=3i,source="mqtt" 1795300000000');
  });

  // The series prefix and field keys are cached (issue 14): each row is formatted twice, so a cached
  // value is checked against the first formatting, and rows differing only in one tag differ.
  it.each([
    ['plain', 'river-a', 'sec-1', 'S1', { do: 6.5, tp: 0.1 }, {}, undefined, 'water_quality,river=river-a,section=sec-1,station=S1 do=6.5,tp=0.1,source="mqtt" 5'],
    ['other river, same station', 'river-b', 'sec-1', 'S1', { do: 6.5 }, {}, 7, 'water_quality,river=river-b,section=sec-1,station=S1 do=6.5,seq=7i,source="mqtt" 5'],
    ['escaped field key and flag', 'r', 's=x', 'S 2', { 'a b': -3 }, { 'a b': 'D' }, 0, 'water_quality,river=r,section=s\\=x,station=S\\ 2 a\\ b=-3.0,a\\ b_flag="D",seq=0i,source="mqtt" 5'],
  ] as const)('%s', (_name, river, section, station, values, flags, seq, expected) => {
    const reading = { stationId: station, sectionId: section, ts: 5, ...(seq === undefined ? {} : { seq }), values, flags, source: 'mqtt' as const, receivedAt: 0 };
    expect(readingToLine(reading as never, river)).toBe(expected);
    expect(readingToLine(reading as never, river)).toBe(expected);
  });
});

describe('partitions and topics', () => {
  it('a section always maps to the same partition, spread over all of them', () => {
    expect(partitionOf('tp-fenhu', 1)).toBe(0);
    expect(partitionOf('tp-fenhu', 4)).toBe(partitionOf('tp-fenhu', 4));
    const used = new Set(Array.from({ length: 100 }, (_, i) => partitionOf(`section-${i}`, 4)));
    expect(used.size).toBe(4);
  });
  it('readings topics round-trip; other topics are not readings topics', () => {
    expect(parseReadingsTopic(readingsTopic('tp-fenhu', 'TP-FH-JS'))).toEqual({ sectionId: 'tp-fenhu', stationId: 'TP-FH-JS' });
    for (const topic of ['wq/a/b/commands', 'wq//b/readings', 'wq/a/b/c/readings', 'x/a/b/readings']) expect(parseReadingsTopic(topic)).toBeUndefined();
  });
});
