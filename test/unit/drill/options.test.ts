import { describe, expect, it } from 'vitest';
import { parseOptions, type Options } from '../../../drill/options.js';

describe('drill options', () => {
  it('runs on one redis-server unless told otherwise', () => {
    expect((parseOptions([]) as Options).redis).toBe('single');
  });

  it.each(['sentinel', 'cluster'] as const)('takes --redis %s', (mode) => {
    expect((parseOptions(['--redis', mode]) as Options).redis).toBe(mode);
  });

  it('refuses an unknown topology with a message naming the choices', () => {
    expect(parseOptions(['--redis', 'replicas'])).toBe('--redis must be one of single, sentinel, cluster');
  });

  it('refuses numbers out of range', () => {
    expect(parseOptions(['--kills', '11'])).toBe('--kills must be a number from 0 to 10');
  });
});
