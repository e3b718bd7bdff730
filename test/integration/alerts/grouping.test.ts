/**
 * Issue 15 §3 on real Redis and BullMQ: one spill that raises alerts at
 * three sections of one river within a second sends the agency that is a
 * party of all three ONE grouped webhook listing the three alerts (not
 * three, and the joint tasks the alerts opened are in it too), after the
 * group wait; every other agency concerned also hears of it once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertsService } from '../../../platform/redis/alerts/index.js';
import { alertEvent } from '../../unit/alerts/registry-fixture.js';
import { type AlertsFixture, AutoAckCommander, startAlertsFixture, waitFor, type WebhookReceiver } from './helpers.js';

describe('grouped notifications on real Redis', () => {
  let receiver: WebhookReceiver;
  let service: AlertsService;
  let fixture: AlertsFixture | undefined;

  beforeAll(async () => {
    fixture = await startAlertsFixture({
      name: 'grp',
      commander: new AutoAckCommander(),
      config: { notifyGroupWaitMs: 1500, notifyGroupRepeatMs: 60_000 },
    });
    ({ receiver, service } = fixture);
  });

  afterAll(async () => {
    await fixture?.close();
  });

  it('one spill at three sections: one grouped notification to the agency concerned by all three', async () => {
    const t0 = Date.now();
    // A plume moving down river r1: the city boundary, the reach below it, the provincial boundary.
    await service.publish([
      alertEvent({ ts: t0, key: 'exceedance:bd-city:nh3n', sectionId: 'bd-city', stationId: 'S-BC', parameters: ['nh3n'] }),
      alertEvent({ ts: t0 + 200, key: 'exceedance:mid:nh3n', sectionId: 'mid', stationId: 'S-MID', parameters: ['nh3n'] }),
      alertEvent({ ts: t0 + 400, key: 'exceedance:bd-prov:nh3n', sectionId: 'bd-prov', stationId: 'S-BP-1', parameters: ['nh3n'] }),
    ]);
    // bd-city notifies k1b, k1a, c1; mid k1b; bd-prov k2, k1b, p1: k1b is concerned by all three.
    await waitFor('the grouped notification to k1b', () => receiver.groupWebhooks().length >= 1);
    await waitFor('the other agencies’ notifications', () => new Set(receiver.received.map((w) => w.agencyId)).size >= 5);
    const within = Date.now() - t0;

    const toK1b = receiver.received.filter((w) => w.agencyId === 'k1b');
    expect(toK1b).toHaveLength(1);
    const group = receiver.groupWebhooks()[0]!;
    expect(group.validSignature).toBe(true);
    expect(group.payload.groupKey).toBe('r1');
    // Its members: the three alerts and the two joint tasks they opened (boundary sections), in time order.
    const members = group.payload.members.map((m) => (m.type === 'alert' ? `alert ${m.alert.sectionId}` : `task ${m.task.sectionId}`));
    expect(members.filter((m) => m.startsWith('alert'))).toEqual(['alert bd-city', 'alert mid', 'alert bd-prov']);
    expect(members.filter((m) => m.startsWith('task')).sort()).toEqual(['task bd-city', 'task bd-prov']);
    // Everyone else hears of this incident once too: one webhook each, the alert and its task together.
    for (const agencyId of ['k1a', 'c1', 'k2', 'p1'])
      expect(receiver.received.filter((w) => w.agencyId === agencyId), agencyId).toHaveLength(1);
    expect(within).toBeLessThan(60_000);
  });
});
