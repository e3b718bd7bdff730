/**
 * The OpenAPI document at /docs/json lists every API route of the app with
 * its schema (request parts and responses), and the dashboard is served as
 * plain same-origin ES modules under a CSP with no inline script.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyPluginAsync, RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPublicDir } from '../../../api/dashboard/plugin.js';
import { startApiFixture, type ApiFixture } from './api-fixture.js';

const routes: RouteOptions[] = [];
/** Not encapsulated (skip-override), so the hook sees the routes of every plugin registered after it. */
const recorder: FastifyPluginAsync = async (app) => {
  app.addHook('onRoute', (route) => {
    routes.push(route);
  });
};
(recorder as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;

let fx: ApiFixture;

beforeAll(async () => {
  fx = await startApiFixture({ before: [recorder] });
});

afterAll(async () => {
  await fx?.close();
});

interface Operation {
  summary?: string;
  parameters?: { in: string; name: string; schema?: unknown }[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
  security?: unknown[];
}

describe('OpenAPI', () => {
  let spec: {
    openapi: string;
    paths: Record<string, Record<string, Operation>>;
    components?: { schemas?: Record<string, unknown> };
  };

  beforeAll(async () => {
    const res = await fx.app.inject({ url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    spec = res.json();
  });

  it('is OpenAPI 3 and the browsable UI answers at /docs', async () => {
    expect(spec.openapi).toMatch(/^3\./);
    const ui = await fx.app.inject({ url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toMatch(/swagger/i);
  });

  it('lists every /api route of the app with a summary and a documented success response', () => {
    const api = routes.filter((r) => typeof r.url === 'string' && r.url.startsWith('/api/'));
    expect(api.length).toBeGreaterThanOrEqual(25);
    const missing: string[] = [];
    for (const route of api) {
      const path = route.url.replace(/:(\w+)/g, '{$1}');
      for (const method of [route.method].flat().filter((m) => m !== 'HEAD')) {
        const op = spec.paths[path]?.[method.toLowerCase()];
        const what = `${method} ${route.url}`;
        if (!op) {
          missing.push(`${what}: not in the document`);
          continue;
        }
        if (!op.summary) missing.push(`${what}: no summary`);
        const ok = op.responses['200'] ?? op.responses['201'] ?? op.responses['202'];
        if (!ok?.content || Object.values(ok.content).some((c) => c.schema === undefined))
          missing.push(`${what}: no success response schema`);
        if (!op.responses['401'] && route.url !== '/api/v1/readings') missing.push(`${what}: 401 not documented`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('documents the parameters, query strings and bodies with their constraints', () => {
    const history = spec.paths['/api/v1/stations/{stationId}/readings']?.get;
    const names = history?.parameters?.map((p) => `${p.in}:${p.name}`) ?? [];
    expect(names).toEqual(
      expect.arrayContaining([
        'path:stationId',
        'query:from',
        'query:to',
        'query:parameters',
        'query:interval',
        'query:aggregate',
      ]),
    );
    const replay = spec.paths['/api/v1/dead-letters/replay']?.post;
    expect(replay?.requestBody?.content['application/json']?.schema).toBeDefined();
    const list = spec.paths['/api/v1/stations']?.get?.parameters?.find((p) => p.name === 'limit');
    expect(list?.schema).toMatchObject({ minimum: 1, maximum: 1000 });
    expect(spec.paths['/api/v1/stations/{stationId}/readings.csv']?.get?.responses['200']?.content?.['text/csv']).toBeDefined();
  });

  it('keeps the static dashboard files out of the API document', () => {
    expect(
      Object.keys(spec.paths).filter((p) => !p.startsWith('/api/') && !['/healthz', '/readyz', '/metrics'].includes(p)),
    ).toEqual([]);
  });
});

describe('dashboard files', () => {
  const publicDir = defaultPublicDir();

  it('serves the page with a CSP that allows scripts only from this server, and the page has no inline script', async () => {
    const res = await fx.app.inject({ url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toMatch(/default-src 'self'/);
    const html = res.body;
    for (const tag of html.match(/<script\b[^>]*>/g) ?? []) expect(tag).toMatch(/\bsrc="\/[^"]+"/);
    expect(html).not.toMatch(/<script\b[^>]*>\s*[^<\s]/);
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/\sstyle\s*=/i);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('every module, stylesheet and vendor file the page loads is served, and imports resolve', async () => {
    const jsFiles = readdirSync(join(publicDir, 'js')).filter((f) => f.endsWith('.js'));
    const wanted = new Set([
      '/css/dashboard.css',
      '/report.css',
      '/vendor/uPlot.esm.js',
      '/vendor/uPlot.min.css',
      ...jsFiles.map((f) => `/js/${f}`),
    ]);
    for (const file of jsFiles) {
      const source = readFileSync(join(publicDir, 'js', file), 'utf8');
      for (const m of source.matchAll(/^import\s[^'"]*['"]([^'"]+)['"]/gm)) {
        const target = m[1] as string;
        wanted.add(new URL(target, 'http://dashboard/js/').pathname);
      }
      // Text from the server must never be parsed as markup.
      expect(source, file).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
    }
    for (const url of wanted) {
      const res = await fx.app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      // JSON modules (the feedback labels shared with the section report) must come as JSON, or the browser refuses them.
      expect(res.headers['content-type'], url).toMatch(url.endsWith('.js') ? /javascript/ : url.endsWith('.json') ? /^application\/json/ : /text\/css/);
    }
  });

  it('serves nothing else from the uPlot package, and unknown paths get the JSON 404', async () => {
    for (const url of ['/vendor/uPlot.cjs.js', '/vendor/../package.json', '/no-such-page.html']) {
      const res = await fx.app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code).toBe('RW_NOT_FOUND');
    }
  });
});
