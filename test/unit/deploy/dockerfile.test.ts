/**
 * The Dockerfile, checked without a Docker engine: base image, a build stage
 * that compiles to dist/ and a runtime stage with production dependencies
 * only, non-root user, and that the build stage gets every source file the
 * CLI loads and the image starts the compiled CLI with a real command.
 * (test/integration/build/ runs the same build and starts its output.)
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROLES } from '../../../bin/roles.js';
import {
  dockerIgnored,
  dockerignorePatterns,
  packagesImported,
  parseDockerfile,
  reachableSources,
  readRepoFile,
  REPO,
  type DockerInstruction,
} from './deploy-files.js';

const instructions = parseDockerfile(readRepoFile('Dockerfile'));
const stageStarts = instructions.flatMap((i, at) => (i.op === 'FROM' ? [at] : []));
const stages = stageStarts.map((start, n) => instructions.slice(start, stageStarts[n + 1] ?? instructions.length));
const buildStage = stages[0] ?? [];
const finalStage = stages[stages.length - 1] ?? [];
const buildStageName = buildStage[0]?.args.split(/\s+AS\s+/i)[1]?.trim();
const runs = (stage: DockerInstruction[]) => stage.filter((i) => i.op === 'RUN').map((i) => i.args);
/** Repository paths a stage gets from the build context (not from another stage). */
const copiedFromContext = (stage: DockerInstruction[]) =>
  stage.filter((i) => i.op === 'COPY' && !i.args.startsWith('--from')).flatMap((i) => i.args.split(/\s+/).slice(0, -1));
