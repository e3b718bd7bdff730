/**
 * One error shape everywhere (issue 19 §4): a request the validator refuses
 * answers `{ error: { code, message, details } }` with details a person can
 * read (the field and the rule), on every route; and the OpenAPI document
 * holds the error schema once, every error answer referencing it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from './api-fixture.js';

interface ErrorAnswer {
  error: { code: string; message: string; details?: unknown[] };
}

let fx: ApiFixture;

beforeAll(async () => {
  fx = await startApiFixture();
});

afterAll(async () => {
  await fx?.close();
});

function expectOneShape(body: ErrorAnswer): string[] {
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'details', 'message']);
  expect(body.error.code).toBe('RW_INVALID_PAYLOAD');
  const details = body.error.details ?? [];
  expect(details.length).toBeGreaterThan(0);
  for (const d of details) {
    expect(typeof d).toBe('string');
    expect(d).not.toContain('[object Object]');
  }
  return details as string[];
}

/** Requests the validator refuses, and the details each answer must carry: the field and the rule it breaks. */
const REFUSED: { what: string; method?: 'GET' | 'POST'; url: string; payload?: object; details: string[] }[] = [
  {
    what: 'POST /api/v1/alerts//ack names the empty id and the rule it breaks',
    method: 'POST',
    url: '/api/v1/alerts//ack',
    details: ['params.id: must NOT have fewer than 1 characters'],
  },
  {
    what: 'a body without a required field says which one',
    method: 'POST',
    url: '/api/v1/alerts/some-alert/resolve',
    payload: { name: 'duty officer' },
    details: ["body: must have required property 'reason'"],
  },
  { what: 'a limit out of range (tasks)', url: '/api/v1/tasks?limit=0', details: ['querystring.limit: must be >= 1'] },
  { what: 'a limit out of range (registry)', url: '/api/v1/stations?limit=5000', details: ['querystring.limit: must be <= 1000'] },
  {
    what: 'an enum names the allowed values',
    method: 'POST',
    url: '/api/v1/alerts/some-alert/feedback',
    payload: { label: 'maybe' },
    details: ['body.label: must be equal to one of the allowed values (real-event, false-alarm, test)'],
  },
];

describe('validation errors', () => {
  it.each(REFUSED)('$what', async ({ method, url, payload, details }) => {
    const res = await fx.app.inject({ method: method ?? 'GET', url, headers: fx.headers('wujiang'), ...(payload ? { payload } : {}) });
    expect(res.statusCode).toBe(400);
    expect(expectOneShape(res.json())).toEqual(details);
  });
});

describe('OpenAPI', () => {
  it('has one error schema, and every error answer of every route references it', async () => {
    const res = await fx.app.inject({ url: '/docs/json' });
    const spec = res.json() as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: Record<string, unknown> }> }> }>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    const errorSchemas = Object.entries(spec.components.schemas).filter(([, s]) => s.properties?.error !== undefined);
    expect(errorSchemas.map(([name]) => name)).toEqual(['ErrorBody']);
    const ref = '#/components/schemas/ErrorBody';
    const refs = new Set<string>();
    let errorAnswers = 0;
    for (const [path, methods] of Object.entries(spec.paths))
      for (const [method, op] of Object.entries(methods))
        for (const [status, answer] of Object.entries(op.responses))
          if (Number(status) >= 400)
            for (const media of Object.values(answer.content ?? {})) {
              errorAnswers++;
              refs.add(`${String(media.schema?.$ref)}${media.schema?.$ref === ref ? '' : ` (${method} ${path} ${status})`}`);
            }
    expect(errorAnswers).toBeGreaterThan(100);
    expect([...refs]).toEqual([ref]);
  });
});
