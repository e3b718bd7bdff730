import { describe, expect, it } from 'vitest';
import { alertRecipients } from '../../../alerts/alarms/recipients.js';
import { signWebhook, verifyWebhook } from '../../../alerts/alarms/webhook.js';
import { parseCommandAck } from '../../../platform/mqtt/station-commander.js';
import { alertsConfig } from '../../../alerts/config.js';
import { compareStreamIds } from '../../../platform/redis/live-events.js';
import { testRegistry } from './registry-fixture.js';

const registry = testRegistry();

describe('alertRecipients', () => {
  it.each([
    { section: 'bd-prov', expected: ['k2:downstream', 'k1b:upstream', 'p1:lead'] },
    { section: 'bd-city', expected: ['k1b:downstream', 'k1a:upstream', 'c1:lead'] },
    { section: 'mid', expected: ['k1b:downstream'] },
    { section: 'nowhere', expected: [] },
  ])('$section → $expected', ({ section, expected }) => {
    expect(alertRecipients(registry, section).map((r) => `${r.agencyId}:${r.role}`)).toEqual(expected);
  });
});

describe('webhook signature', () => {
  const body = '{"a":1}';
  const ts = 1_700_000_000_000;
  it('is hex HMAC-SHA256 of "timestamp.body" and verifies', () => {
    // Known value computed independently: echo -n '1700000000000.{"a":1}' | openssl dgst -sha256 -hmac k
    expect(signWebhook('k', ts, body)).toBe('4284e27cb13c82554d08fc92e741b8ae1c126aa41c93a3060481666c36909b51');
    const signature = signWebhook('k', ts, body);
    expect(verifyWebhook('k', { signature, timestamp: String(ts) }, body, ts + 1000)).toEqual({ ok: true });
  });
  it.each([
    { name: 'wrong secret', secret: 'x', body, now: ts },
    { name: 'tampered body', secret: 'k', body: '{"a":2}', now: ts },
    { name: 'replayed late', secret: 'k', body, now: ts + 10 * 60_000 },
  ])('refuses $name', ({ secret, body: b, now }) => {
    expect(verifyWebhook(secret, { signature: signWebhook('k', ts, body), timestamp: String(ts) }, b, now).ok).toBe(false);
  });
});

describe('parseCommandAck', () => {
  it.each([
    { payload: '{"id":"c1","ok":true,"ts":5}', station: 'S1', expected: { id: 'c1', stationId: 'S1', ok: true, ts: 5 } },
    {
      payload: '{"id":"c1","ok":false,"message":"busy","ts":5}',
      station: 'S1',
      expected: { id: 'c1', stationId: 'S1', ok: false, message: 'busy', ts: 5 },
    },
    { payload: '{"id":"c1","ok":true,"stationId":"S2","ts":5}', station: 'S1', expected: undefined },
    { payload: '{"ok":true}', station: 'S1', expected: undefined },
    { payload: 'not json', station: 'S1', expected: undefined },
  ])('$payload', ({ payload, station, expected }) => {
    expect(parseCommandAck(payload, station)).toEqual(expected);
  });
});

describe('compareStreamIds', () => {
  it.each([
    ['1-0', '2-0', -1],
    ['10-0', '9-5', 1],
    ['5-2', '5-10', -1],
    ['5-3', '5-3', 0],
  ] as const)('%s vs %s', (a, b, expected) => {
    expect(compareStreamIds(a, b)).toBe(expected);
  });
});

describe('alertsConfig', () => {
  it('fills defaults and keeps overrides', () => {
    const c = alertsConfig({ arrivalDeadlineMs: { red: 1000 }, webhook: { attempts: 3 } });
    expect(c.arrivalDeadlineMs).toEqual({ red: 1000, orange: 4 * 3_600_000, yellow: 24 * 3_600_000, blue: 24 * 3_600_000 });
    expect(c.webhook.attempts).toBe(3);
    expect(c.postSupervisionHoldMs).toBe(72 * 3_600_000);
  });
  it('lists every bad key', () => {
    expect(() => alertsConfig({ autoResolveHoldMs: -1, webhook: { attempts: 0 } })).toThrow(/autoResolveHoldMs[\s\S]*attempts/);
  });
});
