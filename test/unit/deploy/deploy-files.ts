/**
 * Readers for the deployment files, for the deploy tests: there is no Docker
 * engine on our machines, so docker-compose.yml, the Dockerfile and the
 * systemd units are checked by parsing them and comparing with the code.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export function readRepoFile(path: string): string {
  return readFileSync(join(REPO, path), 'utf8');
}

/** `RW_*` keys documented in .env.example (generated from config/schema.ts). */
export function knownConfigKeys(): Set<string> {
  return new Set([...readRepoFile('.env.example').matchAll(/^# (RW_[A-Z0-9_]+)=/gm)].map((m) => m[1] as string));
}

export interface DockerInstruction {
  readonly op: string;
  readonly args: string;
  /** Exec-form arguments when the instruction is a JSON array. */
  readonly exec?: string[];
}

/** Dockerfile instructions in order (line continuations joined, comments skipped). */
export function parseDockerfile(text: string): DockerInstruction[] {
  const out: DockerInstruction[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    if (pending === '' && /^\s*#/.test(raw)) continue;
    const line = raw.replace(/\s+$/, '');
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    if (full === '') continue;
    const match = /^(\S+)\s+(.*)$/.exec(full);
    if (!match) continue;
    const op = (match[1] as string).toUpperCase();
    const args = match[2] as string;
    let exec: string[] | undefined;
    if (args.startsWith('[')) exec = JSON.parse(args) as string[];
    out.push(exec ? { op, args, exec } : { op, args });
  }
  return out;
}

/** .dockerignore patterns (simple prefixes and `*.ext`, as used in ours). */
export function dockerIgnored(path: string, patterns: readonly string[]): boolean {
  let ignored = false;
  for (const raw of patterns) {
    const negate = raw.startsWith('!');
    const pattern = negate ? raw.slice(1) : raw;
    const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}(/.*)?$`);
    if (regex.test(path)) ignored = !negate;
  }
  return ignored;
}

export function dockerignorePatterns(): string[] {
  return readRepoFile('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

export interface UnitFile {
  readonly sections: Map<string, Map<string, string[]>>;
}

/** A systemd unit: section → key → values in order (comments skipped). */
export function parseUnit(text: string): UnitFile {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      current = new Map();
      sections.set(section[1] as string, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (!current || eq <= 0) throw new Error(`not a unit-file line: ${line}`);
    const key = line.slice(0, eq);
    current.set(key, [...(current.get(key) ?? []), line.slice(eq + 1)]);
  }
  return { sections };
}

export function unitValue(unit: UnitFile, section: string, key: string): string[] {
  return unit.sections.get(section)?.get(key) ?? [];
}

/**
 * Packages (npm names, no `node:` built-ins) that `files` import at run time:
 * static, dynamic and side-effect imports; `import type` is erased by tsc.
 */
export function packagesImported(files: Iterable<string>): Set<string> {
  const names = new Set<string>();
  for (const file of files) {
    const text = readFileSync(join(REPO, file), 'utf8');
    for (const match of text.matchAll(
      /(?:^\s*import\s+(?!type\s)[^'";]*?from\s+|import\s*\(\s*|^\s*import\s+|^\s*export\s+(?!type\s)[^'";]*?from\s+)['"]([^'"./][^'"]*)['"]/gm,
    )) {
      const spec = match[1] as string;
      if (spec.startsWith('node:')) continue;
      const parts = spec.split('/');
      names.add(spec.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] as string));
    }
  }
  return names;
}

/**
 * Every repository file reachable from `entry` through relative imports
 * (static and dynamic, `.js` specifiers resolved to `.ts`).
 */
export function reachableSources(entry: string): Set<string> {
  const seen = new Set<string>();
  const queue = [join(REPO, entry)];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const spec = match[1] as string;
      const base = resolve(dirname(file), spec);
      const candidates = [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, join(base, 'index.ts')];
      const found = candidates.find((c) => existsSync(c) && !c.endsWith('/'));
      if (found && /\.(ts|js|mjs)$/.test(found)) queue.push(found);
    }
  }
  return new Set([...seen].map((f) => relative(REPO, f)));
}
