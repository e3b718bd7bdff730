/**
 * How many joint on-site tasks a scenario's alerts would open (issue 13 §9):
 * each raise of each episode is put to the alerts side's own rule
 * (alerts/joint-monitoring/task-rules.ts `taskTriggerFor`, default alerts settings), and, as
 * the task store does, one task per section and incident: a qualifying raise
 * at a section whose task is still open (not yet through post-supervision)
 * attaches to it instead of opening another. The offline eval has no alerts
 * side, so a task stays open until `postSupervisionHoldMs` after the last
 * qualifying episode of its section closed. Pure.
 */
import { alertsConfig } from '../alerts/config.js';
import { taskTriggerFor } from '../alerts/joint-monitoring/task-rules.js';
import type { AlertSummary } from '../alerts/alarms/alert-model.js';
import type { Registry } from '../domain/index.js';
import type { AlertEpisode } from './alert-episodes.js';

export interface JointTaskCount {
  /** Tasks opened, all sections. */
  readonly opened: number;
  /** Section ids with the number of tasks each. */
  readonly bySection: Readonly<Record<string, number>>;
}

export function jointTasksOpened(episodes: readonly AlertEpisode[], registry: Registry): JointTaskCount {
  const config = alertsConfig();
  const openUntil = new Map<string, number>();
  const bySection: Record<string, number> = {};
  let opened = 0;
  for (const ep of [...episodes].sort((a, b) => a.openTs - b.openTs)) {
    let previous: string | undefined;
    for (const r of ep.raises) {
      const level = r.level;
      const type = previous === undefined ? 'opened' : level !== undefined && level !== previous ? 'level-raised' : undefined;
      previous = level ?? previous ?? 'none';
      if (type === undefined) continue;
      const summary = {
        kind: r.kind,
        level,
        sectionId: ep.sectionId,
        evidence: r.originLevel === undefined ? {} : { originLevel: r.originLevel },
      } as unknown as AlertSummary;
      if (!taskTriggerFor(summary, type, registry, config)) continue;
      const until = openUntil.get(ep.sectionId);
      const end = (ep.closeTs ?? Number.POSITIVE_INFINITY) + config.postSupervisionHoldMs;
      if (until === undefined || r.ts > until) {
        opened += 1;
        bySection[ep.sectionId] = (bySection[ep.sectionId] ?? 0) + 1;
      }
      openUntil.set(ep.sectionId, Math.max(until ?? 0, end));
      break;
    }
  }
  return { opened, bySection };
}
