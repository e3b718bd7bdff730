import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../domain/clock.js';
import { formatLocalTime, parseLocalTime, QnGenerator } from '../../../ingest/hj212/index.js';

describe('local time (DataTime, QN)', () => {
  it.each([
    { text: '20210301111100', offset: 480, iso: '2021-03-01T03:11:00.000Z' },
    { text: '20240101000000', offset: 480, iso: '2023-12-31T16:00:00.000Z' },
    { text: '20240315080000', offset: 0, iso: '2024-03-15T08:00:00.000Z' },
    { text: '20240229235959', offset: 480, iso: '2024-02-29T15:59:59.000Z' },
    { text: '20160801085857223', offset: 480, iso: '2016-08-01T00:58:57.223Z' },
  ])('$text at +$offset min is $iso', ({ text, offset, iso }) => {
    const ms = parseLocalTime(text, offset);
    expect(ms === undefined ? undefined : new Date(ms).toISOString()).toBe(iso);
    expect(formatLocalTime(Date.parse(iso), offset, text.length === 17)).toBe(text);
  });

  it.each(['20230229000000', '20241301000000', '20240101240000', '2024010100000', '2024-01-01T00', '202401010000001'])(
    'refuses %s',
    (text) => {
      expect(parseLocalTime(text, 480)).toBeUndefined();
    },
  );
});

describe('QnGenerator', () => {
  it('issues increasing, unique QNs even within one millisecond', () => {
    const clock = new ManualClock(Date.parse('2024-03-15T01:00:05.123Z'));
    const qn = new QnGenerator(clock, 480);
    expect([qn.next(), qn.next(), qn.next()]).toEqual(['20240315090005123', '20240315090005124', '20240315090005125']);
    clock.advance(1_000);
    expect(qn.next()).toBe('20240315090006123');
  });
});
