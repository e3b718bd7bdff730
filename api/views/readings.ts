/** Classes and latest readings as the API answers them. */
import type { Static } from 'typebox';
import { CLASS_LABELS, type Section } from '../../domain/index.js';
import { stationClass, type SectionCurrentClass } from '../queries/current-class.js';
import type { StationLatest } from '../queries/readings-queries.js';
import type { CurrentClassSchema, StationLatestSchema } from '../schemas/readings.js';

export function currentClassView(current: SectionCurrentClass): Static<typeof CurrentClassSchema> {
  return {
    class: current.cls,
    label: CLASS_LABELS[current.cls],
    deciding: [...current.deciding],
    at: current.at,
    source: current.source,
    meetsTarget: current.meetsTarget,
  };
}

export function stationLatestView(latest: StationLatest, section: Section): Static<typeof StationLatestSchema> {
  const evaluated = stationClass(latest, section);
  const parameters: Static<typeof StationLatestSchema>['parameters'] = {};
  for (const [key, p] of Object.entries(evaluated.parameters)) {
    parameters[key] = {
      value: p.value,
      flag: p.flag,
      ...(p.cls === undefined ? {} : { class: p.cls }),
      ...(p.limit ? { limit: { ...p.limit } } : {}),
      exceedsTarget: p.exceedsTarget,
    };
  }
  return {
    stationId: latest.stationId,
    sectionId: section.id,
    ts: latest.ts,
    ...(evaluated.cls === undefined ? {} : { class: evaluated.cls }),
    deciding: [...evaluated.deciding],
    parameters,
  };
}
