import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, parseAnalyticsOptions, resolveSectionOptions } from '../../../analytics/index.js';

describe('analytics options', () => {
  it('accepts nothing at all and a nested override', () => {
    expect(parseAnalyticsOptions(undefined).ok).toBe(true);
    const r = parseAnalyticsOptions({
      threshold: { raiseCount: 3 },
      parameters: { tn: { threshold: { outsideClass: true } } },
      sections: { s1: { upstream: { dispersionM2s: 120 }, parameters: { nh3n: { threshold: { earlyWarningFraction: 0.7 } } } } },
      suddenChange: { detector: { outlierThreshold: 2 } },
    });
    expect(r.ok).toBe(true);
  });

  it('reports every bad key at once', () => {
    const r = parseAnalyticsOptions({
      threshhold: {},
      trend: { alpha: 2 },
      sections: { s1: { parameters: { nh3n: { threshold: { raiseCount: 0 } } } } },
    });
    expect(r.ok).toBe(false);
    const problems = r.ok ? [] : r.problems.join('\n');
    expect(problems).toMatch(/threshhold/);
    expect(problems).toMatch(/\/trend\/alpha/);
    expect(problems).toMatch(/\/sections\/s1\/parameters\/nh3n\/threshold\/raiseCount/);
  });

  it("hands the sudden-change detector's own options to its checker", () => {
    const r = parseAnalyticsOptions({ suddenChange: { detector: { noSuchOption: 1 } } });
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.problems.join()).toMatch(/noSuchOption/);
  });

  it('applies overrides in order: defaults < top < parameter < section < section parameter', () => {
    const input = {
      threshold: { raiseCount: 3, clearCount: 4 },
      parameters: { nh3n: { threshold: { raiseCount: 4, earlyWarningFraction: 0.7 } } },
      sections: {
        s1: {
          threshold: { raiseCount: 5 },
          offline: { intervals: 6 },
          parameters: { nh3n: { threshold: { earlyWarningFraction: 0.6 } } },
        },
      },
    };
    const s1 = resolveSectionOptions(input, 's1');
    const s2 = resolveSectionOptions(input, 's2');
    expect(s2.parameter('ph').threshold).toMatchObject({
      raiseCount: 3,
      clearCount: 4,
      earlyWarningFraction: DEFAULT_OPTIONS.threshold.earlyWarningFraction,
    });
    expect(s2.parameter('nh3n').threshold).toMatchObject({ raiseCount: 4, earlyWarningFraction: 0.7 });
    expect(s1.parameter('nh3n').threshold).toMatchObject({ raiseCount: 5, clearCount: 4, earlyWarningFraction: 0.6 });
    expect(s1.parameter('ph').threshold.raiseCount).toBe(5);
    expect(s1.offline.intervals).toBe(6);
    expect(s2.offline.intervals).toBe(DEFAULT_OPTIONS.offline.intervals);
  });

  it('built-in parameter defaults sit under anything configured (flat line on 4-h analyzer parameters)', () => {
    expect(resolveSectionOptions(undefined, 's').parameter('nh3n').flatLine.minDurationMs).toBe(48 * 3_600_000);
    expect(resolveSectionOptions(undefined, 's').parameter('do').threshold.earlyWarningFraction).toBe(0.9);
    const configured = { parameters: { do: { threshold: { earlyWarningFraction: 0.8 } } } };
    expect(resolveSectionOptions(configured, 's').parameter('do').threshold.earlyWarningFraction).toBe(0.8);
    // DO has its own built-in flat-line minimum (6 h: it follows a daily cycle), shorter than the general one.
    expect(resolveSectionOptions(undefined, 's').parameter('do').flatLine.minDurationMs).toBe(
      6 * 3_600_000,
    );
    expect(resolveSectionOptions({ flatLine: { minDurationMs: 3_600_000 } }, 's').parameter('nh3n').flatLine.minDurationMs).toBe(
      3_600_000,
    );
  });

  it('docs/analytics.md lists every option with its default', () => {
    const doc = readFileSync(fileURLToPath(new URL('../../../docs/analytics.md', import.meta.url)), 'utf8');
    const rows = new Map<string, string>();
    for (const m of doc.matchAll(/^\|\s*`([a-zA-Z]+\.[a-zA-Z0-9]+)`\s*\|\s*`([^`]*)`\s*\|/gm))
      rows.set(m[1] as string, m[2] as string);
    const flat: [string, unknown][] = Object.entries(DEFAULT_OPTIONS).flatMap(([group, values]) =>
      Object.entries(values as Record<string, unknown>).map(([k, v]) => [`${group}.${k}`, v] as [string, unknown]),
    );
    expect(flat.length).toBeGreaterThan(50);
    for (const [key, value] of flat) {
      expect(rows.has(key), `${key} missing from docs/analytics.md`).toBe(true);
      expect(JSON.parse((rows.get(key) as string).replace(/, /g, ',')), key).toEqual(value);
    }
    expect(rows.get('flatLine.ignoreAtOrBelow')).toBe('none');
    expect(rows.size).toBe(flat.length + 1);
  });
});
