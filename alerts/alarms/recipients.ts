/**
 * Who is notified of an alert transition, in order: the section's
 * downstream agency first (the one the water flows to: policy.md
 * "First-moment notification"), then the upstream agency, then the lead
 * agency (lowest common superior). Pure.
 */
import type { Registry } from '../../domain/index.js';

export type RecipientRole = 'downstream' | 'upstream' | 'lead' | 'escalation' | 'party';

export interface Recipient {
  readonly agencyId: string;
  readonly role: RecipientRole;
}

/** Recipients of a section's alert transitions, downstream first; each agency once. */
export function alertRecipients(registry: Registry, sectionId: string): Recipient[] {
  const section = registry.section(sectionId);
  if (!section) return [];
  const out: Recipient[] = [{ agencyId: section.downstreamAgencyId, role: 'downstream' }];
  if (section.boundary) out.push({ agencyId: section.upstreamAgencyId, role: 'upstream' });
  const lead = registry.leadAgency(registry.partiesOf(section));
  if (lead && !out.some((r) => r.agencyId === lead.id)) out.push({ agencyId: lead.id, role: 'lead' });
  return out;
}
