/**
 * The event log: one Redis stream of alert and task transitions, written in
 * the same atomic script as the state change it reports. It is both the
 * outbox the dispatcher reads through a consumer group (so a crash between
 * the change and its notifications loses nothing) and the live stream the
 * dashboard reads with Last-Event-ID (its entry ids are the SSE ids).
 */
import type { AlertSummary, AlertTransition } from '../../../alerts/alarms/alert-model.js';
import type { RedisCommand } from '../compare-and-set.js';
import type { TaskSummary, TaskTransition } from '../../../alerts/joint-monitoring/task-model.js';

export type LiveEvent =
  | { readonly type: 'alert'; readonly transition: AlertTransition; readonly alert: AlertSummary }
  | { readonly type: 'task'; readonly transition: TaskTransition; readonly task: TaskSummary };

export interface LoggedEvent {
  /** Stream entry id, e.g. `1732262400000-0`. */
  readonly id: string;
  readonly event: LiveEvent;
}

/** The XADD of one event, for a transaction's command list. */
export function appendCommand(streamKey: string, maxLen: number, event: LiveEvent): RedisCommand {
  return ['XADD', streamKey, 'MAXLEN', '~', maxLen, '*', 'type', event.type, 'data', JSON.stringify(event)];
}

/** Parses a raw stream entry (`[id, [field, value, ...]]`); undefined for an entry that is not ours. */
export function parseEntry(entry: [string, string[]]): LoggedEvent | undefined {
  const [id, fields] = entry;
  const index = fields.indexOf('data');
  const data = index >= 0 ? fields[index + 1] : undefined;
  if (data === undefined) return undefined;
  try {
    const event = JSON.parse(data) as LiveEvent;
    return event.type === 'alert' || event.type === 'task' ? { id, event } : undefined;
  } catch {
    return undefined;
  }
}

/** Section of an event, for scoping. */
export function sectionOf(event: LiveEvent): string {
  return event.type === 'alert' ? event.alert.sectionId : event.task.sectionId;
}
