/**
 * The production build (issue 19 §6): `scripts/build.mjs` compiles into a
 * temporary folder laid out as the image is (package.json, node_modules,
 * dist/, config/registry.yaml; test/unit/deploy/dockerfile.test.ts checks the
 * Dockerfile builds that layout), and the compiled CLI runs the main job,
 * `start --simulate`, with its own local Redis and InfluxDB, from a working
 * directory that is not the checkout. The dashboard, the public page and
 * uPlot are then fetched over HTTP: a file the build forgot to copy is a 404
 * here. Logs are JSON, stdout not being a terminal (issue 19 §7).
 *
 * Built with `--no-check` (tsc --noCheck: the same JavaScript, without the
 * type check `npm run check` has already done), to keep it fast.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '../../..');
const run = promisify(execFile);

interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

let root: string;
let child: ChildProcess | undefined;
let api: string;
const lines: LogLine[] = [];
const notJson: string[] = [];
let startupMs = 0;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'rw-build-'));
  await run(process.execPath, [join(REPO, 'scripts/build.mjs'), '--out-dir', join(root, 'dist'), '--no-check'], { cwd: REPO });
  copyFileSync(join(REPO, 'package.json'), join(root, 'package.json'));
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'), 'dir');
  mkdirSync(join(root, 'config'));
  copyFileSync(join(REPO, 'config/registry.yaml'), join(root, 'config/registry.yaml'));

  const startedAt = performance.now();
  const proc = spawn(process.execPath, ['dist/bin/riverwatch.js', 'start', '--simulate'], {
    cwd: root,
    env: {
      ...process.env,
      RW_DATA_DIR: join(root, 'data'),
      RW_HTTP_PORT: '0',
      RW_HJ212_PORT: '0',
      RW_MQTT_EMBEDDED_PORT: '0',
      RW_REDIS_LOCAL_PORT: '0',
      RW_INFLUX_LOCAL_PORT: '0',
      RW_PUBLIC_VIEW: 'true',
      RW_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  let pending = '';
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  api = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in 60 s:\n${pending}${stderr}`)), 60_000);
    proc.stdout?.on('data', (d: Buffer) => {
      pending += d.toString();
      let eol: number;
      while ((eol = pending.indexOf('\n')) >= 0) {
        const text = pending.slice(0, eol);
        pending = pending.slice(eol + 1);
        let line: LogLine;
        try {
          line = JSON.parse(text) as LogLine;
        } catch {
          notJson.push(text);
          continue;
        }
        lines.push(line);
        if (line.msg === 'RiverWatch ready') {
          clearTimeout(timer);
          startupMs = performance.now() - startedAt;
          resolve((line.addresses as Record<string, string>).api as string);
        }
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ready:\n${lines.map((l) => JSON.stringify(l)).join('\n')}\n${stderr}`));
    });
  });
});

afterAll(async () => {
  const proc = child;
  if (proc && proc.exitCode === null && proc.signalCode === null) {
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }
  if (root) rmSync(root, { recursive: true, force: true });
});

async function fetchText(path: string): Promise<{ status: number; type: string; body: string }> {
  const res = await fetch(new URL(path, api));
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

describe('compiled CLI (npm run build)', () => {
  it('starts the main job from dist/ and logs JSON lines', () => {
    console.log(`compiled start --simulate: ready after ${Math.round(startupMs)} ms`);
    expect(api).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(notJson).toEqual([]);
    expect(lines.filter((l) => l.level >= 40)).toEqual([]);
    // Analytics on its own thread (issue 14), from the compiled bin/analytics-thread.js.
    expect(lines.some((l) => l.thread === 'analytics' && l.msg === 'analytics started')).toBe(true);
  });

  it('serves the dashboard page, its scripts and uPlot from the compiled api', async () => {
    const page = await fetchText('/');
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/^text\/html/);
    expect(page.body).toBe(readFileSync(join(REPO, 'api/dashboard/public/index.html'), 'utf8'));
    const script = await fetchText('/js/main.js');
    expect(script.status).toBe(200);
    expect(script.body).toBe(readFileSync(join(REPO, 'api/dashboard/public/js/main.js'), 'utf8'));
    const css = await fetchText('/css/dashboard.css');
    expect(css.status).toBe(200);
    expect((await fetchText('/vendor/uPlot.esm.js')).status).toBe(200);
  });

  it('serves the public page', async () => {
    const page = await fetchText('/public/');
    expect(page.status).toBe(200);
    expect(page.body).toBe(readFileSync(join(REPO, 'api/public-view/page/index.html'), 'utf8'));
    expect((await fetchText('/public/public.js')).status).toBe(200);
  });

  it('is ready (/readyz) and stops cleanly on SIGTERM', async () => {
    expect((await fetchText('/readyz')).status).toBe(200);
    const proc = child as ChildProcess;
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(lines.some((l) => l.msg === 'stopped')).toBe(true);
    expect(lines.some((l) => l.msg === 'closed' && l.part === 'analytics-thread')).toBe(true);
    expect(lines.filter((l) => l.level >= 40)).toEqual([]);
  });
});
