/**
 * Transfer with feedback on real Redis, through the API, on a test clock
 * (issue 18): an alert at the Menghai reach belongs to Lancang county; Menghai
 * transfers it, nobody answers, the acceptance deadline passes and the
 * transfer escalates to Yunnan (the lowest common superior of the two
 * counties), then to the ministry; every step is in the alert's history, in
 * the transfer ledger and in the event log. Then the receiver accepts and
 * reports its result, which the sender sees; a refusal returns a transfer to
 * the sender; a task's transfer goes into the task's history; scoping;
 * signed webhooks to the receiver, the agency escalated to and the sender.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { Registry as MetricsRegistry } from 'prom-client';
import { startServices, type TestServices } from '../../harness/services.js';
import { AlertsService, TransferService, parseEntry } from '../../../platform/redis/alerts/index.js';
import { createAgencyKey } from '../../../bin/agency-keys-cli.js';
import { loadRegistryFile } from '../../../config/index.js';
import { ManualClock, type Registry } from '../../../domain/index.js';
import { buildApp, type App } from '../../../api/app.js';
import { AgencyKeyStore } from '../../../api/auth/index.js';
import { alertsRoutes } from '../../../api/routes/alerts.js';
import { tasksRoutes } from '../../../api/routes/tasks.js';
import { transfersRoutes } from '../../../api/routes/transfers.js';
import { alertEvent } from '../api/api-fixture.js';
import { testRegistry } from '../../unit/alerts/registry-fixture.js';
import { AutoAckCommander, FAST, logger, redisFor, waitFor, WebhookReceiver } from './helpers.js';

const HOUR = 3_600_000;
const AGENCIES = ['menghai', 'lancang', 'yn', 'mee', 'puer', 'wujiang'] as const;
type Agency = (typeof AGENCIES)[number];

let svc: TestServices<{ redis: true }>;
let redis: Redis;
let registry: Registry;
let alerts: AlertsService;
let transfers: TransferService;
let app: App;
const key = {} as Record<Agency, string>;
const clock = new ManualClock(Date.UTC(2026, 11, 6, 1));

beforeAll(async () => {
  svc = await startServices({ redis: true });
  redis = redisFor(svc.redis.url);
  registry = loadRegistryFile('config/registry.yaml');
  const keyPrefix = svc.uniqueName('tr');
  alerts = new AlertsService({
    redis,
    registry,
    logger,
    metricsRegistry: new MetricsRegistry(),
    clock,
    commander: new AutoAckCommander(),
    // Production deadlines (yellow: accept within 12 h, result within 72 h; 1 h escalation steps).
    config: { ...FAST, keyPrefix, queuePrefix: `${keyPrefix}q`, escalationIntervalMs: HOUR, webhook: { attempts: 1, backoffMs: 100, timeoutMs: 500 } },
  });
  await alerts.start();
  transfers = new TransferService({ redis, registry, keys: alerts.keys, config: alerts.config, clock, notifier: alerts.notifier, logger });
  const keys = new AgencyKeyStore({ redis, keys: alerts.keys, clock });
  for (const agency of AGENCIES) key[agency] = (await createAgencyKey(agency, { redis, keyPrefix, registry, label: 'test' })).key;
  app = await buildApp({
    logger,
    metrics: new MetricsRegistry(),
    readiness: {},
    bodyLimitBytes: 1_048_576,
    rateLimitPerMinute: 100_000,
    plugins: [
      async (a) => a.register(alertsRoutes, { service: alerts, registry, keys }),
      async (a) => a.register(tasksRoutes, { service: alerts, registry, keys }),
      async (a) => a.register(transfersRoutes, { service: alerts, transfers, registry, keys }),
    ],
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await alerts?.close({ force: true });
  redis?.disconnect();
  await svc?.close();
});

const call = (agency: Agency, method: 'GET' | 'POST', url: string, payload?: object) =>
  app.inject({ method, url, headers: { authorization: `Bearer ${key[agency]}` }, ...(payload ? { payload } : {}) });

async function openAlert(sectionId: string, stationId: string, k: string, level: 'yellow' | 'red' = 'yellow') {
  await alerts.publish([alertEvent({ sectionId, stationId, key: k, level, ts: clock.now(), message: 'ammonia nitrogen above target' })]);
  return waitFor('alert', async () => (await alerts.listAlerts({ limit: 50, offset: 0 })).items.find((a) => a.key === k));
}

async function eventLogTypes(subjectId: string): Promise<string[]> {
  const entries = (await redis.xrange(alerts.keys.eventLog(), '-', '+')) as [string, string[]][];
  return entries
    .map((e) => parseEntry(e)?.event)
    .filter((e) => e !== undefined && (e.type === 'alert' ? e.alert.id : e.task.id) === subjectId)
    .map((e) => e!.transition.type);
}

describe('a transfer nobody answers escalates to the common superior', () => {
  let alertId: string;
  let transferId: string;

  it('Menghai transfers the alert at its reach to Lancang with a reason', async () => {
    const alert = await openAlert('nl-menghai', 'NL-MH-01', 'exceedance:nl-menghai:nh3n');
    alertId = alert.id;
    // Menghai can see its reach's alert; Lancang cannot (not its section).
    expect((await call('lancang', 'GET', `/api/v1/alerts/${alertId}`)).statusCode).toBe(403);
    const res = await call('menghai', 'POST', `/api/v1/alerts/${alertId}/transfers`, {
      toAgencyId: 'lancang',
      reason: '污染源为澜沧县境内企业排口 / the source is an outfall in Lancang county',
      name: '值班员',
    });
    expect(res.statusCode).toBe(201);
    const t = res.json();
    transferId = t.id;
    expect(t).toMatchObject({
      status: 'pending',
      fromAgencyId: 'menghai',
      toAgencyId: 'lancang',
      superiorId: 'yn',
      acceptDeadline: clock.now() + 12 * HOUR,
      subject: { kind: 'alert', id: alertId, sectionId: 'nl-menghai', level: 'yellow', summary: 'ammonia nitrogen above target' },
      names: { to: { en: registry.agencies.get('lancang')!.name.en }, section: { zh: '勐海段' } },
    });
  });

  it('the receiver finds it in its ledger (with what it needs to know); a stranger does not', async () => {
    const incoming = (await call('lancang', 'GET', '/api/v1/transfers?direction=in')).json();
    expect(incoming.items.map((t: { id: string }) => t.id)).toEqual([transferId]);
    expect((await call('menghai', 'GET', '/api/v1/transfers?direction=in')).json().items).toEqual([]);
    expect((await call('menghai', 'GET', '/api/v1/transfers?direction=out')).json().total).toBe(1);
    expect((await call('wujiang', 'GET', `/api/v1/transfers/${transferId}`)).statusCode).toBe(403);
    expect((await call('wujiang', 'GET', '/api/v1/transfers')).json().total).toBe(0);
    // The sender cannot answer its own transfer.
    expect((await call('menghai', 'POST', `/api/v1/transfers/${transferId}/accept`, {})).statusCode).toBe(403);
  });

  it('one open transfer per alert; unknown receiver and unseen alerts are refused', async () => {
    const again = await call('menghai', 'POST', `/api/v1/alerts/${alertId}/transfers`, { toAgencyId: 'puer', reason: 'x' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('RW_TRANSFER_STATE');
    const other = await openAlert('nl-menghai', 'NL-MH-02', 'exceedance:nl-menghai:tp');
    const unknown = await call('menghai', 'POST', `/api/v1/alerts/${other.id}/transfers`, { toAgencyId: 'atlantis', reason: 'x' });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().error).toMatchObject({ code: 'RW_TRANSFER_INVALID', message: expect.stringContaining('GET /api/v1/registry') });
    expect((await call('wujiang', 'POST', `/api/v1/alerts/${other.id}/transfers`, { toAgencyId: 'lancang', reason: 'x' })).statusCode).toBe(403);
  });

  it('the acceptance deadline passes: to Yunnan (common superior), an hour later to the ministry', async () => {
    clock.advance(12 * HOUR - 1);
    await transfers.sweep();
    expect((await transfers.get(transferId))?.escalations).toEqual([]);
    clock.advance(1);
    await transfers.sweep();
    expect((await transfers.get(transferId))?.escalations).toEqual([{ at: clock.now(), toAgencyId: 'yn', level: 1, reason: 'accept-deadline' }]);
    // A second sweep at the same time changes nothing.
    await transfers.sweep();
    expect((await transfers.get(transferId))?.escalations).toHaveLength(1);
    clock.advance(HOUR);
    await transfers.sweep();
    const t = (await call('yn', 'GET', `/api/v1/transfers/${transferId}`)).json();
    expect(t.escalations.map((e: { toAgencyId: string }) => e.toAgencyId)).toEqual(['yn', 'mee']);
  });

  it('every step is in the ledger, in the alert history and in the event log', async () => {
    const ledger = (await call('menghai', 'GET', `/api/v1/transfers/${transferId}`)).json();
    expect(ledger.history.map((h: { type: string }) => h.type)).toEqual(['created', 'escalated', 'escalated']);
    const alert = (await call('menghai', 'GET', `/api/v1/alerts/${alertId}`)).json();
    const steps = alert.history.filter((h: { type: string }) => h.type.startsWith('transfer'));
    expect(steps.map((h: { type: string; details: { toAgencyId: string } }) => [h.type, h.details.toAgencyId])).toEqual([
      ['transferred', 'lancang'],
      ['transfer-escalated', 'yn'],
      ['transfer-escalated', 'mee'],
    ]);
    expect(steps[0].details.transferId).toBe(transferId);
    expect(steps[0].reason).toContain('Lancang county');
    expect(await eventLogTypes(alertId)).toEqual(expect.arrayContaining(['opened', 'transferred', 'transfer-escalated']));
  });

  it('the receiver accepts late, reports its result; the sender sees it, and a missed result deadline would escalate again', async () => {
    const accepted = (await call('lancang', 'POST', `/api/v1/transfers/${transferId}/accept`, { note: '已受理', name: '李工' })).json();
    expect(accepted).toMatchObject({ status: 'accepted', resultDeadline: clock.now() + 72 * HOUR, accepted: { note: '已受理', actor: { agencyId: 'lancang', name: '李工' } } });
    expect((await call('lancang', 'POST', `/api/v1/transfers/${transferId}/refuse`, { reason: 'late' })).statusCode).toBe(409);
    clock.advance(72 * HOUR);
    await transfers.sweep();
    expect((await transfers.get(transferId))?.escalations.at(-1)).toMatchObject({ toAgencyId: 'yn', level: 1, reason: 'result-deadline' });
    const done = await call('lancang', 'POST', `/api/v1/transfers/${transferId}/result`, { result: '排口已封堵，责令整改 / outfall sealed, owner ordered to rectify' });
    expect(done.json()).toMatchObject({ status: 'completed', result: { text: expect.stringContaining('outfall sealed') } });
    const seen = (await call('menghai', 'GET', `/api/v1/transfers/${transferId}`)).json();
    expect(seen.result.text).toContain('排口已封堵');
    const history = (await call('menghai', 'GET', `/api/v1/alerts/${alertId}`)).json().history.map((h: { type: string }) => h.type);
    expect(history.filter((t: string) => t.startsWith('transfer'))).toEqual([
      'transferred',
      'transfer-escalated',
      'transfer-escalated',
      'transfer-accepted',
      'transfer-escalated',
      'transfer-result',
    ]);
    // Completed: nothing more escalates (two for the acceptance, one for the result).
    clock.advance(10 * HOUR);
    await transfers.sweep();
    expect((await transfers.get(transferId))?.escalations).toHaveLength(3);
  });
});

describe('refusal and tasks', () => {
  it('a refusal with its reason returns the transfer to the sender, who may transfer again', async () => {
    const alert = await openAlert('nl-menghai', 'NL-MH-01', 'exceedance:nl-menghai:codmn');
    const t = (await call('menghai', 'POST', `/api/v1/alerts/${alert.id}/transfers`, { toAgencyId: 'lancang', reason: 'upstream source' })).json();
    expect((await call('lancang', 'POST', `/api/v1/transfers/${t.id}/refuse`, { reason: '' })).statusCode).toBe(400);
    const refused = (await call('lancang', 'POST', `/api/v1/transfers/${t.id}/refuse`, { reason: '经核查非本辖区排放 / not from our county' })).json();
    expect(refused).toMatchObject({ status: 'refused', refused: { reason: expect.stringContaining('not from our county') } });
    expect((await call('menghai', 'GET', `/api/v1/transfers?direction=out&status=refused`)).json().items.map((x: { id: string }) => x.id)).toContain(t.id);
    const history = (await alerts.getAlert(alert.id))!.history.map((h) => h.type);
    expect(history).toContain('transfer-refused');
    // Back with the sender: a new transfer (to the city) is allowed.
    expect((await call('menghai', 'POST', `/api/v1/alerts/${alert.id}/transfers`, { toAgencyId: 'xsbn', reason: 'county cannot settle it' })).statusCode).toBe(201);
  });

  it("a task's transfer is in the task's history", async () => {
    const alert = await openAlert('nl-boundary', 'NL-BD-MH', 'sudden-change:nl-boundary:nh3n', 'red');
    const task = await waitFor('task', async () => (await alerts.listTasks({ limit: 10, offset: 0 })).items.find((x) => x.alertIds.includes(alert.id)));
    const res = await call('menghai', 'POST', `/api/v1/tasks/${task.id}/transfers`, { toAgencyId: 'puer', reason: 'the city leads the inspection of the outfall' });
    expect(res.statusCode).toBe(201);
    // Red: accept within 1 h.
    expect(res.json().acceptDeadline).toBe(clock.now() + HOUR);
    const full = (await call('menghai', 'GET', `/api/v1/tasks/${task.id}`)).json();
    expect(full.history.at(-1)).toMatchObject({ type: 'transferred', details: { transferId: res.json().id, toAgencyId: 'puer' } });
    expect(await eventLogTypes(task.id)).toContain('transferred');
  });
});

describe('webhooks of a transfer', () => {
  it('the receiver hears of it, the agency escalated to of the escalation, the sender of the answer; signed', async () => {
    const receiver = new WebhookReceiver();
    const base = await receiver.listen();
    const reg = testRegistry(base);
    const wClock = new ManualClock(Date.UTC(2026, 11, 6, 2));
    const keyPrefix = svc.uniqueName('trw');
    const service = new AlertsService({
      redis,
      registry: reg,
      logger,
      metricsRegistry: new MetricsRegistry(),
      clock: wClock,
      commander: new AutoAckCommander(),
      config: { ...FAST, keyPrefix, queuePrefix: `${keyPrefix}q`, escalationIntervalMs: HOUR },
    });
    await service.start();
    try {
      const tService = new TransferService({ redis, registry: reg, keys: service.keys, config: service.config, clock: wClock, notifier: service.notifier, logger });
      await service.publish([alertEvent({ sectionId: 'mid', stationId: 'S-MID', key: 'exceedance:mid:tp', level: 'orange', ts: wClock.now() })]);
      const alert = await waitFor('alert', async () => (await service.listAlerts({ limit: 5, offset: 0 })).items[0]);
      // k1b (city c1) transfers to k2 (city c2): the common superior is the province p1.
      const t = await tService.create({ kind: 'alert', id: alert.id, fromAgencyId: 'k1b', toAgencyId: 'k2', reason: 'source in k2', actor: { kind: 'agency', agencyId: 'k1b' } });
      expect(t.superiorId).toBe('p1');
      const of = (type: string) => receiver.received.filter((r) => r.payload.type === 'alert' && r.payload.transition.type === type);
      await waitFor('transfer webhook', () => of('transferred').length > 0);
      expect(of('transferred').map((r) => [r.agencyId, r.validSignature])).toEqual([['k2', true]]);
      wClock.advance(2 * HOUR);
      await tService.sweep();
      await waitFor('escalation webhook', () => of('transfer-escalated').length > 0);
      expect(of('transfer-escalated').map((r) => r.agencyId)).toEqual(['p1']);
      await tService.refuse(t.id, { kind: 'agency', agencyId: 'k2' }, 'not ours');
      await waitFor('refusal webhook', () => of('transfer-refused').length > 0);
      expect(of('transfer-refused').map((r) => r.agencyId)).toEqual(['k1b']);
    } finally {
      await service.close({ force: true });
      await receiver.close();
    }
  });
});
