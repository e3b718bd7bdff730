import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { buildRegistry, loadRegistryFile } from '../../../config/registry-loader.js';

const sample = () => parse(readFileSync('config/registry.yaml', 'utf8')) as Record<string, Record<string, unknown>[]>;

function problemsOf(mutate: (file: ReturnType<typeof sample>) => void): string[] {
  const file = sample();
  mutate(file);
  const result = buildRegistry(file);
  return result.ok ? [] : result.problems;
}

describe('sample registry', () => {
  it('loads: two rivers, 8–12 sections, 15–25 stations, boundary sections derived', () => {
    const registry = loadRegistryFile('config/registry.yaml');
    expect(registry.rivers.size).toBe(2);
    expect(registry.sections.size).toBeGreaterThanOrEqual(8);
    expect(registry.sections.size).toBeLessThanOrEqual(12);
    expect(registry.stations.size).toBeGreaterThanOrEqual(15);
    expect(registry.stations.size).toBeLessThanOrEqual(25);
    expect(registry.section('tp-fenhu')?.boundary).toBe(true);
    expect(registry.section('tp-gate')?.boundary).toBe(false);
    expect(registry.rivers.get('taipu')?.sectionIds[0]).toBe('th-east');
    expect(registry.section('th-east')?.waterBody).toBe('lake');
  });

  it('lead agency is the lowest common superior', () => {
    const registry = loadRegistryFile('config/registry.yaml');
    // Jiangsu–Zhejiang and Zhejiang–Shanghai boundaries: the basin body above the provinces.
    expect(registry.leadAgency(['wujiang', 'jiashan'])?.id).toBe('taihu-bureau');
    expect(registry.leadAgency(['jiashan', 'qingpu'])?.id).toBe('taihu-bureau');
    // Two counties in different prefectures of one province: the province.
    expect(registry.leadAgency(['lancang', 'menghai'])?.id).toBe('yn');
    // One party leads itself; a county and its own city: the city.
    expect(registry.leadAgency(['wujiang'])?.id).toBe('wujiang');
    expect(registry.leadAgency(['wujiang', 'suzhou'])?.id).toBe('suzhou');
    expect(registry.leadAgency(['wujiang', 'menghai'])?.id).toBe('mee');
    expect(registry.leadAgency(['nobody'])).toBeUndefined();
    expect(registry.leadAgency([])).toBeUndefined();
  });

  it('two counties of one city are led by the city', () => {
    const file = sample();
    file.agencies!.push({ id: 'kunshan', level: 'county', parent: 'suzhou', name: { zh: '昆山', en: 'Kunshan' } });
    const result = buildRegistry(file);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.registry.leadAgency(['wujiang', 'kunshan'])?.id).toBe('suzhou');
  });

  it('scoping: an agency sees its sections and its subordinates\', not its neighbours\'', () => {
    const registry = loadRegistryFile('config/registry.yaml');
    expect(registry.canSeeSection('jiashan', 'tp-fenhu')).toBe(true);
    expect(registry.canSeeSection('wujiang', 'tp-fenhu')).toBe(true);
    expect(registry.canSeeSection('qingpu', 'tp-fenhu')).toBe(false);
    expect(registry.canSeeSection('zj', 'tp-fenhu')).toBe(true);
    expect(registry.canSeeSection('yn', 'tp-fenhu')).toBe(false);
    expect(registry.canSeeSection('taihu-bureau', 'tp-jinze')).toBe(true);
  });
});

describe('a registry with mistakes is refused with every problem named', () => {
  const kinds: [string, (f: ReturnType<typeof sample>) => void, RegExp][] = [
    ['duplicate section id', (f) => f.sections!.push({ ...f.sections![1] }), /duplicate section id "tp-gate"/],
    ['duplicate station id', (f) => f.stations!.push({ ...f.stations![0] }), /duplicate station id "TH-E-01"/],
    ['unknown parent agency', (f) => (f.agencies![2]!.parent = 'atlantis'), /agency js: parent "atlantis" is not an agency/],
    ['cycle in the agency tree', (f) => (f.agencies![0]!.parent = 'wujiang'), /agencies form a cycle/],
    ['unknown river', (f) => (f.sections![0]!.river = 'yangtze'), /section th-east: river "yangtze" is not a river/],
    ['unknown agency on a section', (f) => (f.sections![1]!.agency = 'nowhere'), /section tp-gate: agency "nowhere" is not an agency/],
    ['boundary with one agency on both sides', (f) => (f.sections![3]!.agencies = { upstream: 'wujiang', downstream: 'wujiang' }), /boundary section has the same agency "wujiang" on both sides/],
    ['station on a missing section', (f) => (f.stations![0]!.section = 'tp-ghost'), /station TH-E-01: section "tp-ghost" is not a section/],
    ['unknown downstream section', (f) => (f.sections![6]!.downstream = { section: 'tp-sea', distanceKm: 3, velocityMps: 0.4 }), /downstream section "tp-sea" is not a section/],
    ['cycle in a river', (f) => (f.sections![6]!.downstream = { section: 'tp-gate', distanceKm: 3, velocityMps: 0.4 }), /sections form a cycle|not further from the source/],
    ['unknown parameter on a station', (f) => (f.stations![0]!.parameters = ['ph', 'chlorophyll']), /parameter "chlorophyll" is unknown/],
    ['duplicate HJ 212 MN', (f) => (f.stations![1]!.hj212 = f.stations![0]!.hj212), /HJ 212 MN .* is also used by station TH-E-01/],
    ['schema: target class out of range', (f) => (f.sections![0]!.targetClass = 'VI'), /targetClass/],
  ];
  it.each(kinds)('%s', (_name, mutate, expected) => {
    const problems = problemsOf(mutate);
    expect(problems.join('\n')).toMatch(expected);
  });

  it('lists several mistakes at once', () => {
    const problems = problemsOf((f) => {
      f.sections!.push({ ...f.sections![1] });
      f.stations![0]!.section = 'tp-ghost';
      f.sections![3]!.agencies = { upstream: 'jiashan', downstream: 'jiashan' };
      f.agencies![2]!.parent = 'atlantis';
      f.sections![0]!.river = 'yangtze';
    });
    expect(problems.length).toBeGreaterThanOrEqual(5);
  });

  it('the file loader names the file and each problem', () => {
    expect(() => loadRegistryFile('config/does-not-exist.yaml')).toThrow(/cannot read registry file config\/does-not-exist.yaml/);
  });
});
