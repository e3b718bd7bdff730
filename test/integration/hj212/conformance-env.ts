/**
 * Shared set-up of the HJ 212 conformance suite: a registry file (the sample one plus the suite's
 * stations), the hj212 role started for real on a real Redis (readings log, dead letters, diagnostics),
 * and readers of what lands where an operator finds it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { DiagnosticsFilter, StationDiagnostic } from '../../../domain/station-diagnostics.js';
import { DeadLetterStore, type DeadLetter } from '../../../platform/redis/readings/dead-letters.js';
import { RedisStationDiagnostics } from '../../../platform/redis/readings/diagnostics-store.js';
import type { Hj212Server } from '../../../platform/hj212/index.js';
import type { TestServices } from '../../harness/services.js';
import { harnessEnv, runRoles, type RunningRoles } from '../ingest/fixture.js';

export interface SuiteStation {
  readonly id: string;
  readonly mn: string;
  readonly pw: string;
  readonly codes?: Record<string, string>;
}

/** Writes the sample registry plus `stations` (section tp-jinze, all nine parameters) to a temp file. */
export function registryWith(stations: readonly SuiteStation[]): string {
  const base = parseYaml(readFileSync(fileURLToPath(new URL('../../../config/registry.yaml', import.meta.url)), 'utf8')) as {
    stations: unknown[];
  };
  for (const s of stations) {
    base.stations.push({
      id: s.id,
      section: 'tp-jinze',
      parameters: ['temp', 'ph', 'do', 'cond', 'turb', 'codmn', 'nh3n', 'tp', 'tn'],
      samplingIntervalS: 300,
      hj212: { mn: s.mn, password: s.pw, ...(s.codes ? { codes: s.codes } : {}) },
    });
  }
  const path = join(mkdtempSync(join(tmpdir(), 'rw-hj212-conf-')), 'registry.yaml');
  writeFileSync(path, stringifyYaml(base));
  return path;
}

export interface Suite {
  readonly rw: RunningRoles;
  readonly port: number;
  readonly server: Hj212Server;
  /** Values (parameter → value) of every reading of `stationId` in the readings log. */
  readingValues(stationId: string): Promise<{ ts: number; values: Record<string, number>; flags?: Record<string, string> }[]>;
  deadLetters(stationId: string): Promise<DeadLetter[]>;
  diagnostics(filter: DiagnosticsFilter): Promise<StationDiagnostic[]>;
  metric(name: string, labels?: Record<string, string>): Promise<number>;
}

export async function startSuite(svc: TestServices<{ redis: true }>, registryFile: string, extraEnv: Record<string, string> = {}): Promise<Suite> {
  const rw = await runRoles(['hj212'], harnessEnv(svc, { RW_REGISTRY_FILE: registryFile, ...extraEnv }));
  const port = Number((rw.ctx.addresses.hj212 as string).split(':')[1]);
  const redis = rw.ctx.redis('conformance-probe');
  const prefix = rw.config.redis.prefix;
  const letters = new DeadLetterStore({ redis, prefix });
  const diagnostics = new RedisStationDiagnostics({ redis, prefix });
  return {
    rw,
    port,
    server: rw.ctx.stationCommanders.hj212 as unknown as Hj212Server,
    async readingValues(stationId) {
      const keys = (await redis.keys(`${prefix}:readings:*`)).filter((k) => /:readings:\d+$/.test(k));
      const out: { ts: number; values: Record<string, number>; flags?: Record<string, string> }[] = [];
      for (const key of keys) {
        for (const [, fields] of (await redis.xrange(key, '-', '+')) as [string, string[]][]) {
          const readings = JSON.parse(fields[1] as string) as { stationId: string; ts: number; values: Record<string, number>; flags?: Record<string, string> }[];
          out.push(...readings.filter((r) => r.stationId === stationId));
        }
      }
      return out;
    },
    deadLetters: (stationId) => letters.list({ stationId, limit: 1000 }),
    diagnostics: (filter) => diagnostics.list({ limit: 1000, ...filter }),
    async metric(name, labels = {}) {
      const values = (await rw.ctx.metrics.getSingleMetric(name)?.get())?.values ?? [];
      return values
        .filter((v) => Object.entries(labels).every(([k, l]) => (v.labels as Record<string, unknown>)[k] === l))
        .reduce((sum, v) => sum + v.value, 0);
    },
  };
}
