/**
 * The evaluation station's configuration: the parameter extension file
 * (config/eval/gecco-parameters.yaml) loaded into a ParameterTable next to the
 * canonical parameters, the evaluation registry validated like any registry,
 * and from both the detector's signal list (key, precision, role) and the CSV
 * column of each signal. Nothing about GECCO lives in the detectors.
 */
import { readFileSync } from 'node:fs';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { parse as parseYaml } from 'yaml';
import { loadRegistryFile } from '../config/registry-loader.js';
import {
  AppError,
  CANONICAL_PARAMETERS,
  ParameterTable,
  type ParameterSpec,
  type Registry,
  type Station,
} from '../domain/index.js';
import type { SignalSpec } from '../analytics/detectors/sudden-change.js';
import { ParameterEntrySchema } from '../config/parameters-file.js';

// The evaluation's extra parameters use the same entry schema as RW_PARAMETERS_FILE.
const ParameterSpecFile = ParameterEntrySchema;

const SignalFile = Type.Object(
  {
    key: Type.String({ minLength: 1 }),
    column: Type.String({ minLength: 1 }),
    role: Type.Union([Type.Literal('quality'), Type.Literal('context')]),
  },
  { additionalProperties: false },
);

/** Schema of the parameter extension file. */
export const ParameterExtensionSchema = Type.Object(
  { parameters: Type.Array(ParameterSpecFile), signals: Type.Array(SignalFile, { minItems: 1 }) },
  { additionalProperties: false },
);
export type ParameterExtension = Static<typeof ParameterExtensionSchema>;

/** A detector signal with the CSV column it is read from. */
export interface EvalSignal extends SignalSpec {
  readonly column: string;
}

export interface EvalStationConfig {
  readonly registry: Registry;
  readonly parameters: ParameterTable;
  readonly station: Station;
  readonly signals: readonly EvalSignal[];
}

/** Reads and validates the parameter extension file; throws listing every problem. */
export function loadParameterExtension(path: string): ParameterExtension {
  const raw: unknown = parseYaml(readFileSync(path, 'utf8'));
  if (!Value.Check(ParameterExtensionSchema, raw)) {
    const problems = [...Value.Errors(ParameterExtensionSchema, raw)]
      .slice(0, 20)
      .map((e) => `${e.instancePath || '/'}: ${e.message}`);
    throw new AppError('RW_CONFIG_INVALID', `parameter extension ${path}:\n  - ${problems.join('\n  - ')}`, {
      details: problems,
    });
  }
  return raw;
}

/**
 * Loads the evaluation registry with the extension's parameters and resolves
 * the station's signals: every station parameter needs a `signals` entry.
 */
export function loadEvalStation(registryPath: string, extensionPath: string, stationId: string): EvalStationConfig {
  const ext = loadParameterExtension(extensionPath);
  const parameters = new ParameterTable([...CANONICAL_PARAMETERS, ...(ext.parameters as ParameterSpec[])]);
  const registry = loadRegistryFile(registryPath, parameters);
  const station = registry.station(stationId);
  if (!station) throw new AppError('RW_REGISTRY_INVALID', `evaluation registry ${registryPath} has no station ${stationId}`);
  const byKey = new Map(ext.signals.map((s) => [s.key, s]));
  const problems: string[] = [];
  const signals: EvalSignal[] = [];
  for (const key of station.parameters) {
    const sig = byKey.get(key);
    const spec = parameters.get(key);
    if (!sig || !spec) {
      problems.push(`station ${stationId}: parameter ${key} has no signal entry in ${extensionPath}`);
      continue;
    }
    signals.push({ key, precision: spec.precision, role: sig.role, column: sig.column });
  }
  if (problems.length > 0) throw new AppError('RW_CONFIG_INVALID', problems.join('\n'), { details: problems });
  return { registry, parameters, station, signals };
}
