/**
 * The analytics process (issue 5 §1): reads the readings log through its own
 * consumer group, orders each section's readings in event time (reorder
 * buffer), runs the section analyzers and hands their alert events to the
 * alerts side. Log entries are acknowledged only after
 *
 * 1. every reading of the entry has been analysed and its events handed over
 *    (the sink is durable and idempotent per event), and
 * 2. a checkpoint of the analyzers' state taken after that was saved.
 *
 * After a crash the analyzers restart from the last checkpoint and the
 * unacknowledged entries are delivered again; readings the checkpoint
 * already covers are ignored by the analyzer (not newer than the station's
 * last one), the rest regenerate the same events, which the sink dedupes.
 * Sections without a checkpoint are warm-started from stored history.
 * Pure of I/O libraries: the log, the sink, the checkpoints, the history and
 * the class writer are ports. Which entries may be acknowledged is
 * pending-entries.ts; when a section's hourly class is written,
 * hourly-section-class.ts.
 */
import { EventEmitter } from 'node:events';
import type {
  AlertEvent,
  AlertSink,
  Clock,
  LogEntry,
  ParameterTable,
  Reading,
  ReadingHistory,
  ReadingsLogReader,
  Registry,
  SectionClassWriter,
  SnapshotStore,
} from '../domain/index.js';
import { parseAnalyticsOptions, resolveSectionOptions, type AnalyticsOptionsInput } from './options.js';
import { ReorderBuffer, sectionHoldLimits } from './reorder-buffer.js';
import { HourlySectionClass } from './hourly-section-class.js';
import { entryKeyOf, PendingEntries } from './pending-entries.js';
import { SectionAnalyzer } from './section-analyzer.js';
import { DEFAULT_WORKER_SETTINGS, type AnalyticsWorkerSettings } from './worker-settings.js';

export { DEFAULT_WORKER_SETTINGS, type AnalyticsWorkerSettings } from './worker-settings.js';

export interface AnalyticsWorkerDeps {
  readonly registry: Registry;
  readonly parameters: ParameterTable;
  readonly clock: Clock;
  readonly reader: ReadingsLogReader;
  readonly sink: AlertSink;
  readonly snapshots: SnapshotStore;
  readonly history?: ReadingHistory;
  readonly classWriter?: SectionClassWriter;
  /** Open condition keys the alerts side holds for a section, to reconcile a warm start. */
  readonly openKeys?: (sectionId: string) => Promise<ReadonlySet<string>>;
  /** Sections this process owns (its partitions); readings of others are acknowledged and skipped. */
  readonly sections: readonly string[];
  readonly options?: AnalyticsOptionsInput;
  readonly settings?: Partial<AnalyticsWorkerSettings>;
  readonly logger: {
    info(obj: object, msg: string): void;
    warn(obj: object, msg: string): void;
    error(obj: object, msg: string): void;
  };
}

interface Item extends Reading {
  /** The readings-log entry it came in (partition and id, {@link entryKeyOf}). */
  readonly entryKey: string;
}

export interface AnalyticsStats {
  readings: number;
  events: number;
  checkpoints: number;
  late: number;
  notOwned: number;
}

export class AnalyticsWorker extends EventEmitter<{ error: [Error]; events: [AlertEvent[]] }> {
  readonly stats: AnalyticsStats = { readings: 0, events: 0, checkpoints: 0, late: 0, notOwned: 0 };
  readonly #deps: AnalyticsWorkerDeps;
  readonly #settings: AnalyticsWorkerSettings;
  readonly #analyzers = new Map<string, SectionAnalyzer>();
  readonly #buffers = new Map<string, ReorderBuffer<Item>>();
  readonly #pending = new PendingEntries();
  readonly #dirty = new Set<string>();
  readonly #classes: HourlySectionClass;
  #serial: Promise<unknown> = Promise.resolve();
  #loop: Promise<void> | undefined;
  #tickTimer: NodeJS.Timeout | undefined;
  #closing = false;
  #lastCheckpointAt = 0;
  /** What the last checkpoint's snapshots and their serialisation took (ms). */
  #lastCheckpointMs = 0;
  #caughtUp = false;
  #checkpointSeq = 0;

  constructor(deps: AnalyticsWorkerDeps) {
    super();
    this.#deps = deps;
    this.#settings = { ...DEFAULT_WORKER_SETTINGS, ...deps.settings };
    this.#classes = new HourlySectionClass(deps.classWriter, deps.logger);
    if (deps.options !== undefined) {
      const parsed = parseAnalyticsOptions(deps.options);
      if (!parsed.ok) throw new Error(`analytics options: ${parsed.problems.join('; ')}`);
    }
  }

