/**
 * Analytics through the running pipeline (issue 5 "Done when"): a simulated
 * spill upstream of the Jiangsu–Zhejiang boundary travels down the Taipu
 * over MQTT → ingest → readings log → analytics → alerts, and produces, in
 * event-time order, the alert at the boundary section, the pre-warning for the
 * next section with an arrival window, and that section's exceedance when the
 * plume arrives; a flat-lined sensor produces a data-quality alert and no
 * pollution alert. The same seeded input run again with the analytics process
 * killed (SIGKILL) in the middle gives the same alerts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { readdirSync, readFileSync } from 'node:fs';
import { startServices, type TestServices } from '../../harness/services.js';
import { eventually, harnessEnv, runRoles, type RunningRoles } from '../ingest/fixture.js';
import { RoleProcess } from '../role-process.js';
import { runSimulate } from '../../../simulators/index.js';
import { loadRegistryFile } from '../../../config/index.js';
import { silentLogger } from '../../../platform/logger.js';
import type { Alert } from '../../../platform/redis/alerts/index.js';
import { isPollutionKind } from '../../../domain/index.js';
import { readAlertsAndTasks, readingsLogGroups } from '../../../drill/verify.js';
import { createRedis, type Redis } from '../../../platform/redis/client.js';

let svc: TestServices<{ redis: true; mosquitto: true; influx: true }>;
let scenarioFile: string;
let alertsOptionsFile: string;
let analyticsOptionsFile: string;
const registry = loadRegistryFile('config/registry.yaml');
// One absolute window for both runs: the scenario's times are relative to its start, so a run begun
// minutes later would shift the fault by a sampling step and the runs would not be the same input.
const HOUR = 3_600_000;
// Also a fixed phase of the 4-hour nutrient cycle (0/4/8… h local; UTC+8 keeps the phase): the spill, 12 h
// in, starts 3 h into a cycle, so the test does not depend on the time of day it runs.
const FROM = new Date(Math.floor((Date.now() - 2 * 24 * HOUR - 3 * HOUR) / (4 * HOUR)) * 4 * HOUR + 3 * HOUR).toISOString();
const TO = new Date(Date.parse(FROM) + 2 * 24 * HOUR).toISOString();

beforeAll(async () => {
  svc = await startServices({ redis: true, mosquitto: true, influx: true });
  // The shipped spill scenario plus a dissolved-oxygen sensor that flat-lines upstream.
  const scenario = parse(readFileSync('simulators/scenarios/taipu-spill.yaml', 'utf8')) as Record<string, unknown>;
  scenario.faults = [{ id: 'flat-do', kind: 'flatline', stations: ['TP-PW-01'], parameters: ['do'], at: '6h', duration: '18h' }];
  scenarioFile = join(svc.dir, 'spill-and-flatline.yaml');
  writeFileSync(scenarioFile, stringify(scenario));
  // The simulated stations obey the tasks' sampling commands. Raising to their own interval keeps the
  // command path running but the input identical, so the two runs can be compared reading for reading.
  alertsOptionsFile = join(svc.dir, 'alerts.yaml');
  writeFileSync(alertsOptionsFile, stringify({ raisedSamplingIntervalS: 300 }));
  // The last readings would otherwise wait out the shipped 60 s reorder hold (processing time) before they are
  // analysed and acknowledged; the simulator publishes in event-time order, so 5 s holds the same input.
  analyticsOptionsFile = join(svc.dir, 'analytics.yaml');
  writeFileSync(analyticsOptionsFile, stringify({ reorder: { watermarkDelayMs: 5000 } }));
});

afterAll(async () => {
  await svc?.close();
});

/** Group `analytics` of the readings log has read and acknowledged everything. */
async function analyticsCaughtUp(rw: RunningRoles): Promise<boolean> {
  return analyticsCaughtUpIn(rw.ctx.redis('probe'), rw.config.redis.prefix);
}

async function analyticsCaughtUpIn(redis: Redis, prefix: string): Promise<boolean> {
  const group = (await readingsLogGroups(redis, prefix, 1)).find((g) => g.group === 'analytics');
  return group !== undefined && group.lag === 0 && group.pending === 0;
}

async function simulate(mqttUrl: string): Promise<number> {
  const run = runSimulate(['--scenario', scenarioFile, '--seed', '7', '--from', FROM, '--to', TO], { registry, logger: silentLogger(), config: { mqttUrl } });
  const summary = await run.done;
  return summary?.readingsAcked ?? 0;
}

