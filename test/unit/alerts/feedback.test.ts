import { describe, expect, it } from 'vitest';
import { feedbackEntry, feedbackProblems, type FeedbackInput } from '../../../platform/redis/alerts/feedback-store.js';

const actor = { kind: 'agency' as const, agencyId: 'k1b' };

describe('feedback labels', () => {
  it.each<[FeedbackInput, number]>([
    [{ label: 'real-event' }, 0],
    [{ label: 'false-alarm' }, 0],
    [{ label: 'false-alarm', cause: 'sensor' }, 0],
    [{ label: 'test' }, 0],
    [{ label: 'test', cause: 'rain' }, 1],
    [{ label: 'maybe' as 'test' }, 1],
    [{ label: 'false-alarm', cause: 'birds' as 'rain' }, 1],
  ])('%j has %i problem(s)', (input, n) => {
    expect(feedbackProblems(input)).toHaveLength(n);
  });

  it.each<[FeedbackInput, object]>([
    [{ label: 'false-alarm' }, { label: 'false-alarm', cause: 'unknown' }],
    [{ label: 'false-alarm', cause: 'rain', note: '暴雨' }, { label: 'false-alarm', cause: 'rain', note: '暴雨' }],
    [{ label: 'real-event', note: '' }, { label: 'real-event' }],
  ])('%j is stored as %j', (input, expected) => {
    expect(feedbackEntry(input, actor, 5)).toEqual({ ...expected, at: 5, actor });
  });
});
