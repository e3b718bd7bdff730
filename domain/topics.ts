/** MQTT topics of the gateway contract (DESIGN.md "Readings over MQTT"). */

export const READINGS_FILTER = 'wq/+/+/readings';

export function readingsTopic(sectionId: string, stationId: string): string {
  return `wq/${sectionId}/${stationId}/readings`;
}

export function commandsTopic(sectionId: string, stationId: string): string {
  return `wq/${sectionId}/${stationId}/commands`;
}

export function commandAckTopic(sectionId: string, stationId: string): string {
  return `wq/${sectionId}/${stationId}/commands/ack`;
}

/** Section and station of a readings topic, or undefined when the topic is not one. */
export function parseReadingsTopic(topic: string): { sectionId: string; stationId: string } | undefined {
  const parts = topic.split('/');
  if (parts.length !== 4 || parts[0] !== 'wq' || parts[3] !== 'readings') return undefined;
  const [, sectionId, stationId] = parts as [string, string, string, string];
  if (sectionId.length === 0 || stationId.length === 0) return undefined;
  return { sectionId, stationId };
}
