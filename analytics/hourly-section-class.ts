/**
 * Section class per event-time hour (issue 5 §8): when a section's readings
 * cross into a new hour, the class the analyzer reports now is written for
 * that hour. The class is a report: a failed write is logged and not retried
 * before the next hour, so the store being down never holds alerting.
 */
import type { SectionClassWriter } from '../domain/index.js';
import type { SectionAnalyzer } from './section-analyzer.js';

/** Decides when each section's hourly class is due and writes it through the port. */
export class HourlySectionClass {
  readonly #writer: SectionClassWriter | undefined;
  readonly #logger: { warn(obj: object, msg: string): void };
  readonly #hour = new Map<string, number>();
  readonly #pending = new Set<string>();

  constructor(writer: SectionClassWriter | undefined, logger: { warn(obj: object, msg: string): void }) {
    this.#writer = writer;
    this.#logger = logger;
  }

  /** Notes the newest released event time of a section; a new hour makes its class due. */
  due(sectionId: string, lastTs: number): void {
    if (!Number.isFinite(lastTs)) return;
    const hour = Math.floor(lastTs / 3_600_000);
    const last = this.#hour.get(sectionId);
    if (last === undefined) this.#hour.set(sectionId, hour);
    else if (hour > last) this.#pending.add(sectionId);
  }

  /** Writes the class of every section that is due (`lastReleasedTs`: the section's reorder buffer). */
  async write(
    analyzers: ReadonlyMap<string, SectionAnalyzer>,
    buffers: ReadonlyMap<string, { readonly lastReleasedTs: number }>,
  ): Promise<void> {
    if (this.#pending.size === 0 || !this.#writer) return;
    const points = [];
    for (const sectionId of this.#pending) {
      const analyzer = analyzers.get(sectionId) as SectionAnalyzer;
      const buffer = buffers.get(sectionId) as { readonly lastReleasedTs: number };
      const hour = Math.floor(buffer.lastReleasedTs / 3_600_000);
      const current = analyzer.currentClass();
      this.#hour.set(sectionId, hour);
      if (current.cls === undefined) continue;
      points.push({
        sectionId,
        riverId: analyzer.section.riverId,
        ts: hour * 3_600_000,
        cls: current.cls,
        deciding: current.deciding,
      });
    }
    this.#pending.clear();
    if (points.length === 0) return;
    try {
      await this.#writer.writeSectionClass(points);
    } catch (err) {
      // The class is a report; InfluxDB being down must not hold alerting.
      this.#logger.warn({ err, points: points.length }, 'writing section class failed; it is written again next hour');
    }
  }
}
