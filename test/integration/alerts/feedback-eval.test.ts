/**
 * Issue 15 §5, "`npm run eval` can score the detectors against the feedback
 * labels", end to end on real Redis: alerts of several kinds opened by the
 * alerts stage, labelled (and one relabelled) through the real feedback
 * store, exported by the API's own route (`GET /api/v1/feedback`, JSON and
 * CSV, with and without `unlabelled=true`), read and scored by the eval code
 * (eval/feedback-export.ts, eval/feedback-score.ts) with exact counts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry as MetricsRegistry } from 'prom-client';
import { buildApp, type App } from '../../../api/app.js';
import { AgencyKeyStore } from '../../../api/auth/index.js';
import { feedbackRoutes } from '../../../api/routes/feedback.js';
import { createAgencyKey } from '../../../bin/agency-keys-cli.js';
import { systemClock, type AlertEvent } from '../../../domain/index.js';
import { parseFeedbackExport } from '../../../eval/feedback-export.js';
import { scoreFeedback, type FeedbackGroup, type FeedbackScore } from '../../../eval/feedback-score.js';
import type { FeedbackInput } from '../../../alerts/alarms/feedback-model.js';
import { alertEvent } from '../../unit/alerts/registry-fixture.js';
import { AutoAckCommander, logger, startAlertsFixture, waitFor, type AlertsFixture } from './helpers.js';

let fx: AlertsFixture;
let app: App;
let authorization = '';

/** The alerts of this test and what their agencies said of them (undefined: nobody labelled it). */
const CASES: readonly { event: Omit<AlertEvent, 'ts'>; labels: readonly FeedbackInput[] }[] = [
  {
    event: ev('exceedance:bd-city:nh3n', 'exceedance', 'bd-city', 'S-BC', ['nh3n'], 'yellow'),
    // Relabelled: the latest label counts.
    labels: [{ label: 'false-alarm', cause: 'operations' }, { label: 'real-event' }],
  },
  {
    event: ev('exceedance:mid:nh3n', 'exceedance', 'mid', 'S-MID', ['nh3n'], 'yellow'),
    labels: [{ label: 'false-alarm', cause: 'rain' }],
  },
  {
    event: ev('exceedance:bd-prov:tp', 'exceedance', 'bd-prov', 'S-BP-1', ['tp'], 'yellow'),
    labels: [{ label: 'false-alarm', cause: 'sensor' }],
  },
  {
    event: ev('sudden-change:bd-prov:S-BP-2', 'sudden-change', 'bd-prov', 'S-BP-2', ['tp', 'nh3n'], 'yellow'),
    // No cause given: stored as unknown.
    labels: [{ label: 'false-alarm' }],
  },
  { event: ev('trend:up:tp', 'trend', 'up', 'S-UP', ['tp'], 'blue'), labels: [{ label: 'test' }] },
  { event: ev('dq-flat:S-MID:tp', 'data-quality', 'mid', 'S-MID', ['tp'], undefined), labels: [{ label: 'real-event' }] },
  { event: ev('exceedance:low:tp', 'exceedance', 'low', 'S-LOW', ['tp'], 'yellow'), labels: [] },
  { event: ev('exceedance:up:nh3n', 'early-warning', 'up', 'S-UP', ['nh3n'], 'blue'), labels: [] },
];

function ev(
  key: string,
  kind: AlertEvent['kind'],
  sectionId: string,
  stationId: string,
  parameters: string[],
  level: AlertEvent['level'],
): Omit<AlertEvent, 'ts'> {
  return { ...alertEvent({ ts: 0 }), key, kind, sectionId, stationId, parameters, level };
}

beforeAll(async () => {
  fx = await startAlertsFixture({ name: 'fbeval', commander: new AutoAckCommander() });
  const { service, registry, redis } = fx;
  const keys = new AgencyKeyStore({ redis, keys: service.keys, clock: systemClock });
  // The province is a party of every section of the test river: its export holds all of them.
  authorization = `Bearer ${(await createAgencyKey('p1', { redis, keyPrefix: service.config.keyPrefix, registry, label: 'test' })).key}`;
  app = await buildApp({
    logger,
    metrics: new MetricsRegistry(),
    readiness: {},
    bodyLimitBytes: 1_048_576,
    plugins: [
      async (a) => {
        await a.register(feedbackRoutes, { service, registry, keys });
      },
    ],
  });
  await app.ready();

  const now = Date.now();
  await service.publish(CASES.map((c, i) => ({ ...c.event, ts: now + i })));
  const alerts = await waitFor('the alerts', async () => {
    const { items } = await service.listAlerts({ limit: 100, offset: 0 });
    return items.length === CASES.length ? items : undefined;
  });
  for (const c of CASES) {
    const alert = alerts.find((a) => a.key === c.event.key)!;
    for (const label of c.labels)
      await service.feedback.record(alert, label, { kind: 'agency', agencyId: 'k1b', name: '值班员' });
  }
});

