/**
 * Dead letters for one submission's rejections (pure; the store is in
 * platform/redis/readings/dead-letters.ts).
 */
import { MAX_ITEMS_PER_LETTER, type NewDeadLetter, type Rejection, type Submission } from '../domain/index.js';

/**
 * Dead letters for the rejections of one submission: one letter per reason
 * code, holding the raw payload once and the refusals of that reason. (One
 * letter per refused value would store a 1,000-reading batch a thousand
 * times; the fuzzer showed a 1,196× blow-up.)
 */
export function lettersFor(submission: Submission, rejections: readonly Rejection[]): NewDeadLetter[] {
  const byCode = new Map<string, Rejection[]>();
  for (const r of rejections) byCode.set(r.code, [...(byCode.get(r.code) ?? []), r]);
  return [...byCode.values()].map((group) => {
    const first = group[0] as Rejection;
    const stationId = first.stationId ?? submission.authStationId;
    return {
      source: submission.source,
      code: first.code,
      message: group.length === 1 ? first.message : `${first.message} (and ${group.length - 1} more of this reason)`,
      raw: submission.raw,
      count: group.length,
      items: group.slice(0, MAX_ITEMS_PER_LETTER).map((r) => ({
        message: r.message,
        ...(r.index === undefined ? {} : { index: r.index }),
        ...(r.parameter === undefined ? {} : { parameter: r.parameter }),
        ...(r.stationId === undefined ? {} : { stationId: r.stationId }),
      })),
      ...(stationId === undefined ? {} : { stationId }),
      ...(submission.peer === undefined ? {} : { peer: submission.peer }),
      ...(first.index === undefined ? {} : { index: first.index }),
      ...(first.parameter === undefined ? {} : { parameter: first.parameter }),
      ...(submission.topic === undefined ? {} : { topic: submission.topic }),
      ...(submission.authStationId === undefined ? {} : { authStationId: submission.authStationId }),
    };
  });
}
