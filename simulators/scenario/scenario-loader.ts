/**
 * Reads a scenario file (YAML or JSON) and checks it against the schema.
 * Returns a result listing every problem rather than throwing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { Value } from 'typebox/value';
import { ScenarioSchema, type Scenario } from './scenario-schema.js';

export type ScenarioResult = { ok: true; scenario: Scenario } | { ok: false; problems: string[] };

/** Folder of the scenarios shipped with RiverWatch (calm-week, taipu-spill, ...). */
export function shippedScenariosDir(): string {
  return fileURLToPath(new URL('../scenarios/', import.meta.url));
}

/** Checks parsed scenario data. */
export function parseScenario(raw: unknown): ScenarioResult {
  if (!Value.Check(ScenarioSchema, raw)) {
    const problems = [...Value.Errors(ScenarioSchema, raw)].slice(0, 30).map((e) => `${e.instancePath || '/'}: ${e.message}`);
    return { ok: false, problems };
  }
  return { ok: true, scenario: raw };
}

/** Parses scenario text (YAML, of which JSON is a subset). */
export function parseScenarioText(text: string): ScenarioResult {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    return { ok: false, problems: [`not valid YAML: ${(err as Error).message}`] };
  }
  return parseScenario(raw ?? {});
}

/**
 * A scenario by path, or by the name of a shipped one (`demo`,
 * `taipu-spill`, ...).
 */
export function resolveScenarioPath(nameOrPath: string): string {
  if (existsSync(nameOrPath)) return nameOrPath;
  const shipped = join(shippedScenariosDir(), nameOrPath.endsWith('.yaml') ? nameOrPath : `${nameOrPath}.yaml`);
  return existsSync(shipped) ? shipped : nameOrPath;
}

/** Reads and checks a scenario file. */
export function loadScenarioFile(nameOrPath: string): ScenarioResult {
  const path = resolveScenarioPath(nameOrPath);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return {
      ok: false,
      problems: [`cannot read scenario "${nameOrPath}": ${(err as Error).message} (give a path or one of the shipped names)`],
    };
  }
  const result = parseScenarioText(text);
  return result.ok ? result : { ok: false, problems: result.problems.map((p) => `${path}: ${p}`) };
}
