import { describe, expect, it } from 'vitest';
import { RedisKeys } from '../../../platform/redis/keys.js';

/** The slot a key hashes to decides its hash tag: the part in the first `{…}` when it is not empty (Redis Cluster spec). */
function hashTag(key: string): string {
  const open = key.indexOf('{');
  const close = open >= 0 ? key.indexOf('}', open + 1) : -1;
  return open >= 0 && close > open + 1 ? key.slice(open + 1, close) : key;
}

describe('RedisKeys', () => {
  it('keeps the plain layout on a single server: rw:readings:3, rw:alerts:…', () => {
    const keys = new RedisKeys('rw');
    expect(keys.clusterLayout).toBe(false);
    expect(keys.readingsPartition(3)).toBe('rw:readings:3');
    expect(keys.partitionOf('rw:readings:3')).toBe(3);
    expect(keys.partitionOf('other:readings:3')).toBeNaN();
    expect(keys.eventLog()).toBe('rw:alerts:events');
  });

  it('with a hash-tag prefix, puts every workflow key in one slot and each partition in a slot of its own', () => {
    const keys = new RedisKeys('{rw}');
    expect(keys.clusterLayout).toBe(true);
    const workflow = [
      keys.condition('sec:nh3n'),
      keys.alert('al-1'),
      keys.seenEvents('sec:nh3n'),
      keys.alertIndex(),
      keys.activeAlerts(),
      keys.activeByLevel(),
      keys.eventLog(),
      keys.task('tk-1'),
      keys.taskByAlert('al-1'),
      keys.taskByCondition('sec:nh3n'),
      keys.openTaskBySection('sec'),
      keys.taskIndex(),
      keys.openTasks(),
      keys.delivery('d'),
      keys.deliveryLog(),
      keys.deadLetters(),
      keys.firstNotified('al-1'),
      keys.commandAck('c'),
      keys.feedback('a', 'al-1'),
      keys.feedbackIndex(),
      keys.feedbackCounts(),
      keys.notificationGroup('members', 'ag', 'g'),
      keys.silence('s'),
      keys.silenceIndex(),
      keys.silenceHeld('s'),
      keys.silenceHeldBy('al-1'),
      keys.transfer('t'),
      keys.transferIndex(),
      keys.openTransfers(),
      keys.transferBySubject('alert', 'al-1'),
      keys.apiKey('k'),
      keys.apiKeyIndex(),
    ];
    expect(new Set(workflow.map(hashTag))).toEqual(new Set(['rw']));
    const partitions = [0, 1, 2, 15].map((p) => keys.readingsPartition(p));
    expect(partitions).toEqual(['rw:readings:{0}', 'rw:readings:{1}', 'rw:readings:{2}', 'rw:readings:{15}']);
    expect(new Set(partitions.map(hashTag)).size).toBe(4);
    expect(partitions.map((k) => keys.partitionOf(k))).toEqual([0, 1, 2, 15]);
    expect(keys.partitionOf('rw:readings:3')).toBeNaN();
  });
});