/**
 * What must be the same across runs: condition, episode, kind, level reached and event time of the
 * first raise. Not the clearing time, which is processing time (a pre-warning expires on a clock tick).
 */
function signature(alerts: readonly Alert[]): string[] {
  return alerts
    .filter((a) => !a.key.startsWith('dq-offline'))
    .map((a) => `${a.key}#${a.episode} ${a.kind} ${a.maxLevel ?? '-'} first=${new Date(a.firstSeen).toISOString()}`)
    .sort();
}

const AT_LEAST_YELLOW = ['yellow', 'orange', 'red'];

async function alertsOf(rw: RunningRoles): Promise<Alert[]> {
  const service = await rw.ctx.alerts();
  return (await service.listAlerts({ limit: 10_000, offset: 0 })).items;
}

describe('a spill across the Jiangsu–Zhejiang boundary, through the running pipeline', () => {
  let reference: string[] = [];

  it('raises the boundary alert, then the downstream pre-warning with its window, then the downstream exceedance; a flat line only a data-quality alert', async () => {
    const rw = await runRoles(['ingest', 'store', 'analytics', 'alerts'], harnessEnv(svc, { RW_ALERTS_OPTIONS_FILE: alertsOptionsFile, RW_ANALYTICS_OPTIONS_FILE: analyticsOptionsFile }));
    try {
      const sent = await simulate(svc.mosquitto.url);
      expect(sent).toBeGreaterThan(5000);
      await eventually(() => analyticsCaughtUp(rw), 240_000, 500);
      const alerts = await alertsOf(rw);
      reference = signature(alerts);

      // One condition is one alert: an early warning that becomes an exceedance is the same alert, raised in level.
      const boundary = alerts.find((a) => a.key === 'exceedance:tp-fenhu:nh3n');
      const preWarning = alerts.find((a) => a.key === 'upstream-arrival:tp-jiashan:tp-fenhu');
      const downstream = alerts.find((a) => a.key === 'exceedance:tp-jiashan:nh3n');
      expect(boundary, 'ammonia alert at the boundary section tp-fenhu').toBeDefined();
      expect(preWarning, 'pre-warning for tp-jiashan from tp-fenhu').toBeDefined();
      expect(downstream, 'ammonia alert at tp-jiashan').toBeDefined();
      expect(AT_LEAST_YELLOW).toContain(boundary!.maxLevel);
      expect(AT_LEAST_YELLOW).toContain(downstream!.maxLevel);
      expect(preWarning!.kind).toBe('upstream-arrival');
      expect(preWarning!.maxLevel).toBe('blue');
      // In event time: boundary alert, then the pre-warning, then the downstream exceedance inside the window.
      expect(preWarning!.firstSeen).toBeGreaterThanOrEqual(boundary!.firstSeen);
      expect(downstream!.firstSeen).toBeGreaterThan(preWarning!.firstSeen);
      const window = preWarning!.arrival!;
      expect(window.originSectionId).toBe('tp-fenhu');
      expect(window.fromTs).toBeLessThan(window.peakTs);
      expect(window.peakTs).toBeLessThan(window.toTs);
      const oneIntervalMs = 4 * 3_600_000; // nutrients are analysed on a 4-hour cycle
      expect(downstream!.firstSeen).toBeGreaterThanOrEqual(window.fromTs - oneIntervalMs);
      expect(downstream!.firstSeen).toBeLessThanOrEqual(window.toTs + oneIntervalMs);

      // The flat-lined DO sensor: a data-quality alert, and no pollution alert on dissolved oxygen at its section.
      expect(alerts.some((a) => a.key === 'dq-flat:TP-PW-01:do')).toBe(true);
      const fromFlatLine = alerts.filter((a) => isPollutionKind(a.kind) && a.sectionId === 'tp-pingwang' && (a.parameters.includes('do') || a.kind === 'sudden-change'));
      expect(fromFlatLine.map((a) => `${a.key} ${a.stationId} ${a.maxLevel} ${a.message}`)).toEqual([]);

      // A yellow-or-above alert at a boundary section opens one joint task led by the body above both provinces.
      const service = await rw.ctx.alerts();
      await eventually(async () => (await service.listTasks({ limit: 100, offset: 0 } as never)).items.length > 0, 30_000);
      const tasks = (await service.listTasks({ limit: 100, offset: 0 } as never)).items;
      // One joint task per section and incident: the spill's alerts at tp-fenhu all join the one task.
      const fenhuTasks = tasks.filter((t) => t.sectionId === 'tp-fenhu');
      expect(fenhuTasks).toHaveLength(1);
      expect(fenhuTasks[0]!.coordinatorId).toBe('taihu-bureau');
      expect(fenhuTasks[0]!.alertIds).toEqual(expect.arrayContaining([boundary!.id]));
      // One alert opens at most one task.
      const alertIds = tasks.flatMap((t) => t.alertIds);
      expect(new Set(alertIds).size).toBe(alertIds.length);
    } finally {
      await rw.close();
    }
  }, 400_000);

  it('the same input with the analytics process killed in the middle gives the same alerts', async () => {
    expect(reference.length).toBeGreaterThan(3);
    const env = harnessEnv(svc, { RW_ALERTS_OPTIONS_FILE: alertsOptionsFile, RW_ANALYTICS_OPTIONS_FILE: analyticsOptionsFile });
    const rw = await runRoles(['ingest', 'store', 'alerts'], env);
    const analytics = new RoleProcess('analytics', env);
    try {
      await analytics.start();
      const simulation = simulate(svc.mosquitto.url);
      // Kill once analytics has acknowledged part of the stream but not all of it.
      await eventually(async () => {
        const groups = (await rw.ctx.redis('probe').xinfo('GROUPS', `${rw.config.redis.prefix}:readings:0`)) as unknown[][];
        const g = groups.map((x) => Object.fromEntries(Array.from({ length: x.length / 2 }, (_, i) => [x[2 * i], x[2 * i + 1]]))).find((x) => x.name === 'analytics');
        return Number(g?.['entries-read'] ?? 0) > 40;
      }, 60_000, 100);
      await analytics.kill9();
      await new Promise((r) => setTimeout(r, 1000));
      await analytics.start();
      await simulation;
      await eventually(() => analyticsCaughtUp(rw), 240_000, 500);
      expect(signature(await alertsOf(rw))).toEqual(reference);
    } finally {
      await analytics.stop();
      await rw.close();
    }
  }, 400_000);

  it('the same input through `riverwatch start`, analytics on its own thread (issue 14), gives the same alerts; SIGTERM stops the thread and the process cleanly', async () => {
    expect(reference.length).toBeGreaterThan(3);
    const env = harnessEnv(svc, {
      RW_ALERTS_OPTIONS_FILE: alertsOptionsFile,
      RW_ANALYTICS_OPTIONS_FILE: analyticsOptionsFile,
      RW_ROLES: 'ingest,store,analytics,alerts',
    });
    const start = new RoleProcess('start', env);
    // A client of the same Redis to read the log's groups and the alerts.
    const probe = createRedis(svc.redis.url, 'analytics-thread-probe');
    const prefix = env.RW_REDIS_PREFIX as string;
    try {
      await start.start();
      const logged = () => start.output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(logged().some((l) => l.thread === 'analytics' && l.msg === 'analytics started')).toBe(true);
      // Linux: the analytics thread alone runs at RW_ANALYTICS_THREAD_NICE (10), the main thread at the process's 0.
      const pid = start.child?.pid as number;
      const niceOf = (task: string) => Number(readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8').split(') ')[1]?.split(' ')[16]);
      const nices = readdirSync(`/proc/${pid}/task`).map(niceOf);
      expect(niceOf(String(pid))).toBe(0);
      expect(nices.filter((n) => n === 10).length).toBeGreaterThanOrEqual(1);
      await simulate(svc.mosquitto.url);
      await eventually(() => analyticsCaughtUpIn(probe, prefix), 240_000, 500);
      const alerts = (await readAlertsAndTasks(probe, registry, prefix)).alerts;
      expect(signature(alerts)).toEqual(reference);
      const exited = new Promise<number | null>((resolve) => start.child?.once('exit', (code) => resolve(code)));
      await start.stop();
      expect(await exited).toBe(0);
      const closed = logged().filter((l) => l.msg === 'closed').map((l) => `${l.thread ?? 'main'}:${String(l.part)}`);
      // The thread closed its role before the main thread closed what the thread used.
      expect(closed.indexOf('analytics:analytics')).toBeGreaterThanOrEqual(0);
      expect(closed.indexOf('main:analytics-thread')).toBeGreaterThan(closed.indexOf('analytics:analytics'));
      expect(closed.indexOf('main:readings-log')).toBeGreaterThan(closed.indexOf('main:analytics-thread'));
      expect(logged().filter((l) => Number(l.level) >= 50)).toEqual([]);
    } finally {
      await start.stop();
      probe.disconnect();
    }
  }, 400_000);
});
