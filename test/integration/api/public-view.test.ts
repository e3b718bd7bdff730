/**
 * The public feed without a key on real Redis and InfluxDB: every field of
 * its JSON is on the allowed list of docs/public-view.md (walked
 * recursively), nothing private of the closed task reaches it (notes, names,
 * phone numbers, problem descriptions, attachments, station ids, contacts,
 * tokens), open tasks are not listed; class by day against the target; CSV;
 * caching (ETag, 304, Cache-Control) and the per-address rate limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPublicViewFixture, PRIVATE_MARKERS, type PublicViewFixture } from './public-view-fixture.js';

/** The allowed list (docs/public-view.md), as paths; `[]` = every element of an array. */
const ALLOWED = new Set([
  'generatedAt',
  'days',
  'sections',
  'sections[]',
  'sections[].id',
  'sections[].name', 'sections[].name.zh', 'sections[].name.en',
  'sections[].river', 'sections[].river.zh', 'sections[].river.en',
  'sections[].positionKm',
  'sections[].boundary',
  'sections[].jurisdictions', 'sections[].jurisdictions[]', 'sections[].jurisdictions[].zh', 'sections[].jurisdictions[].en',
  'sections[].targetClass',
  'sections[].targetLabel', 'sections[].targetLabel.zh', 'sections[].targetLabel.en',
  'sections[].current', 'sections[].current.class', 'sections[].current.label', 'sections[].current.label.zh', 'sections[].current.label.en',
  'sections[].current.at', 'sections[].current.meetsTarget', 'sections[].current.deciding', 'sections[].current.deciding[]',
  'sections[].days', 'sections[].days[]', 'sections[].days[].date', 'sections[].days[].class',
  'sections[].days[].label', 'sections[].days[].label.zh', 'sections[].days[].label.en',
  'sections[].days[].hoursEvaluated', 'sections[].days[].hoursMeetingTarget', 'sections[].days[].meetsTarget',
  'tasks', 'tasks[]', 'tasks[].id',
  'tasks[].section', 'tasks[].section.zh', 'tasks[].section.en',
  'tasks[].river', 'tasks[].river.zh', 'tasks[].river.en',
  'tasks[].level',
  'tasks[].parties', 'tasks[].parties[]', 'tasks[].parties[].zh', 'tasks[].parties[].en',
  'tasks[].lead', 'tasks[].lead.zh', 'tasks[].lead.en',
  'tasks[].openedAt', 'tasks[].closedAt',
  'tasks[].result', 'tasks[].result.zh', 'tasks[].result.en',
  'tasks[].problemsRectified', 'tasks[].reopened', 'tasks[].escalations',
]);

/** Every path in a JSON value. */
function paths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return [prefix, ...value.flatMap((v) => paths(v, `${prefix}[]`))];
  if (value !== null && typeof value === 'object')
    return [
      ...(prefix ? [prefix] : []),
      ...Object.entries(value).flatMap(([k, v]) => paths(v, prefix ? `${prefix}.${k}` : k)),
    ];
  return [prefix];
}

let fx: PublicViewFixture;
beforeAll(async () => {
  fx = await startPublicViewFixture({ rateLimitPerMinute: 30 });
}, 120_000);
afterAll(async () => {
  await fx?.close();
});

const get = (url: string, headers: Record<string, string> = {}) => fx.app.inject({ url, headers });

describe('no field outside the allowed list', () => {
  it('sections and tasks: every path of the JSON is allowed, and the lists are not empty', async () => {
    for (const url of ['/api/public/v1/sections', '/api/public/v1/tasks']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(200);
      const body = res.json();
      const found = new Set(paths(body));
      const outside = [...found].filter((p) => !ALLOWED.has(p));
      expect(outside, url).toEqual([]);
    }
    expect((await get('/api/public/v1/sections')).json().sections.length).toBe(fx.registry.sections.size);
    expect((await get('/api/public/v1/tasks')).json().tasks).toHaveLength(1);
  });

  it('nothing private of the closed task, no station, contact or secret of the registry, in any JSON or CSV', async () => {
    const texts = await Promise.all(['/api/public/v1/sections', '/api/public/v1/tasks', '/api/public/v1/sections.csv', '/api/public/v1/tasks.csv'].map(async (u) => (await get(u)).body));
    const all = texts.join('\n');
    const secrets = [
      ...PRIVATE_MARKERS,
      ...[...fx.registry.stations.values()].flatMap((s) => [s.id, s.hj212?.mn, s.hj212?.password, s.tokenSha256]),
      ...[...fx.registry.agencies.values()].flatMap((a) => [...a.contacts.flatMap((c) => [c.name, c.phone, c.email]), a.webhook?.url, a.webhook?.secret]),
    ].filter((s): s is string => typeof s === 'string' && s.length > 0);
    for (const secret of secrets) expect(all.includes(secret), secret).toBe(false);
    // The open task at the Nanlan boundary is an open investigation: not listed.
    expect(all).not.toContain(fx.openTask.id);
  });
});

