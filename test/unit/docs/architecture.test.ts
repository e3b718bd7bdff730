/** docs/architecture.md walks one reading file by file: every file it names must exist, and every layer it draws must be a folder. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const doc = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');

describe('docs/architecture.md', () => {
  const paths = [...doc.matchAll(/`((?:domain|config|ingest|analytics|alerts|platform|api|bin|simulators|eval|bench|drill|fuzz)\/[A-Za-z0-9_./-]*)`/g)].map((m) => m[1] as string);

  it('names files that exist', () => {
    expect(paths.length).toBeGreaterThan(40);
    expect(paths.filter((p) => !existsSync(join(ROOT, p)))).toEqual([]);
  });

  it('walks through the adapters of every external system and both homes of alerts', () => {
    for (const folder of ['platform/mqtt/', 'platform/redis/', 'platform/bullmq/', 'platform/influx/', 'alerts/alarms/', 'alerts/joint-monitoring/'])
      expect(paths.some((p) => p.startsWith(folder))).toBe(true);
  });
});
