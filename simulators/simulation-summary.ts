/** What a simulation run reports at its end (printed, logged, and returned by runSimulate). */
export interface SimulationSummary {
  readonly transport: string;
  readonly stations: number;
  readonly seed: number;
  readonly fromMs: number;
  /** Simulated time of the last reading produced. */
  readonly reachedMs: number;
  readonly wallMs: number;
  readonly stoppedBy: 'end' | 'close' | 'run-for';
  readonly messagesAcked: number;
  readonly readingsAcked: number;
  /** Messages the server refused as a whole (HTTP 4xx). */
  readonly messagesRefused: number;
  /** Readings refused one by one inside accepted messages. */
  readonly readingsRejected: number;
  /** Messages that could not be delivered (transport gave up or closed). */
  readonly messagesFailed: number;
  /** Acknowledged readings per wall-clock second. */
  readonly readingsPerS: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number; readonly mean: number };
  readonly eventsInjected: number;
  readonly eventsTotal: number;
  readonly commands: { readonly received: number; readonly applied: number; readonly refused: number };
  /** Readings still held by gateways whose link was down when the run ended. */
  readonly backlogUnsent: number;
  readonly labels: { readonly path?: string; readonly count: number };
  readonly transportCounters: Readonly<Record<string, number>>;
}
