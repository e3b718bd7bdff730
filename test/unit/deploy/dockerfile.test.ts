/**
 * The Dockerfile, checked without a Docker engine: base image, production
 * install, non-root user, and that the image holds every source file the
 * CLI loads and starts a real command.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROLES } from '../../../bin/roles.js';
import { dockerIgnored, dockerignorePatterns, parseDockerfile, reachableSources, readRepoFile, REPO } from './deploy-files.js';

const instructions = parseDockerfile(readRepoFile('Dockerfile'));
const finalStage = instructions.slice(instructions.map((i) => i.op).lastIndexOf('FROM'));
const copies = finalStage.filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'));
/** Repository paths the final image gets from the build context. */
const copied = copies.flatMap((i) => i.args.split(/\s+/).slice(0, -1));
const ignore = dockerignorePatterns();
const packageJson = JSON.parse(readRepoFile('package.json')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

describe('Dockerfile', () => {
  it('builds on node:20-bookworm-slim in every stage', () => {
    const bases = instructions.filter((i) => i.op === 'FROM').map((i) => i.args.split(/\s+/)[0]);
    expect(bases.length).toBeGreaterThan(0);
    for (const base of bases) expect(base).toBe('node:20-bookworm-slim');
  });

  it('installs production dependencies only, and tsx (which runs the TypeScript CLI) is one of them', () => {
    expect(instructions.some((i) => i.op === 'RUN' && /npm ci\b.*--omit=dev/.test(i.args))).toBe(true);
    expect(packageJson.dependencies.tsx).toBeDefined();
    expect(readRepoFile('bin/riverwatch.js')).toContain("from 'tsx/esm/api'");
  });

  it('runs as a non-root user', () => {
    const users = finalStage.filter((i) => i.op === 'USER').map((i) => i.args.trim());
    expect(users.length).toBeGreaterThan(0);
    expect(['root', '0', '0:0']).not.toContain(users[users.length - 1]);
    const userAt = finalStage.findIndex((i) => i.op === 'USER');
    const entryAt = finalStage.findIndex((i) => i.op === 'ENTRYPOINT');
    expect(userAt).toBeLessThan(entryAt);
  });

  it('starts the CLI entry with a real command: ENTRYPOINT node bin/riverwatch.js, CMD a role', () => {
    const entry = finalStage.find((i) => i.op === 'ENTRYPOINT')?.exec ?? [];
    expect(entry[0]).toBe('node');
    const script = entry[1] as string;
    expect(statSync(join(REPO, script)).isFile()).toBe(true);
    expect(copied.some((path) => script === path || script.startsWith(`${path.replace(/\/$/, '')}/`))).toBe(true);
    const cmd = finalStage.find((i) => i.op === 'CMD')?.exec ?? [];
    expect(ROLES as readonly string[]).toContain(cmd[0]);
  });

  it('copies only paths that exist and that .dockerignore lets into the build context', () => {
    expect(copied.length).toBeGreaterThan(3);
    for (const path of copied) {
      expect(existsSync(join(REPO, path)), path).toBe(true);
      expect(dockerIgnored(path, ignore), path).toBe(false);
    }
  });

  it('holds every source file the CLI can load (static and dynamic imports from bin/main.ts)', () => {
    const needed = reachableSources('bin/main.ts');
    expect(needed.size).toBeGreaterThan(20);
    for (const file of needed) {
      const inImage = copied.some((path) => file === path || file.startsWith(`${path.replace(/\/$/, '')}/`));
      expect(inImage, `${file} is imported by the CLI but not copied into the image`).toBe(true);
      expect(dockerIgnored(file, ignore), `${file} is excluded by .dockerignore`).toBe(false);
    }
  });

  it('keeps node_modules, tests and local data out of the build context', () => {
    for (const path of ['node_modules', '.riverwatch', 'test', '.env', 'fuzz', '.git']) expect(dockerIgnored(path, ignore), path).toBe(true);
    expect(dockerIgnored('.env.example', ignore)).toBe(false);
  });

  it('exposes the API and HJ 212 ports', () => {
    const exposed = finalStage.filter((i) => i.op === 'EXPOSE').flatMap((i) => i.args.split(/\s+/));
    expect(exposed).toEqual(expect.arrayContaining(['8080', '9212']));
  });
});
