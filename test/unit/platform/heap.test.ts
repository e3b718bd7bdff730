import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { limitHeapGrowth } from '../../../platform/heap.js';

describe('limitHeapGrowth (RW_HEAP_GROWTH_PERCENT)', () => {
  it('sets V8’s heap growing percentage, leaves V8 alone at 0 and refuses nonsense', () => {
    const flags: string[] = [];
    limitHeapGrowth(50, (f) => flags.push(f));
    limitHeapGrowth(0, (f) => flags.push(f));
    expect(flags).toEqual(['--heap-growing-percent=50']);
    expect(() => limitHeapGrowth(-1, () => undefined)).toThrow(RangeError);
    expect(() => limitHeapGrowth(1.5, () => undefined)).toThrow(RangeError);
  });

  it('set in a running process, it bounds the heap a churn of short-lived objects grows to', () => {
    const peak = (percent: number) =>
      (JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', 'test/unit/platform/heap-growth-child.ts', String(percent)], { encoding: 'utf8' })) as { peakHeapMb: number }).peakHeapMb;
    const free = peak(0);
    const limited = peak(30);
    // Seen on the 2-core machine: ~390–420 MB left to V8, ~170–190 MB at 30 %.
    expect(limited).toBeLessThan(free * 0.75);
  }, 60_000);
});
