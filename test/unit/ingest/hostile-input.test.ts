/** Regressions for what the fuzzer found (docs/security.md "Findings"). */
import { describe, expect, it } from 'vitest';
import { loadRegistryFile } from '../../../config/registry-loader.js';
import { ParameterTable } from '../../../domain/index.js';
import { validateSubmission } from '../../../ingest/validate.js';
import { MAX_ITEMS_PER_LETTER } from '../../../domain/index.js';
import { lettersFor } from '../../../ingest/dead-letter-entries.js';
import { redactKey } from '../../../api/app.js';
import { maskPassword } from '../../../ingest/hj212/index.js';

const registry = loadRegistryFile('config/registry.yaml');
const NOW = Date.parse('2026-11-22T08:00:00+08:00');
const ctx = { registry, parameters: new ParameterTable(), limits: { maxFutureMs: 300_000, maxAgeMs: 30 * 86_400_000, maxBatch: 1000 }, now: NOW };
const run = (payload: unknown) => validateSubmission({ source: 'http', payload, raw: '', authStationId: 'TP-FH-JS' }, ctx);

describe('hostile input', () => {
  it('a value nested 20,000 levels deep is refused with a reason, not a stack overflow', () => {
    const deep = JSON.parse(`${'['.repeat(20_000)}1${']'.repeat(20_000)}`) as unknown;
    const { readings, rejections } = run({ stationId: 'TP-FH-JS', ts: NOW, values: { ph: 7, do: deep } });
    expect(rejections).toEqual([expect.objectContaining({ code: 'RW_NOT_FINITE', parameter: 'do', message: '"do" must be a finite number, got an array' })]);
    expect(readings[0]?.values).toEqual({ ph: 7 });
  });

  it('inherited names ("constructor", "toString") are not parameters with a value', () => {
    const { rejections } = run({ stationId: 'TP-FH-JS', ts: NOW, values: { ph: 7 }, flags: { constructor: 'M', toString: 'D' } });
    expect(rejections.map((r) => [r.code, r.parameter])).toEqual([
      ['RW_UNKNOWN_PARAMETER', 'constructor'],
      ['RW_UNKNOWN_PARAMETER', 'toString'],
    ]);
  });

  it('a batch of 1,000 bad values makes one dead letter per reason, with the raw payload once', () => {
    const readings = Array.from({ length: 1000 }, (_, i) => ({ stationId: 'TP-FH-JS', ts: NOW - i * 60_000, values: { ph: 99 } }));
    const raw = JSON.stringify({ readings });
    const { rejections } = validateSubmission({ source: 'http', payload: { readings }, raw, authStationId: 'TP-FH-JS' }, ctx);
    expect(rejections).toHaveLength(1000);
    const letters = lettersFor({ source: 'http', payload: null, raw, authStationId: 'TP-FH-JS' }, rejections);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ code: 'RW_OUT_OF_RANGE', count: 1000, stationId: 'TP-FH-JS', raw });
    expect(letters[0]?.items).toHaveLength(MAX_ITEMS_PER_LETTER);
  });

  it('credentials in query strings are redacted in request logs', () => {
    expect(redactKey('/api/v1/events?key=rwk_abc&since=1')).toBe('/api/v1/events?key=[redacted]&since=1');
    expect(redactKey('/x?a=1&token=secret&Password=p#frag')).toBe('/x?a=1&token=[redacted]&Password=[redacted]#frag');
    expect(redactKey('/api/v1/readings?limit=5')).toBe('/api/v1/readings?limit=5');
  });

  it('HJ 212 passwords are masked everywhere in a text, including garbage holding several frames', () => {
    expect(maskPassword('QN=1;ST=21;CN=2011;PW=123456;MN=A;xx;PW=654321;MN=B')).toBe('QN=1;ST=21;CN=2011;PW=***;MN=A;xx;PW=***;MN=B');
  });
});
