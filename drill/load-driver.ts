/**
 * Sends a prepared stream of readings through the gateways: either as fast
 * as the windows allow (`durationMs` 0), or spread over `durationMs` of wall
 * time in simulated-time order (a steady load). Each ingress path paces on
 * its own with a bounded number of sends awaiting acknowledgement, so a path
 * that is down (api, hj212) holds only its own readings back.
 */
import type { StationMessage } from '../simulators/index.js';
import type { IngressPath } from './ack-ledger.js';
import type { SimGateway } from './gateways.js';
import { tsOf } from './spill-load.js';

export interface LoadDriverOptions {
  readonly messages: readonly StationMessage[];
  /** Ingress path of each station. */
  readonly pathOf: (stationId: string) => IngressPath;
  readonly gateways: Readonly<Partial<Record<IngressPath, SimGateway>>>;
  /** Wall time over which the simulated span is spread; 0 = as fast as possible. */
  readonly durationMs: number;
  /** Sends awaiting acknowledgement per path. @defaultValue { mqtt: 200, http: 20, hj212: 30 } */
  readonly windows?: Readonly<Partial<Record<IngressPath, number>>>;
  /**
   * Paths whose stations send one reading at a time, the next only after the
   * previous one was acknowledged (a data logger replaying its store in order).
   * Without it, independent retries of one station's readings reorder them.
   * @defaultValue { http: true, hj212: true }
   */
  readonly inOrder?: Readonly<Partial<Record<IngressPath, boolean>>>;
}

export interface PathProgress {
  readonly total: number;
  dispatched: number;
  settled: number;
  /** How far the path is behind its schedule, ms (0 when on time). */
  behindMs: number;
}

const DEFAULT_WINDOWS: Record<IngressPath, number> = { mqtt: 200, http: 20, hj212: 30 };

export class LoadDriver {
  readonly progress: Record<IngressPath, PathProgress>;
  readonly #options: LoadDriverOptions;
  readonly #byPath: Record<IngressPath, StationMessage[]> = { mqtt: [], http: [], hj212: [] };
  #stopped = false;
  #running: Promise<void> | undefined;

  constructor(options: LoadDriverOptions) {
    this.#options = options;
    for (const message of options.messages) this.#byPath[options.pathOf(message.stationId)].push(message);
    const progress = (path: IngressPath): PathProgress => ({
      total: this.#byPath[path].length,
      dispatched: 0,
      settled: 0,
      behindMs: 0,
    });
    this.progress = { mqtt: progress('mqtt'), http: progress('http'), hj212: progress('hj212') };
  }

  /** Starts sending; `finished()` resolves when every reading was acknowledged or refused (or stop() was called). */
  start(): void {
    const first = this.#options.messages[0];
    const last = this.#options.messages.at(-1);
    const fromMs = first ? tsOf(first) : 0;
    const spanMs = first && last ? Math.max(1, tsOf(last) - fromMs) : 1;
    const wallStart = Date.now();
    const targetOf = (m: StationMessage): number =>
      this.#options.durationMs <= 0 ? wallStart : wallStart + ((tsOf(m) - fromMs) / spanMs) * this.#options.durationMs;
    const paths = (Object.keys(this.#byPath) as IngressPath[]).filter((p) => this.#byPath[p].length > 0);
    this.#running = Promise.all(paths.map((p) => this.#runPath(p, targetOf))).then(() => undefined);
  }

  finished(): Promise<void> {
    return this.#running ?? Promise.resolve();
  }

  /** Stops dispatching new readings (in-flight ones keep retrying until their gateway closes). */
  stop(): void {
    this.#stopped = true;
  }

  async #runPath(path: IngressPath, targetOf: (m: StationMessage) => number): Promise<void> {
    const gateway = this.#options.gateways[path];
    if (!gateway) throw new Error(`no gateway for ingress path ${path}`);
    const window = this.#options.windows?.[path] ?? DEFAULT_WINDOWS[path];
    const progress = this.progress[path];
    const inOrder = this.#options.inOrder?.[path] ?? path !== 'mqtt';
    const lastOfStation = new Map<string, Promise<void>>();
    const inFlight = new Set<Promise<void>>();
    for (const message of this.#byPath[path]) {
      if (this.#stopped) break;
      const waitMs = targetOf(message) - Date.now();
      if (waitMs > 0) await sleep(waitMs);
      while (inFlight.size >= window) await Promise.race(inFlight);
      progress.behindMs = Math.max(0, Date.now() - targetOf(message));
      progress.dispatched++;
      const previous = inOrder ? lastOfStation.get(message.stationId) : undefined;
      const sending: Promise<void> = (previous ?? Promise.resolve())
        .then(() => gateway.deliver(message))
        .catch(() => undefined)
        .finally(() => {
          progress.settled++;
          inFlight.delete(sending);
        });
      inFlight.add(sending);
      if (inOrder) lastOfStation.set(message.stationId, sending);
    }
    await Promise.all(inFlight);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