  /** Sections analysed here, for tests and the API. */
  analyzer(sectionId: string): SectionAnalyzer | undefined {
    return this.#analyzers.get(sectionId);
  }

  async start(): Promise<void> {
    await this.#warmStart();
    this.#loop = this.#run().catch((err: unknown) => {
      this.emit('error', err instanceof Error ? err : new Error(String(err)));
    });
    this.#tickTimer = setInterval(() => {
      this.#exclusive(() => this.#tick()).catch((err: unknown) =>
        this.#deps.logger.warn({ err }, 'analytics tick failed; next tick retries'),
      );
    }, this.#settings.tickIntervalMs);
    this.#tickTimer.unref();
  }

  async #warmStart(): Promise<void> {
    const { registry, sections, snapshots, history, openKeys, logger } = this.#deps;
    const saved = await snapshots.load(sections);
    let restored = 0;
    let warmed = 0;
    for (const sectionId of sections) {
      const deps = this.#analyzerDeps(sectionId);
      const snapshot = saved.get(sectionId);
      let analyzer: SectionAnalyzer | undefined;
      if (snapshot !== undefined) {
        try {
          analyzer = SectionAnalyzer.restore(snapshot, deps);
          restored++;
        } catch (err) {
          logger.warn({ err, sectionId }, 'analytics checkpoint unusable; warm-starting from history');
        }
      }
      if (!analyzer) {
        analyzer = new SectionAnalyzer(deps);
        const stationIds = registry.stationsOf(sectionId).map((s) => s.id);
        const readings = history
          ? await history.readingsSince(stationIds, this.#deps.clock.now() - this.#settings.warmHistoryMs)
          : [];
        const known = openKeys ? await openKeys(sectionId) : undefined;
        const events = analyzer.warmStart(readings, known);
        if (events.length > 0) await this.#publish(events);
        if (readings.length > 0) warmed++;
        this.#dirty.add(sectionId);
      }
      this.#analyzers.set(sectionId, analyzer);
      this.#buffers.set(
        sectionId,
        new ReorderBuffer<Item>(
          sectionHoldLimits(resolveSectionOptions(this.#deps.options, sectionId).reorder, registry.stationsOf(sectionId).length),
          (a, b) => (a.stationId < b.stationId ? -1 : a.stationId > b.stationId ? 1 : 0),
        ),
      );
    }
    logger.info({ sections: sections.length, restored, warmedFromHistory: warmed }, 'analytics started');
  }

  #analyzerDeps(sectionId: string) {
    return {
      registry: this.#deps.registry,
      sectionId,
      clock: this.#deps.clock,
      parameters: this.#deps.parameters,
      ...(this.#deps.options === undefined ? {} : { options: this.#deps.options }),
      upstreamView: (id: string) => this.#analyzers.get(id)?.view(),
    };
  }

  async #run(): Promise<void> {
    while (!this.#closing) {
      let entries: LogEntry[];
      try {
        entries = await this.#deps.reader.next();
      } catch (err) {
        if (this.#closing) return;
        this.#deps.logger.warn({ err }, 'reading the readings log failed; retrying');
        await sleep(1000);
        continue;
      }
      this.#caughtUp = entries.length < this.#settings.fullReadEntries;
      try {
        await this.#exclusive(async () => {
          const now = this.#deps.clock.now();
          for (const entry of entries) this.#accept(entry, now);
          await this.#drain(now);
          if (this.#checkpointDue(now)) await this.#checkpoint();
        });
      } catch (err) {
        // A checkpoint that cannot reach Redis (a failover, a restart) must not stop the worker: what it
        // covers stays held and unacknowledged, and the next checkpoint saves and acknowledges it.
        if (this.#closing) return;
        this.#deps.logger.warn({ err }, 'analytics checkpoint failed; the next one retries');
        await sleep(1000);
      }
    }
  }

  #accept(entry: LogEntry, now: number): void {
    // Handed out again while still held here: the log's consumer claims entries idle past its claim time, its
    // own included, and the reorder buffer may hold a reading that long. Taking it again would push its readings
    // a second time and restart its count, and the claim after that would come round again: nothing is new.
    if (this.#pending.holds(entryKeyOf(entry))) return;
    let outstanding = 0;
    for (const reading of entry.readings) {
      const buffer = this.#buffers.get(reading.sectionId);
      if (!buffer) {
        this.stats.notOwned++;
        continue;
      }
      buffer.push({ ...reading, entryKey: entryKeyOf(entry) }, now);
      outstanding++;
    }
    this.#pending.add(entry, outstanding, now);
  }

  /** Releases what each buffer allows, analyses it and hands the events over. */
  async #drain(now: number): Promise<void> {
    const events: AlertEvent[] = [];
    const finished: Item[] = [];
    for (const [sectionId, buffer] of this.#buffers) {
      const released = buffer.drain(now);
      if (released.inOrder.length === 0 && released.late.length === 0) continue;
      const analyzer = this.#analyzers.get(sectionId) as SectionAnalyzer;
      // Late readings go to the analyzer too: it ignores any reading not newer than its station's last one.
      this.stats.late += released.late.length;
      // Late readings (a link-loss backlog) are older than what was just released: analyse everything
      // in event-time order, or the analyzer would see the newest first and drop the backlog as stale.
      const items = released.late.length === 0 ? released.inOrder : [...released.late, ...released.inOrder].sort((a, b) => a.ts - b.ts || (a.stationId < b.stationId ? -1 : a.stationId > b.stationId ? 1 : 0));
      events.push(...analyzer.process(items));
      finished.push(...items);
      this.stats.readings += items.length;
      this.#dirty.add(sectionId);
      this.#classes.due(sectionId, buffer.lastReleasedTs);
    }
    if (events.length > 0) await this.#publish(events);
    for (const item of finished) this.#pending.analysed(item.entryKey, now);
    await this.#classes.write(this.#analyzers, this.#buffers);
  }

  async #tick(): Promise<void> {
    const now = this.#deps.clock.now();
    await this.#drain(now);
    const events: AlertEvent[] = [];
    if (this.#caughtUp) for (const analyzer of this.#analyzers.values()) events.push(...analyzer.tick(now));
    if (events.length > 0) {
      await this.#publish(events);
      for (const analyzer of this.#analyzers.values()) this.#dirty.add(analyzer.section.id);
    }
    if (this.#checkpointDue(now)) await this.#checkpoint();
  }

  async #publish(events: AlertEvent[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#deps.sink.publish(events);
        this.stats.events += events.length;
        this.emit('events', events);
        return;
      } catch (err) {
        // Holding here holds the log too: nothing is acknowledged before its events are handed over.
        if (attempt === 1 || attempt % 20 === 0)
          this.#deps.logger.warn({ err, attempt, events: events.length }, 'handing alert events over failed; retrying');
        if (this.#closing && attempt > 3) throw err;
        await sleep(Math.min(250 * attempt, 5000));
      }
    }
  }

  /** Every checkpointIntervalMs, or less often (up to checkpointMaxIntervalMs) when their work would take more than checkpointMaxShare of the time. */
  #checkpointDue(now: number): boolean {
    const { checkpointIntervalMs, checkpointMaxShare, checkpointMaxIntervalMs } = this.#settings;
    const stretched = Math.min(checkpointMaxIntervalMs, this.#lastCheckpointMs / checkpointMaxShare);
    return now - this.#lastCheckpointAt >= Math.max(checkpointIntervalMs, stretched);
  }

  /** Saves the state of changed sections, then acknowledges the entries it covers. */
  async #checkpoint(): Promise<void> {
    const startedAt = this.#deps.clock.now();
    const covered = this.#pending.covered();
    // The work the checkpoint costs this process: the snapshots and their serialisation (synchronous up to the
    // first await of save), not the wait for Redis, which a failover can stretch to seconds.
    let work = 0;
    if (this.#dirty.size > 0) {
      const began = performance.now();
      const snapshots = new Map<string, unknown>();
      for (const sectionId of this.#dirty) snapshots.set(sectionId, this.#analyzers.get(sectionId)?.snapshot());
      const saved = this.#deps.snapshots.save(snapshots);
      work = performance.now() - began;
      await saved;
      this.#dirty.clear();
    }
    if (covered.length > 0) {
      await this.#deps.reader.ack(covered);
      this.#pending.acknowledged(covered);
    }
    this.#lastCheckpointAt = startedAt;
    this.#lastCheckpointMs = work;
    this.stats.checkpoints = ++this.#checkpointSeq;
  }

  /** Runs `work` after everything queued before it (the loop and the timer share the analyzers). */
  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#serial.then(work, work);
    this.#serial = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    if (this.#tickTimer) clearInterval(this.#tickTimer);
    await this.#loop;
    // A last checkpoint so a clean restart resumes exactly here.
    await this.#exclusive(() => this.#checkpoint()).catch((err: unknown) =>
      this.#deps.logger.warn({ err }, 'final analytics checkpoint failed; the next start replays from the previous one'),
    );
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
