import { describe, expect, it } from 'vitest';
import {
  bucketCount,
  bucketOffsetMs,
  checkLimits,
  DEFAULT_RANGE_LIMITS,
  formatSpan,
  parseInstant,
  parseInterval,
  parseRange,
} from '../../../api/queries/time-range.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;

describe('parseInstant', () => {
  it.each([
    ['1795132800000', 1795132800000],
    ['2026-11-22T08:00:00+08:00', Date.UTC(2026, 10, 22, 0, 0)],
    ['2026-11-22T08:00:00.500+0800', Date.UTC(2026, 10, 22, 0, 0, 0, 500)],
    ['2026-11-22T00:00:00Z', Date.UTC(2026, 10, 22)],
    ['2026-11-22T00:00Z', Date.UTC(2026, 10, 22)],
    ['2026-11-22', Date.UTC(2026, 10, 22)],
  ])('%s → %d', (text, ms) => {
    expect(parseInstant('from', text)).toEqual({ ok: true, value: ms });
  });

  it.each(['2026-11-22T08:00:00', 'yesterday', '', '2026-13-45T00:00:00Z', '1e12', '12345678901234567'])(
    'refuses %j, naming the field',
    (text) => {
      const r = parseInstant('from', text);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.code).toBe('RW_INVALID_PAYLOAD');
        expect(r.message).toMatch(/^from: /);
      }
    },
  );
});

describe('parseInterval', () => {
  it.each([
    ['1m', 60_000],
    ['15m', 900_000],
    ['1h', HOUR],
    ['6h', 6 * HOUR],
    ['1d', DAY],
  ])('%s = %d ms', (text, ms) => {
    expect(parseInterval(text)).toEqual({ ok: true, value: { text, ms } });
  });

  it.each(['0h', '5x', '1s', 'h', '1.5h', '-1h', '99999h'])('refuses %j', (text) => {
    expect(parseInterval(text).ok).toBe(false);
  });

  it('refuses intervals below the configured minimum', () => {
    expect(parseInterval('5m', { ...DEFAULT_RANGE_LIMITS, minIntervalMs: 15 * 60_000 }).ok).toBe(false);
    expect(parseInterval('15m', { ...DEFAULT_RANGE_LIMITS, minIntervalMs: 15 * 60_000 }).ok).toBe(true);
  });
});

describe('parseRange', () => {
  const now = Date.UTC(2026, 10, 22, 12);
  it('defaults: to = now, from = to − default span', () => {
    expect(parseRange(undefined, undefined, now, DAY)).toEqual({ ok: true, value: { fromMs: now - DAY, toMs: now } });
    expect(parseRange('', String(now - HOUR), now, DAY)).toEqual({
      ok: true,
      value: { fromMs: now - HOUR - DAY, toMs: now - HOUR },
    });
  });
  it.each([
    [String(now), String(now)],
    [String(now), String(now - 1)],
  ])('refuses from=%s ≥ to=%s', (from, to) => {
    const r = parseRange(from, to, now, DAY);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/must be before/);
  });
});

describe('checkLimits', () => {
  const limits = { maxRawRangeMs: 31 * DAY, maxRangeMs: 400 * DAY, maxPoints: 1000, minIntervalMs: 60_000 };
  const range = (days: number) => ({ fromMs: 0, toMs: days * DAY });
  it.each([
    ['raw exactly at the limit', range(31), undefined, true, undefined],
    ['raw over the limit', { fromMs: 0, toMs: 31 * DAY + 1 }, undefined, false, 'RW_RANGE_TOO_LARGE'],
    ['hourly over 40 days (961 buckets)', range(40), { text: '1h', ms: HOUR }, true, undefined],
    ['hourly over 42 days (1009 buckets)', range(42), { text: '1h', ms: HOUR }, false, 'RW_TOO_MANY_POINTS'],
    ['daily over 401 days', range(401), { text: '1d', ms: DAY }, false, 'RW_RANGE_TOO_LARGE'],
    ['daily over 400 days', range(400), { text: '1d', ms: DAY }, true, undefined],
  ])('%s', (_name, r, interval, ok, code) => {
    const result = checkLimits(r, interval, limits);
    expect(result.ok).toBe(ok);
    if (!result.ok) expect(result.code).toBe(code);
  });

  it('counts the partial buckets at both ends', () => {
    expect(bucketCount({ fromMs: 0, toMs: 24 * HOUR }, HOUR)).toBe(25);
    expect(bucketCount({ fromMs: 30 * 60_000, toMs: 90 * 60_000 }, HOUR)).toBe(2);
  });
});

describe('bucketOffsetMs (local midnight for daily buckets)', () => {
  it.each([
    [DAY, 480, 16 * HOUR],
    [DAY, 0, 0],
    [DAY, -300, 5 * HOUR],
    [HOUR, 480, 0],
    [HOUR, 330, 30 * 60_000],
    [7 * DAY, 480, 7 * DAY - 8 * HOUR],
  ])('interval %d ms, offset %d min → %d ms', (interval, tz, expected) => {
    expect(bucketOffsetMs(interval, tz)).toBe(expected);
  });
});

describe('formatSpan', () => {
  it.each([
    [31 * DAY, '31 d'],
    [1.5 * DAY, '1.5 d'],
    [6 * HOUR, '6 h'],
    [15 * 60_000, '15 min'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatSpan(ms)).toBe(text);
  });
});