afterAll(async () => {
  await app?.close();
  await fx?.close();
});

async function exported(query: string): Promise<{ text: string; score: FeedbackScore; problems: string[] }> {
  const res = await app.inject({ method: 'GET', url: `/api/v1/feedback${query}`, headers: { authorization } });
  expect(res.statusCode, res.body).toBe(200);
  const parsed = parseFeedbackExport(res.body);
  return { text: res.body, score: scoreFeedback(parsed.records), problems: parsed.problems };
}

/** [alerts, real, false, tests, unlabelled] of each group. */
const counts = (groups: readonly FeedbackGroup[]) =>
  Object.fromEntries(groups.map((g) => [g.name, [g.alerts, g.realEvents, g.falseAlarms, g.tests, g.unlabelled]]));

describe('feedback labels scored by npm run eval', () => {
  it('scores the JSON export with the unlabelled alerts: per kind, detector, parameter and section, exactly', async () => {
    const { score, problems } = await exported('?unlabelled=true');
    expect(problems).toEqual([]);
    expect(score.all).toMatchObject({
      alerts: 8,
      labelled: 6,
      realEvents: 2,
      falseAlarms: 3,
      falseByCause: { rain: 1, sensor: 1, operations: 0, unknown: 1 },
      tests: 1,
      unlabelled: 2,
      precision: 0.4,
      unlabelledShare: 0.25,
    });
    expect(score.all.precisionLow).toBeCloseTo(0.1176, 4);
    expect(score.all.precisionHigh).toBeCloseTo(0.7693, 4);
    expect(counts(score.byKind)).toEqual({
      'data-quality': [1, 1, 0, 0, 0],
      'early-warning': [1, 0, 0, 0, 1],
      exceedance: [4, 1, 2, 0, 1],
      'sudden-change': [1, 0, 1, 0, 0],
      trend: [1, 0, 0, 1, 0],
    });
    expect(counts(score.byDetector)).toEqual({
      'data-quality/flat': [1, 1, 0, 0, 0],
      'sudden-change': [1, 0, 1, 0, 0],
      threshold: [5, 1, 2, 0, 2],
      trend: [1, 0, 0, 1, 0],
    });
    expect(counts(score.byParameter)).toEqual({ nh3n: [4, 1, 2, 0, 1], tp: [5, 1, 2, 1, 1] });
    expect(counts(score.bySection)).toEqual({
      'bd-city': [1, 1, 0, 0, 0],
      'bd-prov': [2, 0, 2, 0, 0],
      low: [1, 0, 0, 0, 1],
      mid: [2, 1, 1, 0, 0],
      up: [2, 0, 0, 1, 1],
    });
    expect(score.byMonth).toHaveLength(1);
    expect(score.withoutKey).toBe(0);
  });

  it('scores the CSV export the same (the key column tells the detector)', async () => {
    const json = await exported('?unlabelled=true');
    const csv = await exported('?unlabelled=true&format=csv&lang=en');
    expect(csv.text.split('\r\n')[0]).toMatch(/,key$/);
    expect(csv.problems).toEqual([]);
    // The CSV's times are to the second.
    const second = (ms: number | null) => (ms === null ? null : Math.floor(ms / 1000) * 1000);
    expect({ ...csv.score, fromMs: 0, toMs: 0 }).toEqual({ ...json.score, fromMs: 0, toMs: 0 });
    expect([csv.score.fromMs, csv.score.toMs]).toEqual([second(json.score.fromMs), second(json.score.toMs)]);
  });

  it('without unlabelled=true the export holds the labelled alerts only, and the report says so', async () => {
    const { score } = await exported('');
    expect(score.all).toMatchObject({ alerts: 6, labelled: 6, realEvents: 2, falseAlarms: 3, tests: 1, unlabelled: 0 });
    expect(score.caveats.some((c) => c.includes('unlabelled=true'))).toBe(true);
    expect(score.caveats[0]).toMatch(/^Recall .* cannot be computed from feedback/);
  });
});
