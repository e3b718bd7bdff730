/**
 * Start-up benchmark (issue 19 §6): milliseconds from spawning
 * `riverwatch start --simulate` to its "RiverWatch ready" line, for the
 * sources through tsx (`bin/riverwatch.js`, what `npm start` runs) and the
 * compiled CLI (`dist/bin/riverwatch.js`, after `npm run build`), run
 * alternately so both see the same machine load. Each run gets a new data
 * folder (its own local redis-server and influxd) and free ports, and is
 * stopped with SIGTERM before the next.
 *
 *   npm run build && node --import tsx bench/startup.ts [runs per entry, default 5]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const ENTRIES = { sources: 'bin/riverwatch.js', compiled: 'dist/bin/riverwatch.js' } as const;
const runs = Number(process.argv[2] ?? 5);

async function startOnce(entry: string): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rw-startup-'));
  const startedAt = performance.now();
  const child = spawn(process.execPath, [entry, 'start', '--simulate'], {
    cwd: ROOT,
    env: {
      ...process.env,
      RW_DATA_DIR: dataDir,
      RW_HTTP_PORT: '0',
      RW_HJ212_PORT: '0',
      RW_MQTT_EMBEDDED_PORT: '0',
      RW_REDIS_LOCAL_PORT: '0',
      RW_INFLUX_LOCAL_PORT: '0',
      RW_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  try {
    return await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        output += d.toString();
        if (output.includes('RiverWatch ready')) resolve(performance.now() - startedAt);
      });
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      child.once('exit', (code) => reject(new Error(`${entry} exited with ${code} before ready:\n${output.slice(-2000)}`)));
    });
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (!existsSync(join(ROOT, ENTRIES.compiled))) throw new Error('no dist/: run npm run build first');
const times: Record<keyof typeof ENTRIES, number[]> = { sources: [], compiled: [] };
for (let i = 0; i < runs; i++) {
  for (const [name, entry] of Object.entries(ENTRIES) as [keyof typeof ENTRIES, string][])
    times[name].push(await startOnce(entry));
}
for (const [name, list] of Object.entries(times)) {
  const sorted = [...list].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] as number;
  console.log(
    `${name.padEnd(9)} ${ENTRIES[name as keyof typeof ENTRIES].padEnd(24)} median ${Math.round(median)} ms  runs ${list.map(Math.round).join(', ')}`,
  );
}
