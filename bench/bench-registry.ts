/** A synthetic registry for benchmarks: one river of `sections` sections and `stations` stations on them. */
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';

export function writeBenchRegistry(path: string, stations: number, sections = 100): void {
  const registry = {
    agencies: [
      { id: 'bench-province', level: 'province', name: { zh: '基准省', en: 'Bench province' } },
      { id: 'bench-a', level: 'county', parent: 'bench-province', name: { zh: '甲县', en: 'County A' } },
      { id: 'bench-b', level: 'county', parent: 'bench-province', name: { zh: '乙县', en: 'County B' } },
    ],
    rivers: [{ id: 'bench-river', name: { zh: '基准河', en: 'Bench river' } }],
    sections: Array.from({ length: sections }, (_, i) => ({
      id: `bench-s${i}`,
      river: 'bench-river',
      name: { zh: `断面${i}`, en: `Section ${i}` },
      positionKm: i * 5,
      coordinates: { lat: 30, lon: 120 + i / 100 },
      targetClass: 'III',
      ...(i === 50 ? { agencies: { upstream: 'bench-a', downstream: 'bench-b' } } : { agency: i < 50 ? 'bench-a' : 'bench-b' }),
      ...(i + 1 < sections ? { downstream: { section: `bench-s${i + 1}`, distanceKm: 5, velocityMps: 0.5 } } : {}),
    })),
    stations: Array.from({ length: stations }, (_, i) => ({
      id: `BENCH-${i}`,
      section: `bench-s${i % sections}`,
      parameters: ['temp', 'ph', 'do', 'cond', 'turb', 'codmn', 'nh3n', 'tp', 'tn'],
      samplingIntervalS: 60,
      hj212: { mn: `BENCH${String(i).padStart(19, '0')}`, password: '123456' },
    })),
  };
  writeFileSync(path, stringify(registry));
}
