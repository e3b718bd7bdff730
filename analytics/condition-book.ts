/**
 * The open conditions of one analyzer, by stable key (issue 5 §7): one
 * condition is one alert while it lasts. A raise that changes nothing a
 * recipient acts on (kind, level, parameters, arrival window) is not sent
 * again; a clear is sent only for an open condition. This is what makes
 * repeated readings and restarts free of duplicate alerts.
 */
import type { AlertEvent } from '../domain/index.js';

function signature(e: AlertEvent): string {
  return [
    e.kind,
    e.level ?? '-',
    e.parameters.join(','),
    e.arrival ? `${e.arrival.fromTs}-${e.arrival.peakTs}-${e.arrival.toTs}` : '',
  ].join('|');
}

/** Restores the properties JSON drops (`undefined`), so a restored event has the AlertEvent shape. */
function normalise(e: AlertEvent): AlertEvent {
  return { ...e, level: e.level ?? undefined, stationId: e.stationId ?? undefined };
}

export class ConditionBook {
  readonly #open = new Map<string, AlertEvent>();
  readonly #out: AlertEvent[] = [];
  #silent = false;

  constructor(open?: Readonly<Record<string, AlertEvent>>) {
    for (const [key, event] of Object.entries(open ?? {})) this.#open.set(key, normalise(event));
  }

  /** While silent (warm start), the book follows conditions but hands out nothing. */
  set silent(value: boolean) {
    this.#silent = value;
  }

  isOpen(key: string): boolean {
    return this.#open.has(key);
  }

  get(key: string): AlertEvent | undefined {
    return this.#open.get(key);
  }

  /** Records an event; returns whether it was new (and queued unless silent). */
  put(event: AlertEvent): boolean {
    const current = this.#open.get(event.key);
    if (event.type === 'clear') {
      if (!current) return false;
      this.#open.delete(event.key);
    } else {
      if (current && signature(current) === signature(event)) return false;
      this.#open.set(event.key, event);
    }
    if (!this.#silent) this.#out.push(event);
    return true;
  }

  /** Events queued since the last drain, in the order they happened. */
  drain(): AlertEvent[] {
    return this.#out.splice(0, this.#out.length);
  }

  /** The latest raise of every open condition. */
  openEvents(): AlertEvent[] {
    return [...this.#open.values()];
  }

  snapshot(): Record<string, AlertEvent> {
    return Object.fromEntries(this.#open);
  }
}
