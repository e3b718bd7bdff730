/**
 * Readers for the Grafana provisioning folder (deploy/grafana), for the tests:
 * there is no Grafana here, so the dashboards are checked by walking their
 * JSON, and their InfluxQL is run on a real InfluxDB with Grafana's macros
 * and template variables substituted as Grafana would.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readRepoFile, REPO } from './deploy-files.js';

export const GRAFANA_DIR = 'deploy/grafana';
export const DASHBOARD_DIR = `${GRAFANA_DIR}/dashboards`;

export interface GrafanaTarget {
  refId?: string;
  datasource?: { type?: string; uid?: string };
  rawQuery?: boolean;
  query?: string;
  resultFormat?: string;
}

export interface GrafanaPanel {
  id?: number;
  type?: string;
  title?: string;
  gridPos?: { x: number; y: number; w: number; h: number };
  datasource?: { type?: string; uid?: string };
  targets?: GrafanaTarget[];
  panels?: GrafanaPanel[];
  fieldConfig?: { defaults?: { thresholds?: { mode: string; steps: { value: number | null; color: string }[] } } };
}

export interface GrafanaVariable {
  type?: string;
  name?: string;
  query?: string;
  datasource?: { type?: string; uid?: string };
  allValue?: string;
}

export interface GrafanaDashboard {
  uid?: string;
  title?: string;
  schemaVersion?: number;
  timezone?: string;
  panels?: GrafanaPanel[];
  templating?: { list?: GrafanaVariable[] };
}

export interface DashboardFile {
  readonly file: string;
  readonly dashboard: GrafanaDashboard;
}

export function dashboardFiles(): DashboardFile[] {
  return readdirSync(join(REPO, DASHBOARD_DIR))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, dashboard: JSON.parse(readRepoFile(`${DASHBOARD_DIR}/${file}`)) as GrafanaDashboard }));
}

/** Every panel, rows' nested panels included. */
export function panelsOf(dashboard: GrafanaDashboard): GrafanaPanel[] {
  const out: GrafanaPanel[] = [];
  const walk = (panels: readonly GrafanaPanel[] | undefined): void => {
    for (const p of panels ?? []) {
      out.push(p);
      walk(p.panels);
    }
  };
  walk(dashboard.panels);
  return out;
}

/** One InfluxQL text of a dashboard: a panel target or a query variable. */
export interface DashboardQuery {
  readonly where: string;
  readonly query: string;
}

export function queriesOf(dashboard: GrafanaDashboard): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  for (const v of dashboard.templating?.list ?? [])
    if (v.type === 'query' && v.query) out.push({ where: `variable ${v.name}`, query: v.query });
  for (const p of panelsOf(dashboard))
    for (const t of p.targets ?? []) if (t.query) out.push({ where: `panel "${p.title}" ${t.refId}`, query: t.query });
  return out;
}

export interface Substitution {
  readonly fromMs: number;
  readonly toMs: number;
  /** Grafana's $__interval, e.g. `1h`. */
  readonly interval: string;
  /** Template variable values; a value is put in as is (Grafana's regex format of one value). */
  readonly variables: Readonly<Record<string, string>>;
}

/** The query as Grafana would send it: $timeFilter, $__interval and template variables replaced. */
export function substitute(query: string, s: Substitution): string {
  return query
    .replaceAll('$timeFilter', `time >= ${s.fromMs}ms and time <= ${s.toMs}ms`)
    .replaceAll('$__interval', s.interval)
    .replace(/\$(\w+)/g, (whole, name: string) => {
      const value = s.variables[name];
      if (value === undefined) throw new Error(`no value for ${whole} in: ${query}`);
      return value;
    });
}

/** `$names` a query uses that Grafana does not define itself. */
export function variablesUsed(query: string): string[] {
  return [...query.matchAll(/\$(\w+)/g)].map((m) => m[1] as string).filter((n) => n !== 'timeFilter' && !n.startsWith('__'));
}
