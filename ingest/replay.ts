/**
 * Replays dead letters after the registry or the gateway was fixed: each
 * distinct original submission is submitted again with its original topic
 * and credentials context; letters whose submission went through are removed,
 * and whatever is still refused lands in the dead letters again with its
 * (possibly new) reason. Repeats are harmless: storage and alerts are idempotent.
 * HJ 212 frames are not replayable here (their raw text needs the HJ 212 decoder).
 */
import type { DeadLetter, DeadLetterBook, IngestGateway } from '../domain/index.js';

export interface ReplayReport {
  readonly letters: number;
  readonly submissions: number;
  readonly accepted: number;
  readonly stillRefused: number;
  readonly skipped: number;
  readonly failed: number;
}

export async function replayDeadLetters(letters: readonly DeadLetter[], gateway: IngestGateway, store: DeadLetterBook): Promise<ReplayReport> {
  const groups = new Map<string, DeadLetter[]>();
  let skipped = 0;
  for (const letter of letters) {
    if (letter.source === 'hj212' || letter.truncated || letter.raw === '') {
      skipped++;
      continue;
    }
    const key = JSON.stringify([letter.raw, letter.topic, letter.authStationId, letter.source]);
    groups.set(key, [...(groups.get(key) ?? []), letter]);
  }
  let accepted = 0;
  let stillRefused = 0;
  let failed = 0;
  for (const group of groups.values()) {
    const first = group[0] as DeadLetter;
    let payload: unknown;
    try {
      payload = JSON.parse(first.raw);
    } catch {
      skipped += group.length;
      continue;
    }
    try {
      const result = await gateway.submit({
        source: 'replay',
        payload,
        raw: first.raw,
        ...(first.topic ? { topic: first.topic } : {}),
        ...(first.authStationId ? { authStationId: first.authStationId } : {}),
        ...(first.peer ? { peer: first.peer } : {}),
      });
      accepted += result.accepted;
      stillRefused += result.rejected.length;
      await store.remove(group.map((l) => l.id));
    } catch {
      failed += group.length;
    }
  }
  return { letters: letters.length, submissions: groups.size, accepted, stillRefused, skipped, failed };
}
