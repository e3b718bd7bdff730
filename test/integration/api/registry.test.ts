/**
 * Registry routes on the real app: keys (401), jurisdiction scoping (only
 * the sections where the agency is a party or a superior of one; 403
 * outside, 404 unknown), river order, the one error shape, validation
 * errors and pagination.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from './api-fixture.js';

let fx: ApiFixture;

beforeAll(async () => {
  fx = await startApiFixture();
});

afterAll(async () => {
  await fx?.close();
});

interface ErrorShape {
  error: { code: string; message: string; details?: unknown[] };
}

function expectErrorShape(body: unknown, code: string): void {
  const e = body as ErrorShape;
  expect(Object.keys(e)).toEqual(['error']);
  expect(e.error.code).toBe(code);
  expect(typeof e.error.message).toBe('string');
  expect(e.error.message.length).toBeGreaterThan(0);
  expect(Object.keys(e.error).every((k) => ['code', 'message', 'details'].includes(k))).toBe(true);
}

describe('authentication', () => {
  it.each([
    ['no Authorization header', undefined],
    ['a malformed key', 'Bearer not-a-key'],
    ['an unknown key of the right form', 'Bearer rwk_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['a station token scheme', 'Basic dXNlcjpwYXNz'],
  ])('%s gets 401 RW_UNAUTHORIZED in the error shape', async (_name, authorization) => {
    for (const url of ['/api/v1/me', '/api/v1/rivers', '/api/v1/sections/tp-fenhu', '/api/v1/stations']) {
      const res = await fx.app.inject({ url, headers: authorization ? { authorization } : {} });
      expect(res.statusCode, url).toBe(401);
      expectErrorShape(res.json(), 'RW_UNAUTHORIZED');
    }
  });

  it('a key is checked before the query string is validated (no 400 leaks to an anonymous caller)', async () => {
    const res = await fx.app.inject({ url: '/api/v1/stations?limit=-5' });
    expect(res.statusCode).toBe(401);
  });
});

describe('scoping', () => {
  it('a county sees the sections where it is a party, upstream to downstream, and nothing of another jurisdiction', async () => {
    const me = (await fx.app.inject({ url: '/api/v1/me', headers: fx.headers('wujiang') })).json();
    expect(me.agency).toMatchObject({ id: 'wujiang', level: 'county' });
    expect(me.operator).toBe(false);
    expect(me.riverIds).toEqual(['taipu']);
    // Wujiang is on both sides of the sections above Fenhu and the upstream side of the Fenhu boundary.
    expect(me.sectionIds).toEqual(['th-east', 'tp-gate', 'tp-pingwang', 'tp-fenhu']);

    const sections = (await fx.app.inject({ url: '/api/v1/sections', headers: fx.headers('wujiang') })).json();
    expect(sections.items.map((s: { id: string }) => s.id)).toEqual(me.sectionIds);
    const km = sections.items.map((s: { positionKm: number }) => s.positionKm);
    expect(km).toEqual([...km].sort((a: number, b: number) => a - b));
  });

  it('the downstream county of the same boundary sees it too, and its own reaches, not the upstream county’s', async () => {
    const me = (await fx.app.inject({ url: '/api/v1/me', headers: fx.headers('jiashan') })).json();
    expect(me.sectionIds).toEqual(['tp-fenhu', 'tp-jiashan', 'tp-jinze']);
    const res = await fx.app.inject({ url: '/api/v1/sections/tp-pingwang', headers: fx.headers('jiashan') });
    expect(res.statusCode).toBe(403);
    expectErrorShape(res.json(), 'RW_FORBIDDEN');
  });

  it('every agency sees exactly what the registry rule allows (superiors see their subordinates’ sections)', async () => {
    for (const agency of ['wujiang', 'jiashan', 'qingpu', 'suzhou', 'js', 'taihu-bureau', 'lancang', 'menghai'] as const) {
      const expected = [...fx.registry.rivers.values()].flatMap((r) =>
        r.sectionIds.filter((id) => fx.registry.canSeeSection(agency, id)),
      );
      const got = (await fx.app.inject({ url: '/api/v1/sections?limit=1000', headers: fx.headers(agency) })).json();
      expect(
        got.items.map((s: { id: string }) => s.id),
        agency,
      ).toEqual(expected);
      expect(got.total).toBe(expected.length);
    }
  });

  it('a boundary section carries both jurisdictions and the lead agency (their lowest common superior)', async () => {
    const res = await fx.app.inject({ url: '/api/v1/sections/tp-fenhu', headers: fx.headers('wujiang') });
    expect(res.statusCode).toBe(200);
    const s = res.json();
    expect(s).toMatchObject({ id: 'tp-fenhu', riverId: 'taipu', boundary: true, targetClass: 3, waterBody: 'river' });
    expect(s.upstreamAgency.id).toBe('wujiang');
    expect(s.downstreamAgency.id).toBe('jiashan');
    expect(s.leadAgency.id).toBe(fx.registry.leadAgency(['wujiang', 'jiashan'])?.id);
    expect(s.stationIds).toEqual(['TP-FH-JS', 'TP-FH-ZJ']);
    expect(s.name.zh.length).toBeGreaterThan(0);
  });

  it('403 outside the jurisdiction, 404 for what does not exist', async () => {
    const cases: [string, string, number, string][] = [
      ['lancang', '/api/v1/rivers/taipu', 403, 'RW_FORBIDDEN'],
      ['lancang', '/api/v1/stations/TP-FH-JS', 403, 'RW_FORBIDDEN'],
      ['wujiang', '/api/v1/sections/tp-jinze', 403, 'RW_FORBIDDEN'],
      ['wujiang', '/api/v1/sections/no-such-section', 404, 'RW_NOT_FOUND'],
      ['wujiang', '/api/v1/stations/NO-SUCH', 404, 'RW_NOT_FOUND'],
      ['wujiang', '/api/v1/rivers/amazon', 404, 'RW_NOT_FOUND'],
    ];
    for (const [agency, url, status, code] of cases) {
      const res = await fx.app.inject({ url, headers: fx.headers(agency as 'wujiang') });
      expect(res.statusCode, `${agency} ${url}`).toBe(status);
      expectErrorShape(res.json(), code);
    }
  });

  it('a river lists only the visible sections, in order, with their full data', async () => {
    const res = await fx.app.inject({ url: '/api/v1/rivers/taipu', headers: fx.headers('qingpu') });
    expect(res.statusCode).toBe(200);
    const river = res.json();
    expect(river.sectionIds).toEqual(['tp-jinze', 'tp-liantang']);
    expect(river.sections.map((s: { id: string }) => s.id)).toEqual(river.sectionIds);
  });

  it('a station shows its target limits and never its credentials', async () => {
    const res = await fx.app.inject({ url: '/api/v1/stations/TP-JZ-SH', headers: fx.headers('qingpu') });
    expect(res.statusCode).toBe(200);
    const station = res.json();
    expect(station).toMatchObject({ id: 'TP-JZ-SH', sectionId: 'tp-jinze', riverId: 'taipu' });
    // Jinze's target is class II: ammonia ≤ 0.5, total phosphorus (river) ≤ 0.1, DO ≥ 6 (GB 3838 Table 1).
    expect(station.targetLimits.nh3n).toEqual({ kind: 'upper', value: 0.5 });
    expect(station.targetLimits.tp).toEqual({ kind: 'upper', value: 0.1 });
    expect(station.targetLimits.do).toEqual({ kind: 'lower', value: 6 });
    expect(station.targetLimits.temp).toBeUndefined();
    const text = res.body;
    expect(text).not.toMatch(/password|tokenSha256|hj212/i);
  });
});

describe('validation and pagination', () => {
  it.each([
    ['/api/v1/stations?limit=0', 'limit below 1'],
    ['/api/v1/stations?limit=5000', 'limit above 1000'],
    ['/api/v1/stations?offset=-1', 'negative offset'],
    ['/api/v1/stations?limit=ten', 'limit not a number'],
  ])('%s (%s) answers 400 RW_INVALID_PAYLOAD', async (url) => {
    const res = await fx.app.inject({ url, headers: fx.headers('taihu-bureau') });
    expect(res.statusCode).toBe(400);
    expectErrorShape(res.json(), 'RW_INVALID_PAYLOAD');
  });

  it('pages of stations add up to the whole list, in order, without repeats', async () => {
    const all = (await fx.app.inject({ url: '/api/v1/stations?limit=1000', headers: fx.headers('taihu-bureau') })).json();
    expect(all.total).toBe(all.items.length);
    expect(all.total).toBeGreaterThan(5);
    const paged: string[] = [];
    for (let offset = 0; offset < all.total; offset += 5) {
      const page = (
        await fx.app.inject({ url: `/api/v1/stations?limit=5&offset=${offset}`, headers: fx.headers('taihu-bureau') })
      ).json();
      expect(page).toMatchObject({ limit: 5, offset, total: all.total });
      expect(page.items.length).toBe(Math.min(5, all.total - offset));
      paged.push(...page.items.map((s: { id: string }) => s.id));
    }
    expect(paged).toEqual(all.items.map((s: { id: string }) => s.id));
    const beyond = (
      await fx.app.inject({ url: `/api/v1/stations?limit=5&offset=${all.total}`, headers: fx.headers('taihu-bureau') })
    ).json();
    expect(beyond.items).toEqual([]);
  });

  it('stations can be narrowed to a section, still within scope', async () => {
    const res = (await fx.app.inject({ url: '/api/v1/stations?section=tp-jinze', headers: fx.headers('jiashan') })).json();
    expect(res.items.map((s: { id: string }) => s.id)).toEqual(['TP-JZ-ZJ', 'TP-JZ-SH', 'TP-JZ-IN']);
    const outside = (await fx.app.inject({ url: '/api/v1/stations?section=tp-gate', headers: fx.headers('jiashan') })).json();
    expect(outside.items).toEqual([]);
  });
});