const ignore = dockerignorePatterns();
const packageJson = JSON.parse(readRepoFile('package.json')) as {
  bin: Record<string, string>;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const buildConfig = JSON.parse(readRepoFile('tsconfig.build.json')) as {
  include: string[];
  exclude: string[];
  compilerOptions: { outDir: string };
};
const under = (file: string, folder: string) => file === folder || file.startsWith(`${folder.replace(/\/$/, '')}/`);

describe('Dockerfile', () => {
  it('builds on node:20-bookworm-slim in every stage', () => {
    const bases = instructions.filter((i) => i.op === 'FROM').map((i) => i.args.split(/\s+/)[0]);
    expect(bases.length).toBeGreaterThan(0);
    for (const base of bases) expect(base).toBe('node:20-bookworm-slim');
  });

  it('builds in a first stage (npm ci, npm run build) and installs production dependencies only in the last', () => {
    expect(stages.length).toBe(2);
    expect(buildStageName).toBeTruthy();
    expect(runs(buildStage).some((r) => /^npm ci\b/.test(r) && !/--omit=dev/.test(r))).toBe(true);
    expect(runs(buildStage)).toContain('npm run build');
    expect(packageJson.scripts.build).toBe('node scripts/build.mjs');
    expect(runs(finalStage).some((r) => /^npm ci\b.*--omit=dev/.test(r))).toBe(true);
    expect(runs(finalStage).join(' ')).not.toMatch(/npm run build|tsc|npm ci(?!.*--omit=dev)/);
    const fromBuild = finalStage
      .filter((i) => i.op === 'COPY' && i.args.startsWith(`--from=${buildStageName} `))
      .map((i) => i.args.split(/\s+/).slice(1));
    expect(fromBuild).toContainEqual([`/app/${buildConfig.compilerOptions.outDir}`, `./${buildConfig.compilerOptions.outDir}`]);
  });

  it('needs no devDependency at run time: every package the CLI imports is a production dependency, and tsx is not one', () => {
    const imported = packagesImported(reachableSources('bin/main.ts'));
    expect(imported.size).toBeGreaterThan(10);
    for (const name of imported) expect(packageJson.dependencies[name], `${name} is imported by the CLI`).toBeDefined();
    expect(packageJson.dependencies.tsx).toBeUndefined();
    expect(packageJson.devDependencies.tsx).toBeDefined();
    expect(readRepoFile('platform/logger.ts')).toMatch(/resolve\('pino-pretty'\)/);
  });

  it('runs as a non-root user', () => {
    const users = finalStage.filter((i) => i.op === 'USER').map((i) => i.args.trim());
    expect(users.length).toBeGreaterThan(0);
    expect(['root', '0', '0:0']).not.toContain(users[users.length - 1]);
    const userAt = finalStage.findIndex((i) => i.op === 'USER');
    const entryAt = finalStage.findIndex((i) => i.op === 'ENTRYPOINT');
    expect(userAt).toBeLessThan(entryAt);
  });

  it('starts the compiled CLI (the package bin, which the build writes) with a real command', () => {
    const entry = finalStage.find((i) => i.op === 'ENTRYPOINT')?.exec ?? [];
    expect(entry[0]).toBe('node');
    const script = entry[1] as string;
    expect(script).toBe(`${buildConfig.compilerOptions.outDir}/bin/riverwatch.js`);
    expect(packageJson.bin.riverwatch).toBe(script);
    expect(readRepoFile('scripts/build.mjs')).toContain("join(outDir, 'bin/riverwatch.js')");
    const cmd = finalStage.find((i) => i.op === 'CMD')?.exec ?? [];
    expect(ROLES as readonly string[]).toContain(cmd[0]);
    // The default RW_REGISTRY_FILE is relative to the working directory.
    expect(finalStage.find((i) => i.op === 'WORKDIR')?.args).toBe('/app');
    expect(copiedFromContext(finalStage)).toContain('config/registry.yaml');
  });

  it('copies only paths that exist and that .dockerignore lets into the build context', () => {
    const copied = stages.flatMap(copiedFromContext);
    expect(copied.length).toBeGreaterThan(3);
    for (const path of copied) {
      expect(existsSync(join(REPO, path)), path).toBe(true);
      expect(dockerIgnored(path, ignore), path).toBe(false);
    }
  });

  it('gives the build every file it compiles or copies, and the build compiles every source the CLI can load', () => {
    const copied = copiedFromContext(buildStage);
    for (const file of [
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'tsconfig.build.json',
      'scripts/build.mjs',
      ...buildConfig.include,
    ]) {
      expect(
        copied.some((path) => under(file, path)),
        `${file} is not copied into the build stage`,
      ).toBe(true);
    }
    const needed = reachableSources('bin/main.ts');
    expect(needed.size).toBeGreaterThan(20);
    for (const file of needed) {
      expect(
        buildConfig.include.some((folder) => under(file, folder)) && !buildConfig.exclude.some((folder) => under(file, folder)),
        `${file} is imported by the CLI but not compiled by tsconfig.build.json`,
      ).toBe(true);
      expect(dockerIgnored(file, ignore), `${file} is excluded by .dockerignore`).toBe(false);
    }
    // Only emission differs from tsconfig.json, so `npm run check` type-checks what the image build compiles
    // (the build test compiles with --noCheck).
    expect(readFileSync(join(REPO, 'tsconfig.build.json'), 'utf8')).toContain('"extends": "./tsconfig.json"');
    expect(Object.keys(buildConfig.compilerOptions).sort()).toEqual(['noEmit', 'outDir', 'rootDir']);
  });

  it('keeps node_modules, tests and local data out of the build context', () => {
    for (const path of ['node_modules', 'dist', '.riverwatch', 'test', '.env', 'fuzz', '.git'])
      expect(dockerIgnored(path, ignore), path).toBe(true);
    expect(dockerIgnored('.env.example', ignore)).toBe(false);
  });

  it('exposes the API and HJ 212 ports', () => {
    const exposed = finalStage.filter((i) => i.op === 'EXPOSE').flatMap((i) => i.args.split(/\s+/));
    expect(exposed).toEqual(expect.arrayContaining(['8080', '9212']));
  });
});
