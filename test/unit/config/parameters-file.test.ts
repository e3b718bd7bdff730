import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadRegistryFile } from '../../../config/index.js';
import { loadParameterTable, parseParametersFile } from '../../../config/parameters-file.js';
import { AppError } from '../../../domain/index.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const redox = {
  key: 'redox',
  nameZh: '氧化还原电位',
  nameEn: 'Redox potential',
  unit: 'mV',
  hj212Code: 'x-redox',
  plausibleMin: -1000,
  plausibleMax: 1500,
  precision: 1,
  limitKind: 'none',
};

describe('parseParametersFile', () => {
  it.each([
    { name: 'an extra parameter', raw: { parameters: [redox] }, ok: true, keys: 10 },
    {
      name: 'a canonical key replaced (same HJ 212 code)',
      raw: { parameters: [{ ...redox, key: 'turb', hj212Code: 'w01003', precision: 0.001 }] },
      ok: true,
      keys: 9,
    },
    { name: 'other top-level keys are left alone', raw: { parameters: [], signals: [{ key: 'x' }] }, ok: true, keys: 9 },
    { name: 'no parameters list', raw: {}, ok: false },
    { name: 'unknown field in an entry', raw: { parameters: [{ ...redox, colour: 'red' }] }, ok: false },
    { name: 'key listed twice', raw: { parameters: [redox, { ...redox, hj212Code: 'x-2' }] }, ok: false },
    { name: 'HJ 212 code of another parameter', raw: { parameters: [{ ...redox, hj212Code: 'w01001' }] }, ok: false },
    { name: 'empty plausible range', raw: { parameters: [{ ...redox, plausibleMin: 5, plausibleMax: 5 }] }, ok: false },
    { name: 'precision 0', raw: { parameters: [{ ...redox, precision: 0 }] }, ok: false },
  ])('$name', ({ raw, ok, keys }) => {
    const r = parseParametersFile(raw);
    expect(r.ok).toBe(ok);
    if (r.ok) expect(r.specs.length).toBe(keys);
    else expect(r.problems.length).toBeGreaterThan(0);
  });
});

describe('loadParameterTable', () => {
  it('gives the canonical table for an empty path', () => {
    expect(loadParameterTable('').keys()).toEqual(['temp', 'ph', 'do', 'cond', 'turb', 'codmn', 'nh3n', 'tp', 'tn']);
  });

  it('lets the GECCO evaluation registry load, which the canonical table refuses', () => {
    const registryPath = resolve(ROOT, 'config/eval/gecco-registry.yaml');
    expect(() => loadRegistryFile(registryPath)).toThrow(/unknown/);
    const table = loadParameterTable(resolve(ROOT, 'config/eval/gecco-parameters.yaml'));
    expect(table.get('turb')?.precision).toBe(0.001);
    expect(loadRegistryFile(registryPath, table).station('GECCO-01')?.parameters).toContain('clo2_1');
  });

  it('lists every problem of a bad file in one error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rw-params-'));
    const path = join(dir, 'p.yaml');
    writeFileSync(
      path,
      JSON.stringify({
        parameters: [
          { ...redox, hj212Code: 'w01001' },
          { ...redox, hj212Code: 'x-2' },
        ],
      }),
    );
    try {
      loadParameterTable(path);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('RW_CONFIG_INVALID');
      expect((err as Error).message).toMatch(/listed twice/);
      expect((err as Error).message).toMatch(/w01001/);
    }
  });
});
