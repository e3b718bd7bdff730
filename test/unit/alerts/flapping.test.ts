import { describe, expect, it } from 'vitest';
import { flapCycles, isFlapping } from '../../../alerts/alarms/flapping.js';

const MIN = 60_000;
const cycles = (n: number, everyMs: number, start = 0) =>
  Array.from({ length: n }, (_, i) => [
    { type: 'reraised' as const, at: start + i * everyMs },
    { type: 'cleared' as const, at: start + i * everyMs + everyMs / 2 },
  ]).flat();

describe('flapping', () => {
  it.each([
    ['3 cycles in 30 min', cycles(3, 10 * MIN), 60 * MIN, 3, false],
    ['4 cycles in 40 min', cycles(4, 10 * MIN), 60 * MIN, 4, true],
    ['4 cycles, but 2 of them over an hour ago', cycles(4, 25 * MIN), 101 * MIN, 2, false],
    ['no history', [], 0, 0, false],
  ])('%s', (_name, history, now, n, flapping) => {
    expect(flapCycles(history, now, 60 * MIN)).toBe(n);
    expect(isFlapping(history, now)).toBe(flapping);
  });
});
