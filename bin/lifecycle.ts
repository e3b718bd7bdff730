/**
 * Lifecycle of a process: parts start in order and close in reverse order;
 * close is idempotent and runs every cleanup even when one throws.
 */
import type { Logger } from '../platform/logger.js';

export interface Part {
  readonly name: string;
  start(): Promise<void>;
  close(): Promise<void>;
}

export class Lifecycle {
  readonly #logger: Logger;
  readonly #started: Part[] = [];
  #closing: Promise<void> | undefined;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Starts a part and remembers it for close(). */
  async add<T extends Part>(part: T): Promise<T> {
    const startedAt = Date.now();
    await part.start();
    this.#started.push(part);
    this.#logger.info({ part: part.name, ms: Date.now() - startedAt }, 'started');
    return part;
  }

  /** Remembers a part that is already running (e.g. a connection) so it is closed in order. */
  adopt(part: Pick<Part, 'name' | 'close'>): void {
    this.#started.push({ ...part, start: async () => undefined });
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (const part of [...this.#started].reverse()) {
        const t0 = Date.now();
        try {
          await part.close();
          this.#logger.info({ part: part.name, ms: Date.now() - t0 }, 'closed');
        } catch (err) {
          this.#logger.error({ err, part: part.name }, 'close failed; continuing with the other parts');
        }
      }
    })();
    return this.#closing;
  }
}

/** Wraps a start/close pair as a part. */
export function part(name: string, start: () => Promise<void>, close: () => Promise<void>): Part {
  let closed: Promise<void> | undefined;
  return { name, start, close: () => (closed ??= close()) };
}
