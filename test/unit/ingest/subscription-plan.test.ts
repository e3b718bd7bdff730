import { describe, expect, it } from 'vitest';
import { sectionFilter, sliceSections, subscriptionPlan } from '../../../platform/mqtt/ingress.js';

const ALL = ['s-e', 's-a', 's-d', 's-c', 's-b'];

describe('sliceSections', () => {
  it('deals the sorted sections round-robin, every section to exactly one slice', () => {
    expect(sliceSections(ALL, 1, 2)).toEqual(['s-a', 's-c', 's-e']);
    expect(sliceSections(ALL, 2, 2)).toEqual(['s-b', 's-d']);
    for (const n of [1, 2, 3, 5, 7]) {
      const slices = Array.from({ length: n }, (_, k) => sliceSections(ALL, k + 1, n));
      expect(slices.flat().sort()).toEqual([...ALL].sort());
    }
  });

  it('does not depend on the order the registry lists the sections in', () => {
    expect(sliceSections([...ALL].reverse(), 2, 3)).toEqual(sliceSections(ALL, 2, 3));
  });

  it('leaves a slice empty when there are more slices than sections', () => {
    expect(sliceSections(ALL, 6, 6)).toEqual([]);
  });
});

describe('subscriptionPlan', () => {
  it('puts the share-group filter on every connection', () => {
    expect(subscriptionPlan({ shareGroup: 'g', connections: 2, sections: ALL, allSections: ALL })).toEqual([
      ['$share/g/wq/+/+/readings'],
      ['$share/g/wq/+/+/readings'],
    ]);
  });

  it('uses the wildcard when one connection takes every section, so unknown sections reach the dead letters', () => {
    expect(subscriptionPlan({ shareGroup: '', connections: 1, sections: ALL, allSections: ALL })).toEqual([['wq/+/+/readings']]);
  });

  it('deals the sections over the connections, each section on exactly one', () => {
    const plan = subscriptionPlan({ shareGroup: '', connections: 2, sections: ALL, allSections: ALL });
    expect(plan).toEqual([
      ['s-a', 's-c', 's-e'].map(sectionFilter),
      ['s-b', 's-d'].map(sectionFilter),
    ]);
  });

  it('subscribes a slice by section even on one connection, and opens no more connections than sections', () => {
    const slice = sliceSections(ALL, 2, 2);
    expect(subscriptionPlan({ shareGroup: '', connections: 1, sections: slice, allSections: ALL })).toEqual([slice.map(sectionFilter)]);
    expect(subscriptionPlan({ shareGroup: '', connections: 8, sections: slice, allSections: ALL })).toEqual([
      [sectionFilter('s-b')],
      [sectionFilter('s-d')],
    ]);
  });
});
