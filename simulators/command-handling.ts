/**
 * Sampling-frequency commands to simulated stations (DESIGN.md: commands on
 * `wq/{sectionId}/{stationId}/commands`, acked on `.../commands/ack`). The
 * body is outside data: it is checked and answered with a refusal ack, never
 * thrown.
 */
import { Type } from 'typebox';
import { Value } from 'typebox/value';
import type { StationCommand, StationCommandAck } from '../domain/index.js';
import type { SimulationEngine } from './model/engine.js';
import type { CommandDelivery } from './transports/transport.js';

const StationCommandSchema = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 200 }),
  stationId: Type.String({ minLength: 1 }),
  sectionId: Type.String({ minLength: 1 }),
  type: Type.Union([
    Type.Literal('set-sampling-interval'),
    Type.Literal('restore-sampling-interval'),
    Type.Literal('measure-now'),
  ]),
  intervalS: Type.Optional(Type.Integer({ minimum: 1, maximum: 86400 })),
  parameters: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 32 })),
  expiresAt: Type.Number(),
});

export type CommandCheck = { ok: true; command: StationCommand } | { ok: false; reason: string; id?: string };

/** Checks a command addressed (by its topic) to `stationId` on `sectionId`, at wall time `nowMs`. */
export function checkCommand(payload: unknown, stationId: string, sectionId: string, nowMs: number): CommandCheck {
  const id =
    typeof payload === 'object' && payload !== null && typeof (payload as { id?: unknown }).id === 'string'
      ? (payload as { id: string }).id
      : undefined;
  const withId = id === undefined ? {} : { id };
  if (!Value.Check(StationCommandSchema, payload)) {
    const first = [...Value.Errors(StationCommandSchema, payload)][0];
    return { ok: false, reason: `invalid command${first ? `: ${first.instancePath || '/'} ${first.message}` : ''}`, ...withId };
  }
  const command = payload as StationCommand;
  if (command.stationId !== stationId || command.sectionId !== sectionId)
    return { ok: false, reason: `command is for ${command.sectionId}/${command.stationId}, not this station`, ...withId };
  if (command.type === 'set-sampling-interval' && command.intervalS === undefined)
    return { ok: false, reason: 'set-sampling-interval needs intervalS', ...withId };
  if (nowMs > command.expiresAt) return { ok: false, reason: 'command expired before it arrived', ...withId };
  return { ok: true, command };
}

/** The ack a station sends back. */
export function commandAck(id: string, stationId: string, ok: boolean, message: string, nowMs: number): StationCommandAck {
  return { id, stationId, ok, message, ts: nowMs };
}

/** What a command did: the ack to send back (none for a body without an id), and the interval now in force. */
export interface CommandOutcome {
  readonly ack: StationCommandAck | undefined;
  readonly applied: boolean;
  readonly intervalS?: number;
}

/**
 * Checks a command that reached a station and applies it to the engine at
 * simulated time `simNowMs` (wall time `nowMs` decides expiry and stamps the ack).
 */
export function applyStationCommand(
  delivery: CommandDelivery,
  engine: SimulationEngine,
  nowMs: number,
  simNowMs: number,
): CommandOutcome {
  const check = checkCommand(delivery.payload, delivery.stationId, delivery.sectionId, nowMs);
  if (!check.ok) {
    return {
      ack: check.id === undefined ? undefined : commandAck(check.id, delivery.stationId, false, check.reason, nowMs),
      applied: false,
    };
  }
  const command = check.command;
  if (command.type === 'measure-now') {
    // A verification measurement (issue 13 §4): the analyser runs once more as soon as its cycle allows.
    const atMs = engine.measureNow(delivery.stationId, simNowMs);
    if (atMs === undefined)
      return { ack: commandAck(command.id, delivery.stationId, false, 'station is not simulated', nowMs), applied: false };
    return {
      ack: commandAck(command.id, delivery.stationId, true, `measurement at ${new Date(atMs).toISOString()}`, nowMs),
      applied: true,
    };
  }
  const intervalS = command.type === 'set-sampling-interval' ? command.intervalS : undefined;
  if (!engine.setSamplingInterval(delivery.stationId, intervalS, simNowMs)) {
    return { ack: commandAck(command.id, delivery.stationId, false, 'station is not simulated', nowMs), applied: false };
  }
  const effective = (engine.stream(delivery.stationId)?.intervalMs ?? 0) / 1000;
  return {
    ack: commandAck(command.id, delivery.stationId, true, `sampling interval ${effective} s`, nowMs),
    applied: true,
    intervalS: effective,
  };
}
