import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { configLeaves, loadConfig, parseConfig, renderEnvExample } from '../../../config/index.js';

describe('loadConfig', () => {
  it('defaults run on one machine: local services, sample registry', () => {
    const config = loadConfig({});
    expect(config.redis.url).toBe('');
    expect(config.influx.api).toBe('v1');
    expect(config.registryFile).toBe('config/registry.yaml');
    expect(config.http.port).toBe(8080);
    expect(config.ingest.maxBatch).toBe(1000);
  });

  it('reads environment variables with types', () => {
    const config = loadConfig({ RW_HTTP_PORT: '9000', RW_HTTP_TRUST_PROXY: 'yes', RW_INFLUX_API: 'v2', RW_INFLUX_URL: 'http://db:8086', RW_INFLUX_ORG: 'o', RW_INFLUX_TOKEN: 't' });
    expect(config.http.port).toBe(9000);
    expect(config.http.trustProxy).toBe(true);
    expect(config.influx.api).toBe('v2');
  });

  it('reports every bad key at once, naming the variable and what to do', () => {
    const result = parseConfig({ RW_HTTP_PORT: 'abc', RW_LOG_LEVEL: 'loud', RW_INFLUX_URL: 'http://x', RW_INFLUX_API: 'v2', RW_ROLES: 'ingest,foo', RW_INGEST_MAX_BATCH: '0' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const text = result.problems.join('\n');
    expect(text).toMatch(/RW_HTTP_PORT="abc": expected a whole number from 0 to 65535/);
    expect(text).toMatch(/RW_LOG_LEVEL="loud": expected one of fatal, error, warn, info, debug, trace, silent/);
    expect(text).toMatch(/RW_INFLUX_ORG: required when RW_INFLUX_API=v2/);
    expect(text).toMatch(/RW_INFLUX_TOKEN: required/);
    expect(text).toMatch(/RW_ROLES: unknown role "foo"/);
    expect(text).toMatch(/RW_INGEST_MAX_BATCH="0"/);
    expect(result.problems.filter((p) => p.startsWith('RW_LOG_LEVEL'))).toHaveLength(1);
    expect(() => loadConfig({ RW_HTTP_PORT: 'abc' })).toThrow(/configuration has 1 problem/);
  });

  it('.env.example documents every key and is in sync with the schema', () => {
    const example = readFileSync('.env.example', 'utf8');
    expect(example).toBe(renderEnvExample());
    for (const leaf of configLeaves()) expect(example).toContain(`# ${leaf.env}=`);
  });
});