describe('what is disclosed', () => {
  it('each section: current class against its target, the class of every local day of 30', async () => {
    const { sections, days } = (await get('/api/public/v1/sections')).json();
    expect(days).toBe(30);
    const fenhu = sections.find((s: { id: string }) => s.id === 'tp-fenhu');
    expect(fenhu).toMatchObject({
      name: { zh: '汾湖（苏浙交界）', en: 'Fenhu (Jiangsu–Zhejiang boundary)' },
      river: { zh: '太浦河' },
      boundary: true,
      targetClass: 3,
      targetLabel: { zh: 'Ⅲ类', en: 'III' },
      // Analytics' newest hourly class (II) is fresh, so it is the current one.
      current: { class: 2, meetsTarget: true },
    });
    const nameOf = (id: string) => fx.registry.agencies.get(id)!.name;
    expect(fenhu.jurisdictions).toEqual([nameOf('wujiang'), nameOf('jiashan')]);
    expect(fenhu.current.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
    expect(fenhu.days.length).toBe(30);
    // Days holding a class-IV afternoon miss the target; the others meet it.
    const missed = fenhu.days.filter((d: { meetsTarget: boolean | null }) => d.meetsTarget === false);
    expect(missed.length).toBeGreaterThanOrEqual(5);
    for (const d of missed) expect(d).toMatchObject({ class: 4, hoursMeetingTarget: d.hoursEvaluated - 4 });
    const jinze = sections.find((s: { id: string }) => s.id === 'tp-jinze');
    expect(jinze.days.every((d: { class: number | null }) => d.class === 2 || d.class === null)).toBe(true);
  });

  it('a closed task: dates in local time, parties and lead by name, the result', async () => {
    const [task] = (await get('/api/public/v1/tasks')).json().tasks;
    expect(task).toMatchObject({
      id: fx.closedTask.id,
      section: { en: 'Fenhu (Jiangsu–Zhejiang boundary)' },
      level: 'red',
      problemsRectified: 1,
      reopened: 0,
    });
    const nameOf = (id: string) => fx.registry.agencies.get(id)!.name;
    expect(task.parties).toEqual(fx.closedTask.parties.map(nameOf));
    expect(task.lead.en).toBe(fx.registry.agencies.get(fx.closedTask.coordinatorId)!.name.en);
    expect(task.closedAt).toMatch(/\+08:00$/);
    expect(task.result.zh).toContain('72 小时');
    expect(task.result.en).toContain('72 h');
  });

  it('CSV: a row per section and day, with a header; the tasks CSV has the closed task', async () => {
    const res = await get('/api/public/v1/sections.csv');
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const lines = res.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('section_id,section_zh,section_en,river_zh,river_en,target_class,date,class,hours_evaluated,hours_meeting_target,meets_target');
    expect(lines.length - 1).toBe(fx.registry.sections.size * 30);
    const tasks = (await get('/api/public/v1/tasks.csv')).body.trim().split('\r\n');
    expect(tasks).toHaveLength(2);
    expect(tasks[1]).toContain(fx.closedTask.id);
  });
});

describe('the page', () => {
  it('is served at /public/ (and /public redirects there), without a key', async () => {
    const page = await get('/public/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('/public/public.js');
    const bare = await get('/public');
    expect([301, 302, 308]).toContain(bare.statusCode);
    expect(bare.headers.location).toBe('/public/');
  });
});

describe('cacheable and rate-limited', () => {
  it('Cache-Control and an ETag; the same ETag answers 304', async () => {
    const first = await get('/api/public/v1/sections');
    expect(first.headers['cache-control']).toBe('public, max-age=300');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^".+"$/);
    const again = await get('/api/public/v1/sections', { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('the feed is limited per address (30 a minute here); the 429 says when to come back', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 35; i++) codes.push((await fx.app.inject({ url: '/api/public/v1/tasks', remoteAddress: '10.9.9.9' })).statusCode);
    expect(codes.filter((c) => c === 200)).toHaveLength(30);
    const limited = await fx.app.inject({ url: '/api/public/v1/tasks', remoteAddress: '10.9.9.9' });
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
    // Another address is not affected.
    expect((await fx.app.inject({ url: '/api/public/v1/tasks', remoteAddress: '10.9.9.10' })).statusCode).toBe(200);
  });
});
