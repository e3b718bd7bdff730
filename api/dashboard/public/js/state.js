/** The dashboard session's state: what it holds, and folding in a newer version of an alert or task. */

export function emptyState() {
  return {
    me: undefined,
    rivers: [],
    sections: new Map(),
    stations: new Map(),
    agencies: new Map(),
    parameters: new Map(),
    status: new Map(),
    alerts: new Map(),
    tasks: new Map(),
    silences: new Map(),
    silencedAlerts: new Map(),
    escalations: new Map(),
    fresh: new Set(),
    resolving: new Map(),
    resolvingLabel: new Map(),
    stepDrafts: new Map(),
    history: undefined,
    stationId: undefined,
    range: '24h',
    nowMs: Date.now(),
    staleMs: 2 * 3600000,
  };
}

/** Keeps the newer of two versions of an alert or task (events and fetches may arrive in any order). */
export function upsert(map, item) {
  const known = map.get(item.id);
  if (!known || (item.updatedAt ?? 0) >= (known.updatedAt ?? 0)) map.set(item.id, item);
}

/** The list's shape of a task from its detail (the detail has every step record; the list counts them). */
export function taskSummary(task) {
  const stepsDone = Object.fromEntries(Object.entries(task.steps ?? {}).map(([party, records]) => [party, records.length]));
  return { ...task, stepsDone: task.stepsDone ?? stepsDone };
}
