/**
 * The public view on real Redis and InfluxDB: the sample registry, current
 * readings of every sample station and 30 days of hourly section classes in
 * InfluxDB, and the alerts stage on a test clock that has driven one joint
 * task at the Fenhu boundary all the way to closure (eight steps by both
 * parties with notes naming a person and a phone number, a problem with its
 * close-out, the 72 h post-supervision hold) and left another one open on
 * the Nanlan. The app is `buildApp` with the public view and the dashboard.
 */
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import type { TestServices } from '../../harness/services.js';
import { ON_SITE_STEPS, type Task } from '../../../platform/redis/alerts/index.js';
import { ManualClock, type Registry } from '../../../domain/index.js';
import { readingToLine } from '../../../platform/influx/line-protocol.js';
import type { App } from '../../../api/app.js';
import { dashboardPlugin } from '../../../api/dashboard/plugin.js';
import { publicViewRoutes } from '../../../api/public-view/public-view-routes.js';
import { AutoAckCommander, FAST, redisFor, waitFor } from '../alerts/helpers.js';
import { alertEvent, buildTestApp, reading, startStores } from './api-fixture.js';

const HOUR = 3_600_000;
const MIN = 60_000;

/** Strings put into the closed task's private parts; none may reach the public. */
export const PRIVATE_MARKERS = ['张三', '13800138000', 'secret-outfall-7', 'sealed by Li Si', 'report-internal-42'];

/** Current readings per station: Fenhu over its ammonia target (class IV), the rest within. */
export const CURRENT: Record<string, Record<string, number>> = {
  'TP-FH-JS': { ph: 7.4, do: 6.2, codmn: 4.5, nh3n: 1.2, tp: 0.16 },
  'TP-JS-01': { ph: 7.3, do: 6.8, codmn: 3.9, nh3n: 0.8, tp: 0.12 },
};

export interface PublicViewFixture {
  readonly svc: TestServices<{ redis: true; influx: true }>;
  readonly registry: Registry;
  readonly app: App;
  readonly baseUrl: string;
  readonly closedTask: Task;
  readonly openTask: Task;
  close(): Promise<void>;
}

export async function startPublicViewFixture(options: { rateLimitPerMinute?: number; cacheSeconds?: number } = {}): Promise<PublicViewFixture> {
  const { svc, registry, influx, defer, startAlerts, close } = await startStores('public');
  try {
    const now = Date.now();

    // Current readings of every station (sections without own values get clean water).
    const clean = { ph: 7.5, do: 7.6, codmn: 2.0, nh3n: 0.12, tp: 0.018 };
    const lines = [...registry.stations.values()].map((s) =>
      readingToLine(reading(s.id, s.sectionId, now - 5 * MIN, CURRENT[s.id] ?? clean), registry.section(s.sectionId)!.riverId),
    );
    // 30 days of hourly classes: Fenhu class IV on the afternoons of every 5th day (target III), class II otherwise.
    for (const section of registry.sections.values())
      for (let h = 30 * 24; h >= 1; h--) {
        const ts = Math.floor((now - h * HOUR) / HOUR) * HOUR;
        const day = Math.floor(ts / (24 * HOUR));
        const cls = section.id === 'tp-fenhu' && day % 5 === 0 && new Date(ts).getUTCHours() >= 6 && new Date(ts).getUTCHours() < 10 ? 4 : 2;
        lines.push(`section_class,river=${section.riverId},section=${section.id} class=${cls}i,deciding="${cls === 4 ? 'nh3n' : 'do'}" ${ts}`);
      }
    await influx.writeLines(lines);

    // The alerts stage on a test clock, four days back: one task driven to closure, one left open.
    const redis: Redis = redisFor(svc.redis.url);
    defer(() => redis.disconnect());
    const clock = new ManualClock(now - 4 * 24 * HOUR);
    const alerts = await startAlerts(redis, svc.uniqueName('rw'), {
      clock,
      commander: new AutoAckCommander(),
      config: { ...FAST, autoResolveHoldMs: 15 * MIN, postSupervisionHoldMs: 72 * HOUR, webhook: { attempts: 1, backoffMs: 100, timeoutMs: 500 } },
    });
    const key = 'sudden-change:tp-fenhu:nh3n';
    const raise = alertEvent({ sectionId: 'tp-fenhu', key, kind: 'sudden-change', level: 'red', stationId: 'TP-FH-JS', ts: clock.now() });
    await alerts.publish([raise]);
    const opened = await waitFor('task at Fenhu', async () => (await alerts.listTasks({ limit: 10, offset: 0 })).items.find((t) => t.conditionKey === key));
    for (const party of opened.parties)
      for (const step of ON_SITE_STEPS)
        await alerts.recordStep(
          opened.id,
          { party, step, note: `现场负责人 张三 13800138000`, attachments: ['report-internal-42'], ...(step === 'locate-sign-in' ? { coordinates: { lat: 30.95, lon: 120.8 } } : {}) },
          { kind: 'agency', agencyId: party, name: '张三' },
        );
    await alerts.registerProblem(
      opened.id,
      { description: 'secret-outfall-7 排污口', ownerAgencyId: 'wujiang', measures: 'seal the outfall', deadline: clock.now() + 48 * HOUR },
      { kind: 'agency', agencyId: 'suzhou', name: '张三' },
    );
    await alerts.publish([{ ...raise, type: 'clear', ts: clock.now() + HOUR }]);
    clock.advance(HOUR + 15 * MIN);
    await alerts.sweep();
    await waitFor('hold', async () => (await alerts.getTask(opened.id))?.status === 'hold');
    clock.advance(72 * HOUR);
    await alerts.sweep();
    await alerts.closeOutProblem(opened.id, 'p1', { evidence: ['report-internal-42'], note: 'sealed by Li Si' }, { kind: 'agency', agencyId: 'wujiang', name: '张三' });
    const closedTask = await waitFor('closed', async () => {
      const t = await alerts.getTask(opened.id);
      return t?.status === 'closed' ? t : undefined;
    });
    const openKey = 'sudden-change:nl-boundary:nh3n';
    await alerts.publish([alertEvent({ sectionId: 'nl-boundary', key: openKey, kind: 'sudden-change', level: 'red', stationId: 'NL-BD-LC', ts: clock.now() })]);
    const openTask = await waitFor('open task', async () => (await alerts.listTasks({ limit: 10, offset: 0 })).items.find((t) => t.conditionKey === openKey));

    const app = await buildTestApp([
      publicViewRoutes({
        registry,
        influx,
        closedTasks: async (limit) => (await alerts.listTasks({ status: ['closed'], limit, offset: 0 })).items,
        ...(options.cacheSeconds === undefined ? {} : { cacheSeconds: options.cacheSeconds }),
        ...(options.rateLimitPerMinute === undefined ? {} : { rateLimitPerMinute: options.rateLimitPerMinute }),
      }),
      dashboardPlugin(),
    ]);
    defer(() => app.close());
    await app.listen({ port: 0, host: '127.0.0.1' });
    const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    return { svc, registry, app, baseUrl, closedTask, openTask, close };
  } catch (err) {
    await close();
    throw err;
  }
}
