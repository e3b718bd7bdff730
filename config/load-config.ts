/**
 * loadConfig(env): pure; builds the configuration from environment variables,
 * applies defaults, validates once and reports every bad key at once with
 * what to do. Nothing else in RiverWatch reads process.env.
 */
import { Value } from 'typebox/value';
import { AppError } from '../domain/index.js';
import { redisSettingProblems } from './redis-topology.js';
import { ConfigSchema, configLeaves, type Config, type ConfigLeaf } from './schema.js';

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

/** Validates the environment; returns every problem instead of throwing. */
export function parseConfig(env: Readonly<Record<string, string | undefined>>): ConfigResult {
  const problems: string[] = [];
  const raw: Record<string, unknown> = {};
  const leaves = configLeaves();
  for (const leaf of leaves) {
    const text = env[leaf.env];
    if (text === undefined) continue;
    const value = convert(leaf, text);
    if (value === undefined) {
      problems.push(`${leaf.env}="${text}": ${expectation(leaf)}. ${leaf.description}`);
      continue;
    }
    setPath(raw, leaf.path, value);
  }
  // Each leaf is checked on its own: one line per bad key, and no key hides another's problem.
  for (const leaf of leaves) {
    const text = env[leaf.env];
    if (text === undefined) continue;
    const value = getPath(raw, leaf.path);
    if (value !== undefined && !Value.Check(leaf.schema, value)) problems.push(`${leaf.env}="${text}": ${expectation(leaf)}. ${leaf.description}`);
  }
  const withDefaults = Value.Default(ConfigSchema, raw);
  if (problems.length === 0 && !Value.Check(ConfigSchema, withDefaults)) {
    for (const error of Value.Errors(ConfigSchema, withDefaults)) problems.push(`${error.instancePath || '/'}: ${error.message}`);
  }
  crossChecks(withDefaults as Config, problems);
  if (problems.length > 0) return { ok: false, problems: [...new Set(problems)] };
  return { ok: true, config: withDefaults as Config };
}

/** Like parseConfig, but throws `RW_CONFIG_INVALID` listing every problem. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const result = parseConfig(env);
  if (!result.ok) {
    throw new AppError('RW_CONFIG_INVALID', `configuration has ${result.problems.length} problem(s):\n  - ${result.problems.join('\n  - ')}\nSee .env.example for every setting.`, {
      details: result.problems,
    });
  }
  return result.config;
}

function crossChecks(config: Config, problems: string[]): void {
  problems.push(...redisSettingProblems(config.redis));
  if (config.influx.url !== '' && config.influx.api === 'v2') {
    if (config.influx.org === '') problems.push('RW_INFLUX_ORG: required when RW_INFLUX_API=v2. Set the organisation that owns the bucket.');
    if (config.influx.token === '') problems.push('RW_INFLUX_TOKEN: required when RW_INFLUX_API=v2. Create a token with write access to the bucket.');
  }
  const known = new Set(['ingest', 'store', 'analytics', 'alerts', 'api', 'hj212']);
  for (const role of config.start.roles.split(',').map((r) => r.trim()).filter(Boolean)) {
    if (!known.has(role)) problems.push(`RW_ROLES: unknown role "${role}" (known: ${[...known].join(', ')}).`);
  }
}

function convert(leaf: ConfigLeaf, text: string): unknown {
  const type = (leaf.schema as { type?: string }).type;
  if (type === 'integer' || type === 'number') {
    if (text.trim() === '') return undefined;
    const n = Number(text);
    return Number.isFinite(n) ? n : undefined;
  }
  if (type === 'boolean') {
    if (/^(1|true|yes|on)$/i.test(text)) return true;
    if (/^(0|false|no|off)$/i.test(text)) return false;
    return undefined;
  }
  return text;
}

function expectation(leaf: ConfigLeaf): string {
  const s = leaf.schema as { type?: string; minimum?: number; maximum?: number; anyOf?: { const?: unknown }[] };
  if (s.anyOf) return `expected one of ${s.anyOf.map((a) => String(a.const)).join(', ')}`;
  if (s.type === 'integer') return `expected a whole number from ${s.minimum} to ${s.maximum}`;
  if ((s as { pattern?: string }).pattern) return `expected text matching ${(s as { pattern?: string }).pattern}`;
  if (s.type === 'boolean') return 'expected true or false';
  return 'expected text';
}

function getPath(source: Record<string, unknown>, path: string[]): unknown {
  let node: unknown = source;
  for (const key of path) node = (node as Record<string, unknown> | undefined)?.[key];
  return node;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    node[key] = (node[key] as Record<string, unknown> | undefined) ?? {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1] as string] = value;
}

/** The text of .env.example: every key with its comment and default. */
export function renderEnvExample(): string {
  const lines = ['# RiverWatch configuration. Every key is optional; the defaults run on one machine.', '# Generated by `riverwatch config-example` from config/schema.ts.', ''];
  for (const leaf of configLeaves()) {
    lines.push(`# ${leaf.description}`);
    lines.push(`# ${leaf.env}=${String(leaf.schema.default ?? '')}`);
    lines.push('');
  }
  return lines.join('\n');
}
