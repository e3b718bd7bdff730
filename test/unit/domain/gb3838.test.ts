import { describe, expect, it } from 'vitest';
import { classOfSet, classOfValue, exceedanceMultiple, isClassParameter, limitFor, meetsLimit, type WaterClass } from '../../../domain/gb3838.js';

describe('GB 3838-2002 class of one value', () => {
  // Worked examples of shared/reference/domain-facts.md §1.2, and limits exactly reached (on a limit = that class).
  const cases: [string, number, 'river' | 'lake', WaterClass | undefined][] = [
    ['nh3n', 1.2, 'river', 4],
    ['tp', 0.118, 'river', 3],
    ['do', 4.2, 'river', 4],
    ['codmn', 3.4, 'river', 2],
    ['nh3n', 2.6, 'river', 6],
    ['nh3n', 0.15, 'river', 1],
    ['nh3n', 0.1500001, 'river', 2],
    ['nh3n', 2.0, 'river', 5],
    ['nh3n', 2.0000001, 'river', 6],
    ['do', 7.5, 'river', 1],
    ['do', 7.49, 'river', 2],
    ['do', 2, 'river', 5],
    ['do', 1.99, 'river', 6],
    ['tp', 0.1, 'river', 2],
    ['tp', 0.1, 'lake', 4],
    ['tp', 0.05, 'lake', 3],
    ['tp', 0.2, 'lake', 5],
    ['tp', 0.21, 'lake', 6],
    ['tn', 1.0, 'lake', 3],
    ['codmn', 15, 'river', 5],
    ['codmn', 15.1, 'river', 6],
    ['ph', 6, 'river', 1],
    ['ph', 9, 'river', 1],
    ['ph', 5.99, 'river', 6],
    ['ph', 9.01, 'river', 6],
    ['temp', 30, 'river', undefined],
    ['cond', 900, 'river', undefined],
    ['turb', 300, 'river', undefined],
  ];
  it.each(cases)('%s = %s (%s) → class %s', (key, value, body, expected) => {
    expect(classOfValue(key, value, body)).toBe(expected);
  });
});

describe('participating parameters', () => {
  it('TN counts for lakes only; temperature, conductivity and turbidity never', () => {
    expect(isClassParameter('tn', 'river')).toBe(false);
    expect(isClassParameter('tn', 'lake')).toBe(true);
    for (const key of ['temp', 'cond', 'turb']) expect(isClassParameter(key, 'lake')).toBe(false);
    for (const key of ['ph', 'do', 'codmn', 'nh3n', 'tp']) expect(isClassParameter(key, 'river')).toBe(true);
  });
});

describe('class of a set (single factor)', () => {
  it('the worst participating value decides; TN ignored in a river', () => {
    const result = classOfSet({ ph: 7.4, do: 6.8, codmn: 3.1, nh3n: 1.2, tp: 0.081, tn: 5, temp: 18 }, 'river');
    expect(result.cls).toBe(4);
    expect(result.deciding).toEqual(['nh3n']);
  });
  it('TN decides in a lake when it is worst', () => {
    expect(classOfSet({ do: 8, tn: 1.4, tp: 0.02 }, 'lake')).toMatchObject({ cls: 4, deciding: ['tn'] });
  });
  it('several parameters at the worst class are all deciding; none participating gives undefined', () => {
    expect(classOfSet({ nh3n: 2.5, ph: 10 }, 'river')).toMatchObject({ cls: 6, deciding: ['nh3n', 'ph'] });
    expect(classOfSet({ temp: 20, cond: 300 }, 'river').cls).toBeUndefined();
  });
});

describe('exceedance multiple and limits', () => {
  it('NH3-N 2.6 against class III is 1.6; within the limit is 0; DO and pH have none', () => {
    expect(exceedanceMultiple('nh3n', 2.6, 3, 'river')).toBeCloseTo(1.6, 10);
    expect(exceedanceMultiple('nh3n', 0.9, 3, 'river')).toBe(0);
    expect(exceedanceMultiple('do', 1, 3, 'river')).toBeUndefined();
    expect(exceedanceMultiple('ph', 11, 3, 'river')).toBeUndefined();
    expect(exceedanceMultiple('tp', 0.1, 3, 'lake')).toBeCloseTo(1, 10);
  });
  it('limitFor gives bound direction; meetsLimit treats the limit itself as met', () => {
    const doLimit = limitFor('do', 3, 'river');
    expect(doLimit).toEqual({ kind: 'lower', value: 5 });
    expect(meetsLimit(5, doLimit!)).toBe(true);
    expect(meetsLimit(4.99, doLimit!)).toBe(false);
    expect(limitFor('ph', 2, 'river')).toEqual({ kind: 'range', min: 6, max: 9 });
    expect(limitFor('cond', 3, 'river')).toBeUndefined();
  });
});
