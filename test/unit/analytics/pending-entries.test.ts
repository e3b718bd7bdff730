import { describe, expect, it } from 'vitest';
import { entryKeyOf, PendingEntries } from '../../../analytics/pending-entries.js';

const entry = (partition: number, id: string) => ({ partition, id, readings: [] });

describe('PendingEntries', () => {
  it('keeps two partitions’ entries of the same stream id apart (both streams hand out ms-0 in one millisecond)', () => {
    const pending = new PendingEntries();
    const a = entry(0, '1700000000000-0');
    const b = entry(1, '1700000000000-0');
    pending.add(a, 2, 0);
    pending.add(b, 1, 0);
    pending.analysed(entryKeyOf(b), 1);
    expect(pending.covered()).toEqual([b]);
    pending.analysed(entryKeyOf(a), 2);
    expect(pending.covered()).toEqual([b]);
    pending.analysed(entryKeyOf(a), 3);
    expect(pending.covered()).toEqual([a, b]);
    pending.acknowledged([a]);
    expect(pending.covered()).toEqual([b]);
  });

  it('covers an entry only once every reading of it is analysed', () => {
    const pending = new PendingEntries();
    const a = entry(0, '1-0');
    pending.add(a, 3, 0);
    pending.analysed(entryKeyOf(a), 1);
    pending.analysed(entryKeyOf(a), 1);
    expect(pending.covered()).toEqual([]);
    pending.analysed(entryKeyOf(a), 1);
    expect(pending.covered()).toEqual([a]);
  });

  it('keeps only the partition and id of an entry, not its readings (a backlog would be held twice)', () => {
    const pending = new PendingEntries();
    const reading = { stationId: 'S1', sectionId: 'X', ts: 1, values: { ph: 7 }, flags: {}, source: 'mqtt' as const, receivedAt: 1 };
    pending.add({ partition: 2, id: '5-0', readings: [reading] }, 0, 0);
    expect(pending.covered()).toEqual([{ partition: 2, id: '5-0', readings: [] }]);
  });

  it('holds an entry from its add until it is acknowledged', () => {
    const pending = new PendingEntries();
    const a = entry(0, '1-0');
    expect(pending.holds(entryKeyOf(a))).toBe(false);
    pending.add(a, 1, 0);
    expect(pending.holds(entryKeyOf(a))).toBe(true);
    pending.analysed(entryKeyOf(a), 1);
    expect(pending.holds(entryKeyOf(a))).toBe(true);
    pending.acknowledged([a]);
    expect(pending.holds(entryKeyOf(a))).toBe(false);
  });
});
