import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig, parseHostPort, redisTopology } from '../../../config/index.js';

describe('Redis topology settings', () => {
  it('defaults to a single server, local when RW_REDIS_URL is empty', () => {
    const config = loadConfig({});
    expect(config.redis.mode).toBe('single');
    expect(redisTopology(config.redis, 'redis://127.0.0.1:6390')).toMatchObject({
      kind: 'single',
      url: 'redis://127.0.0.1:6390',
      tls: false,
    });
    expect(redisTopology(loadConfig({ RW_REDIS_URL: 'redis://r:6379/2' }).redis, 'redis://ignored')).toMatchObject({
      kind: 'single',
      url: 'redis://r:6379/2',
    });
  });

  it('builds a Sentinel topology with master name, sentinels, passwords and TLS', () => {
    const config = loadConfig({
      RW_REDIS_MODE: 'sentinel',
      RW_REDIS_SENTINELS: '10.0.0.1:26379, 10.0.0.2:26379,[::1]:26380',
      RW_REDIS_SENTINEL_MASTER: 'rw-main',
      RW_REDIS_SENTINEL_PASSWORD: 's3',
      RW_REDIS_PASSWORD: 'd4',
      RW_REDIS_TLS: 'true',
    });
    expect(redisTopology(config.redis)).toEqual({
      kind: 'sentinel',
      masterName: 'rw-main',
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: '10.0.0.2', port: 26379 },
        { host: '::1', port: 26380 },
      ],
      sentinelUsername: '',
      sentinelPassword: 's3',
      username: '',
      password: 'd4',
      tls: true,
    });
  });

  it('builds a Cluster topology from seed nodes', () => {
    const config = loadConfig({ RW_REDIS_MODE: 'cluster', RW_REDIS_CLUSTER_NODES: 'redis-a:7000,redis-b:7001' });
    expect(redisTopology(config.redis)).toMatchObject({
      kind: 'cluster',
      nodes: [
        { host: 'redis-a', port: 7000 },
        { host: 'redis-b', port: 7001 },
      ],
    });
  });

  it('reports every bad Redis key at once, with the rest of the configuration', () => {
    const result = parseConfig({
      RW_REDIS_MODE: 'sentinel',
      RW_REDIS_URL: 'redis://old:6379',
      RW_REDIS_SENTINELS: 'a:26379,b,c:99999',
      RW_REDIS_CLUSTER_NODES: 'x:7000',
      RW_HTTP_PORT: 'abc',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const text = result.problems.join('\n');
    expect(text).toMatch(/RW_REDIS_SENTINELS: "b" is not host:port/);
    expect(text).toMatch(/RW_REDIS_SENTINELS: "c:99999" is not host:port/);
    expect(text).toMatch(/RW_REDIS_URL: must be empty when RW_REDIS_MODE=sentinel/);
    expect(text).toMatch(/RW_REDIS_CLUSTER_NODES: only used with RW_REDIS_MODE=cluster/);
    expect(text).toMatch(/RW_HTTP_PORT="abc"/);
  });

  it('requires the addresses of the chosen mode and rejects unknown modes', () => {
    const sentinel = parseConfig({ RW_REDIS_MODE: 'sentinel' });
    expect(sentinel.ok ? [] : sentinel.problems).toContainEqual(
      expect.stringMatching(/RW_REDIS_SENTINELS: required when RW_REDIS_MODE=sentinel/),
    );
    const cluster = parseConfig({ RW_REDIS_MODE: 'cluster', RW_REDIS_PREFIX: '{rw}' });
    const problems = cluster.ok ? [] : cluster.problems;
    expect(problems).toContainEqual(expect.stringMatching(/RW_REDIS_CLUSTER_NODES: required/));
    expect(problems).toContainEqual(expect.stringMatching(/RW_REDIS_PREFIX="\{rw\}": no \{ \} with RW_REDIS_MODE=cluster/));
    const unknown = parseConfig({ RW_REDIS_MODE: 'replicated' });
    expect(unknown.ok ? [] : unknown.problems).toContainEqual(
      expect.stringMatching(/RW_REDIS_MODE="replicated": expected one of single, sentinel, cluster/),
    );
    const stray = parseConfig({ RW_REDIS_SENTINEL_PASSWORD: 'x' });
    expect(stray.ok ? [] : stray.problems).toContainEqual(
      expect.stringMatching(/RW_REDIS_SENTINEL_PASSWORD: only used with RW_REDIS_MODE=sentinel/),
    );
  });

  it.each([
    ['127.0.0.1:6379', { host: '127.0.0.1', port: 6379 }],
    ['redis-0.redis.svc:6379', { host: 'redis-0.redis.svc', port: 6379 }],
    ['[fe80::1]:7000', { host: 'fe80::1', port: 7000 }],
    ['host', undefined],
    ['host:0', undefined],
    ['host:65536', undefined],
    ['::1:6379', undefined],
    ['', undefined],
  ])('parses %j', (text, expected) => {
    expect(parseHostPort(text)).toEqual(expected);
  });
});
