// @ts-check
/**
 * `npm run build`: compiles the product folders listed in tsconfig.build.json
 * to dist/ with tsc, copies the files the code reads at run time (dashboard,
 * public page, scenarios, sample secrets, …) to the same place under dist/,
 * and writes the CLI entry dist/bin/riverwatch.js (the analytics thread's
 * entry there is the compiled bin/analytics-thread.js).
 *
 * Assets are copied rather than looked up from the package root, so every
 * `new URL('…', import.meta.url)` resolves the same way from the sources
 * (tsx) and from dist/, and an image needs only dist/, package.json and the
 * production node_modules.
 *
 * Usage: node scripts/build.mjs [--out-dir DIR] [--no-check]
 *   --out-dir   where to build (default dist); emptied first, so a moved or
 *               deleted source leaves nothing behind.
 *   --no-check  emit without type checking (tsc --noCheck); for the build
 *               test, which runs after `npm run check` has type-checked.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Not assets: sources, notes, the development entry (tsx), and the evaluation's data (eval/ is a dev tool). */
const SKIP = [/\.ts$/, /\.md$/, /^bin\/riverwatch\.js$/, /^bin\/analytics-thread\.dev\.js$/, /^config\/eval\//];

const args = process.argv.slice(2);
const outFlag = args.indexOf('--out-dir');
const outDir = resolve(ROOT, outFlag >= 0 ? (args[outFlag + 1] ?? '') : 'dist');
/** @type {{ include: string[] }} */
const buildConfig = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8'));
// The out dir is emptied: never the checkout, a folder above it, or a source folder.
const inside = (dir, parent) => !relative(parent, dir).startsWith('..');
if (inside(ROOT, outDir) || buildConfig.include.some((f) => inside(outDir, join(ROOT, f))))
  throw new Error(`build: refusing to empty ${outDir}`);

rmSync(outDir, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const tscArgs = [
  tsc,
  '-p',
  join(ROOT, 'tsconfig.build.json'),
  '--outDir',
  outDir,
  ...(args.includes('--no-check') ? ['--noCheck'] : []),
];
const compiled = spawnSync(process.execPath, tscArgs, { stdio: 'inherit' });
if (compiled.status !== 0) process.exit(compiled.status ?? 1);

let copied = 0;
for (const folder of buildConfig.include) {
  for (const entry of readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = relative(ROOT, join(entry.parentPath, entry.name)).split('\\').join('/');
    if (SKIP.some((re) => re.test(path))) continue;
    mkdirSync(dirname(join(outDir, path)), { recursive: true });
    cpSync(join(ROOT, path), join(outDir, path));
    copied++;
  }
}

const entry = join(outDir, 'bin/riverwatch.js');
writeFileSync(
  entry,
  "#!/usr/bin/env node\n// The built `riverwatch` CLI (written by scripts/build.mjs; bin/riverwatch.js runs the sources through tsx).\nimport './main.js';\n",
);
chmodSync(entry, 0o755);
process.stdout.write(
  `build: ${relative(ROOT, outDir) || outDir} (tsc${args.includes('--no-check') ? ' --noCheck' : ''}, ${copied} assets copied)\n`,
);
