/**
 * deploy/grafana, checked without a Grafana: the provisioning files parse and
 * agree with each other, each dashboard is a well-formed dashboard (unique
 * uid and panel ids, panels on the 24-column grid, every target a raw InfluxQL
 * query on the provisioned datasource), every query names only measurements,
 * tags and fields of docs/influxdb-schema.md and variables the dashboard
 * defines, and the class-limit lines are GB 3838's.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CANONICAL_PARAMETERS, limitFor } from '../../../domain/index.js';
import { readRepoFile } from './deploy-files.js';
import { dashboardFiles, GRAFANA_DIR, panelsOf, queriesOf, variablesUsed } from './grafana-files.js';

interface DatasourceFile {
  apiVersion: number;
  datasources: { name: string; type: string; uid: string; url: string; jsonData: { dbName: string } }[];
}
interface ProviderFile {
  apiVersion: number;
  providers: { name: string; type: string; options: { path: string } }[];
}

const datasources = parse(readRepoFile(`${GRAFANA_DIR}/provisioning/datasources/riverwatch.yaml`)) as DatasourceFile;
const providers = parse(readRepoFile(`${GRAFANA_DIR}/provisioning/dashboards/riverwatch.yaml`)) as ProviderFile;
const files = dashboardFiles();
const schemaDoc = readRepoFile('docs/influxdb-schema.md');

/** Measurements, tags and fields the schema doc lists (a field per parameter, plus the named ones). */
const MEASUREMENTS: Record<string, { tags: string[]; fields: string[] }> = {
  water_quality: { tags: ['river', 'section', 'station'], fields: [...CANONICAL_PARAMETERS.map((p) => p.key), 'seq', 'source'] },
  section_class: { tags: ['river', 'section'], fields: ['class', 'deciding'] },
  alert: { tags: ['river', 'section', 'kind', 'level', 'key'], fields: ['opened', 'id'] },
};

describe('provisioning files', () => {
  it('one InfluxDB datasource, InfluxQL on the RiverWatch database, settings from the RW_INFLUX_* values', () => {
    expect(datasources.apiVersion).toBe(1);
    expect(datasources.datasources).toHaveLength(1);
    const ds = datasources.datasources[0]!;
    expect(ds).toMatchObject({ type: 'influxdb', uid: 'riverwatch-influxdb', url: '${RW_INFLUX_URL}' });
    expect(ds.jsonData.dbName).toBe('${RW_INFLUX_DATABASE}');
    // Flux would be jsonData.version: Flux; InfluxQL is the default and the one query language 1.x–3.x share.
    expect((ds.jsonData as { version?: string }).version).toBeUndefined();
  });

  it('a file provider for the dashboards folder', () => {
    expect(providers.apiVersion).toBe(1);
    expect(providers.providers).toEqual([expect.objectContaining({ type: 'file', options: { path: expect.stringMatching(/^\//) } })]);
  });

  it('the schema doc describes every measurement the dashboards read', () => {
    for (const m of Object.keys(MEASUREMENTS)) expect(schemaDoc).toContain(`\`${m}\``);
  });
});

describe('dashboards', () => {
  it('one per view: section classes, station parameters, alert counts', () => {
    expect(files.map((f) => f.file)).toEqual(['alert-counts.json', 'section-classes.json', 'station-parameters.json']);
    const uids = files.map((f) => f.dashboard.uid);
    expect(new Set(uids).size).toBe(uids.length);
  });

  for (const { file, dashboard } of files) {
    describe(file, () => {
      const panels = panelsOf(dashboard);
      const variables = new Set((dashboard.templating?.list ?? []).map((v) => v.name));

      it('is a dashboard: title, uid, schema version, local time, panels with unique ids on the 24-column grid', () => {
        expect(dashboard.title).toMatch(/RiverWatch/);
        expect(dashboard.uid).toMatch(/^[a-z0-9-]{1,40}$/);
        expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(30);
        expect(dashboard.timezone).toBe('Asia/Shanghai');
        expect(panels.length).toBeGreaterThan(0);
        const ids = panels.map((p) => p.id);
        expect(new Set(ids).size).toBe(ids.length);
        for (const p of panels) {
          expect(p.title, `panel ${p.id}`).toBeTruthy();
          expect(p.gridPos!.x + p.gridPos!.w, p.title).toBeLessThanOrEqual(24);
          expect(p.gridPos!.w).toBeGreaterThan(0);
        }
      });

      it('every target is raw InfluxQL on the provisioned datasource; every variable too', () => {
        const uid = datasources.datasources[0]!.uid;
        for (const p of panels) {
          expect(p.targets?.length, p.title).toBeGreaterThan(0);
          for (const t of p.targets ?? []) {
            expect(t.datasource, p.title).toEqual({ type: 'influxdb', uid });
            expect(t.rawQuery, p.title).toBe(true);
            expect(t.query, p.title).toMatch(/^SELECT /);
            expect(t.query, p.title).toContain('$timeFilter');
          }
        }
        for (const v of dashboard.templating?.list ?? []) {
          expect(v.datasource).toEqual({ type: 'influxdb', uid });
          expect(v.query).toMatch(/^SHOW TAG VALUES FROM "\w+" WITH KEY = "\w+"/);
        }
      });

      it('queries use only variables the dashboard defines, and measurements, tags and fields of the schema', () => {
        for (const { where, query } of queriesOf(dashboard)) {
          for (const name of variablesUsed(query)) expect(variables.has(name), `${where}: $${name}`).toBe(true);
          const from = [...query.matchAll(/FROM "(\w+)"/g)].map((m) => m[1]!);
          expect(from.length, where).toBe(1);
          const schema = MEASUREMENTS[from[0]!];
          expect(schema, `${where}: measurement ${from[0]}`).toBeDefined();
          const names = [...query.matchAll(/"(\w+)"/g)].map((m) => m[1]!).filter((n) => n !== from[0]);
          const aliases = new Set([...query.matchAll(/AS "(\w+)"/g)].map((m) => m[1]!));
          for (const n of names) {
            if (aliases.has(n)) continue;
            expect([...schema!.tags, ...schema!.fields], `${where}: "${n}"`).toContain(n);
          }
        }
      });
    });
  }

  it('station parameters: a panel per canonical parameter; threshold lines at the GB 3838 river limits of classes I–V', () => {
    const station = files.find((f) => f.file === 'station-parameters.json')!.dashboard;
    const panels = panelsOf(station);
    const keyOf = (q: string | undefined) => /mean\("(\w+)"\)/.exec(q ?? '')?.[1];
    const keys = panels.map((p) => keyOf(p.targets?.[0]?.query));
    expect(keys.sort()).toEqual(CANONICAL_PARAMETERS.map((p) => p.key).sort());
    for (const p of panels) {
      const key = keyOf(p.targets?.[0]?.query)!;
      const steps = (p.fieldConfig?.defaults?.thresholds?.steps ?? []).map((s) => s.value).filter((v): v is number => v !== null);
      const ph = limitFor(key, 3, 'river');
      if (!ph) {
        expect(steps, key).toEqual([]);
      } else if (ph.kind === 'range') {
        expect(steps).toEqual([ph.min, ph.max]);
      } else {
        const limits = ([1, 2, 3, 4, 5] as const).map((c) => (limitFor(key, c, 'river') as { value: number }).value);
        expect(steps, key).toEqual([...limits].sort((a, b) => a - b));
      }
    }
  });
});
