/**
 * The readings contract on the wire (DESIGN.md "Readings over MQTT"): JSON
 * bodies shared by the MQTT and HTTP transports, and the commands topic as a
 * station reads it (topic builders: domain/topics.ts).
 */
import type { StationMessage } from '../model/station-stream.js';

/** Section and station of a commands topic, or undefined for any other topic. */
export function parseCommandsTopic(topic: string): { sectionId: string; stationId: string } | undefined {
  const parts = topic.split('/');
  if (parts.length !== 4 || parts[0] !== 'wq' || parts[3] !== 'commands') return undefined;
  const [, sectionId, stationId] = parts as [string, string, string, string];
  return sectionId && stationId ? { sectionId, stationId } : undefined;
}

/** One reading as the bare object, several as `{ "readings": [...] }`. */
export function encodeMessage(message: StationMessage): string {
  const [only] = message.readings;
  return message.readings.length === 1 && !message.backlog && only !== undefined
    ? JSON.stringify(only)
    : JSON.stringify({ readings: message.readings });
}

/** Parses a command body: JSON when it is JSON, the text otherwise. */
export function decodeCommand(body: Buffer | string): unknown {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
