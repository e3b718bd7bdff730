/**
 * What the public view discloses (issue 18 §2; seeds 002, 003, 004: publish
 * monitoring information and enforcement results), built field by field from
 * the registry, the section classes and the closed joint tasks. Nothing is
 * spread from an internal object, so a field added inside RiverWatch never
 * reaches the public by accident: no station ids or credentials, no contacts,
 * no dead letters, no open tasks, no notes or names of people. Pure.
 */
import { CLASS_LABELS, type BilingualName, type Registry, type Section, type WaterClass } from '../../domain/index.js';
import type { SectionCurrentClass } from '../queries/current-class.js';
import { isoWithOffset } from '../reports/csv.js';
import type { SectionClassPoint } from '../queries/readings-queries.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface PublicClass {
  readonly class: WaterClass;
  readonly label: BilingualName;
}

export interface PublicDay {
  /** Local date, YYYY-MM-DD. */
  readonly date: string;
  /** Worst hourly class of the day; null when no hour was evaluated. */
  readonly class: WaterClass | null;
  readonly label: BilingualName | null;
  readonly hoursEvaluated: number;
  readonly hoursMeetingTarget: number;
  readonly meetsTarget: boolean | null;
}

export interface PublicSection {
  readonly id: string;
  readonly name: BilingualName;
  readonly river: BilingualName;
  readonly positionKm: number;
  readonly boundary: boolean;
  /** Jurisdictions on either side (names only). */
  readonly jurisdictions: readonly BilingualName[];
  readonly targetClass: number;
  readonly targetLabel: BilingualName;
  readonly current: (PublicClass & { readonly at: string; readonly meetsTarget: boolean; readonly deciding: readonly string[] }) | null;
  readonly days: readonly PublicDay[];
}

/** A closed joint-monitoring task as the public sees it. */
export interface PublicTask {
  readonly id: string;
  readonly section: BilingualName;
  readonly river: BilingualName;
  readonly level: string | null;
  readonly parties: readonly BilingualName[];
  readonly lead: BilingualName;
  readonly openedAt: string;
  readonly closedAt: string;
  readonly result: BilingualName;
  readonly problemsRectified: number;
  readonly reopened: number;
  readonly escalations: number;
}

/** The task fields the public view reads (a closed task of the alerts stage has them all). */
export interface ClosedTaskInput {
  readonly id: string;
  readonly sectionId: string;
  readonly level: string | undefined;
  readonly parties: readonly string[];
  readonly coordinatorId: string;
  readonly openedAt: number;
  readonly closedAt: number | undefined;
  readonly hold: { readonly startedAt: number; readonly until: number } | undefined;
  readonly reopenCount: number;
  readonly escalations: readonly unknown[];
  readonly problems: readonly { readonly status: string }[];
}

/** Local date (YYYY-MM-DD) of an instant. */
export function localDate(ms: number, tzOffsetMin: number): string {
  return new Date(ms + tzOffsetMin * 60_000).toISOString().slice(0, 10);
}

/** Start (epoch ms) of the local day `daysBack` days before the one holding `nowMs`. */
export function localDayStart(nowMs: number, tzOffsetMin: number, daysBack = 0): number {
  const offsetMs = tzOffsetMin * 60_000;
  return Math.floor((nowMs + offsetMs) / DAY_MS) * DAY_MS - offsetMs - daysBack * DAY_MS;
}

/** One entry per local day from `fromMs` (a local midnight) to the day of `nowMs`: the worst hourly class and the hours at or better than the target. */
export function classByDay(points: readonly SectionClassPoint[], target: number, fromMs: number, nowMs: number, tzOffsetMin: number): PublicDay[] {
  const days = new Map<string, { worst: WaterClass; evaluated: number; meeting: number }>();
  for (const p of points) {
    const date = localDate(p.ts, tzOffsetMin);
    const d = days.get(date) ?? { worst: p.cls, evaluated: 0, meeting: 0 };
    d.worst = p.cls > d.worst ? p.cls : d.worst;
    d.evaluated += 1;
    if (p.cls <= target) d.meeting += 1;
    days.set(date, d);
  }
  const out: PublicDay[] = [];
  for (let t = fromMs; t <= nowMs; t += DAY_MS) {
    const date = localDate(t, tzOffsetMin);
    const d = days.get(date);
    out.push({
      date,
      class: d ? d.worst : null,
      label: d ? CLASS_LABELS[d.worst] : null,
      hoursEvaluated: d?.evaluated ?? 0,
      hoursMeetingTarget: d?.meeting ?? 0,
      meetsTarget: d ? d.worst <= target : null,
    });
  }
  return out;
}

const nameOf = (registry: Registry, agencyId: string): BilingualName => {
  const a = registry.agencies.get(agencyId);
  return a ? { zh: a.name.zh, en: a.name.en } : { zh: agencyId, en: agencyId };
};

export function publicSection(
  registry: Registry,
  section: Section,
  current: SectionCurrentClass | undefined,
  days: readonly PublicDay[],
  tzOffsetMin: number,
): PublicSection {
  const river = registry.rivers.get(section.riverId);
  const sides = [...new Set([section.upstreamAgencyId, section.downstreamAgencyId])];
  return {
    id: section.id,
    name: { zh: section.name.zh, en: section.name.en },
    river: river ? { zh: river.name.zh, en: river.name.en } : { zh: section.riverId, en: section.riverId },
    positionKm: section.positionKm,
    boundary: section.boundary,
    jurisdictions: sides.map((id) => nameOf(registry, id)),
    targetClass: section.targetClass,
    targetLabel: CLASS_LABELS[section.targetClass],
    current: current
      ? {
          class: current.cls,
          label: CLASS_LABELS[current.cls],
          at: isoWithOffset(current.at, tzOffsetMin),
          meetsTarget: current.meetsTarget,
          deciding: [...current.deciding],
        }
      : null,
    days: days.map((d) => ({ ...d })),
  };
}

/** A closed task as disclosed; undefined for a task that is not closed (open investigations stay private). */
export function publicTask(registry: Registry, task: ClosedTaskInput, tzOffsetMin: number): PublicTask | undefined {
  if (task.closedAt === undefined) return undefined;
  const section = registry.section(task.sectionId);
  const river = section ? registry.rivers.get(section.riverId) : undefined;
  const heldHours = task.hold ? Math.round((task.hold.until - task.hold.startedAt) / HOUR_MS) : 0;
  const rectified = task.problems.filter((p) => p.status === 'closed').length;
  return {
    id: task.id,
    section: section ? { zh: section.name.zh, en: section.name.en } : { zh: task.sectionId, en: task.sectionId },
    river: river ? { zh: river.name.zh, en: river.name.en } : { zh: '', en: '' },
    level: task.level ?? null,
    parties: task.parties.map((id) => nameOf(registry, id)),
    lead: nameOf(registry, task.coordinatorId),
    openedAt: isoWithOffset(task.openedAt, tzOffsetMin),
    closedAt: isoWithOffset(task.closedAt, tzOffsetMin),
    result: {
      zh: `水质恢复至目标类别并保持 ${heldHours} 小时后办结；整改问题 ${rectified} 项已销号。`,
      en: `Closed after the water was back within its target class for ${heldHours} h; ${rectified} problem(s) rectified and closed out.`,
    },
    problemsRectified: rectified,
    reopened: task.reopenCount,
    escalations: task.escalations.length,
  };
}
