/** Issue 13 §3: rain runoff or pollution, from the pattern of a sudden change. */
import { describe, expect, it } from 'vitest';
import { looksLikeRecovery, looksLikeRunoff } from '../../../analytics/runoff.js';

const base = { turb: 12, cond: 420, nh3n: 0.35 };
const event = (parameters: string[]) => ({ startTs: 0, parameters, score: 6, baseline: base });

describe('looksLikeRunoff', () => {
  it.each([
    ['turbidity up, conductivity diluted', ['cond', 'turb'], { turb: 60, cond: 330 }, true],
    ['turbidity up, conductivity not moving', ['turb'], { turb: 60, cond: 425 }, true],
    ['turbidity up, conductivity up too (dissolved load: a spill)', ['cond', 'turb'], { turb: 60, cond: 720 }, false],
    ['turbidity up with ammonia moving', ['nh3n', 'turb'], { turb: 60, nh3n: 2.6 }, false],
    ['turbidity down (settling, not wash-in)', ['turb'], { turb: 4 }, false],
    ['conductivity diluted before turbidity moves (dilution alone)', ['cond', 'ph'], { cond: 383 }, true],
    ['neither wash-in nor dilution (pH and DO only)', ['ph', 'do'], {}, false],
    ['conductivity moving but not reported now', ['cond', 'turb'], { turb: 60 }, false],
  ] as const)('%s → %s', (_name, parameters, latest, expected) => {
    const values: Record<string, number> = { ...base, ...latest };
    if (!('cond' in latest) && parameters.includes('cond' as never)) delete values.cond;
    expect(looksLikeRunoff(event([...parameters]), (k) => values[k])).toBe(expected);
  });
});

describe('looksLikeRecovery (after a runoff notice)', () => {
  const ev = (parameters: string[], baseline: Record<string, number>) => ({ startTs: 0, parameters, score: 3, baseline });
  it.each([
    ['conductivity back up 2.4 % over the diluted baseline, pH settling', ['cond', 'ph'], { cond: 383 }, { cond: 374 }, true],
    ['DO and pH settling, conductivity still', ['do', 'ph'], {}, {}, true],
    ['conductivity 30 % above baseline: dissolved load, not recovery', ['cond', 'ph'], { cond: 490 }, { cond: 374 }, false],
    ['ammonia moving: a pollution marker', ['nh3n', 'ph'], { nh3n: 1.4 }, { nh3n: 0.3 }, false],
  ] as const)('%s → %s', (_name, parameters, latest, baseline, expected) => {
    const values: Record<string, number> = { ...latest };
    expect(looksLikeRecovery(ev([...parameters], { ...baseline }), (k) => values[k])).toBe(expected);
  });
});
