/**
 * Confirm before escalating (issue 13 §4): an unconfirmed alert carries, in
 * its evidence, the station and parameter to measure again. Pure.
 */

/** The verification an unconfirmed alert asks for (analytics/section-alerts.ts `evidence.verify`), if it is well formed. */
export function verificationOf(alert: {
  evidence: Record<string, unknown>;
}): { stationId: string; parameter: string; suspectTs: number } | undefined {
  const v = alert.evidence.verify as { stationId?: unknown; parameter?: unknown } | undefined;
  const s = alert.evidence.suspect as { ts?: unknown } | undefined;
  if (alert.evidence.unconfirmed !== true || typeof v?.stationId !== 'string' || typeof v.parameter !== 'string')
    return undefined;
  return { stationId: v.stationId, parameter: v.parameter, suspectTs: typeof s?.ts === 'number' ? s.ts : 0 };
}
