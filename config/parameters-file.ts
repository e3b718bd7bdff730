/**
 * Parameters beyond the nine canonical ones (DESIGN.md: "More parameters may
 * be added in configuration"): a YAML/JSON file whose `parameters` list holds
 * `ParameterSpec` entries (domain/parameters.ts). An entry with a canonical
 * key replaces that key's spec (e.g. a drinking-water turbidimeter's finer
 * precision). Other top-level keys are left to the tools that read the same
 * file (config/eval/gecco-parameters.yaml also holds the evaluation's
 * `signals`).
 *
 * Not wired into the running pipeline yet: bin/context.ts builds
 * `new ParameterTable()` (canonical only). The proposed wiring is a setting
 * `RW_PARAMETERS_FILE` (config.parametersFile, empty = canonical only) and
 * `const parameters = loadParameterTable(config.parametersFile)` before
 * `loadRegistryFile(config.registryFile, parameters)`; see docs/evaluation.md.
 */
import { readFileSync } from 'node:fs';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { parse as parseYaml } from 'yaml';
import { AppError, CANONICAL_PARAMETERS, ParameterTable, type ParameterSpec } from '../domain/index.js';

/** One added parameter (domain/parameters.ts ParameterSpec). */
export const ParameterEntrySchema = Type.Object(
  {
    key: Type.String({ minLength: 1, maxLength: 32, pattern: '^[a-z][a-z0-9_]*$' }),
    nameZh: Type.String({ minLength: 1 }),
    nameEn: Type.String({ minLength: 1 }),
    unit: Type.String(),
    hj212Code: Type.String({ minLength: 1 }),
    plausibleMin: Type.Number(),
    plausibleMax: Type.Number(),
    precision: Type.Number({ exclusiveMinimum: 0 }),
    limitKind: Type.Union([Type.Literal('upper'), Type.Literal('lower'), Type.Literal('range'), Type.Literal('none')]),
  },
  { additionalProperties: false },
);

/** The part of a parameters file this module reads. */
export const ParametersFileSchema = Type.Object({ parameters: Type.Array(ParameterEntrySchema) });
export type ParametersFile = Static<typeof ParametersFileSchema>;

export type ParametersResult = { ok: true; specs: ParameterSpec[] } | { ok: false; problems: string[] };

/**
 * Checks parsed file content: the schema, plausible ranges, and that keys and
 * HJ 212 codes stay unique in the resulting table. Never throws.
 */
export function parseParametersFile(raw: unknown): ParametersResult {
  if (!Value.Check(ParametersFileSchema, raw)) {
    return {
      ok: false,
      problems: [...Value.Errors(ParametersFileSchema, raw)].slice(0, 30).map((e) => `${e.instancePath || '/'}: ${e.message}`),
    };
  }
  const problems: string[] = [];
  const extra = raw.parameters as ParameterSpec[];
  const keys = new Set<string>();
  extra.forEach((p, i) => {
    if (keys.has(p.key)) problems.push(`/parameters/${i}: key "${p.key}" listed twice`);
    keys.add(p.key);
    if (!(p.plausibleMin < p.plausibleMax)) problems.push(`/parameters/${i} (${p.key}): plausibleMin must be below plausibleMax`);
  });
  // The table keeps the last spec per key: canonical entries replaced by the file drop out first.
  const specs = [...CANONICAL_PARAMETERS.filter((c) => !keys.has(c.key)), ...extra];
  const codes = new Map<string, string>();
  for (const s of specs) {
    const other = codes.get(s.hj212Code);
    if (other !== undefined) problems.push(`parameter "${s.key}": HJ 212 code ${s.hj212Code} is already used by "${other}"`);
    codes.set(s.hj212Code, s.key);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, specs };
}

/**
 * The parameter table for a process: canonical parameters plus the file's
 * (an empty path gives the canonical table). Throws `RW_CONFIG_INVALID`
 * listing every problem, as the registry loader does.
 */
export function loadParameterTable(path: string): ParameterTable {
  if (!path) return new ParameterTable();
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new AppError('RW_CONFIG_INVALID', `cannot read parameters file ${path}: ${(err as Error).message}`, { cause: err });
  }
  const result = parseParametersFile(raw ?? {});
  if (!result.ok) {
    throw new AppError('RW_CONFIG_INVALID', `parameters file ${path}:\n  - ${result.problems.join('\n  - ')}`, {
      details: result.problems,
    });
  }
  return new ParameterTable(result.specs);
}
