/**
 * Who sees what (DESIGN.md "Guarantees"): an agency sees the alerts and
 * tasks of sections where it is a party, and its subordinates'; the lead
 * sees the task it coordinates, and an agency a task escalated to sees it.
 */
import type { Registry } from '../../domain/index.js';
import { sectionOf, type LiveEvent } from '../../platform/redis/alerts/index.js';

export function canSeeAlert(registry: Registry, agencyId: string, alert: { readonly sectionId: string }): boolean {
  return registry.canSeeSection(agencyId, alert.sectionId);
}

export function canSeeTask(
  registry: Registry,
  agencyId: string,
  task: {
    readonly sectionId: string;
    readonly coordinatorId: string;
    readonly parties: readonly string[];
    readonly escalations: readonly { readonly toAgencyId: string }[];
  },
): boolean {
  return (
    registry.canSeeSection(agencyId, task.sectionId) ||
    task.parties.some((p) => registry.isSelfOrSuperior(agencyId, p)) ||
    registry.isSelfOrSuperior(agencyId, task.coordinatorId) ||
    task.escalations.some((e) => e.toAgencyId === agencyId)
  );
}

export function canSeeEvent(registry: Registry, agencyId: string, event: LiveEvent): boolean {
  return event.type === 'alert'
    ? canSeeAlert(registry, agencyId, event.alert)
    : canSeeTask(registry, agencyId, event.task) || registry.canSeeSection(agencyId, sectionOf(event));
}
