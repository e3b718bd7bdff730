/**
 * The public view (issue 18 §2): a read-only page under `/public/` and its
 * JSON/CSV feed under `/api/public/v1/`, no key needed. Off by default; the
 * entry point registers it only when RW_PUBLIC_VIEW is on. Each answer is
 * computed at most once per cache period (so a crowd costs InfluxDB one query
 * per period), sent with Cache-Control and an ETag, and rate-limited per
 * client address on top of the app-wide limit. Only what disclosure.ts builds
 * is sent.
 */
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import { systemClock, type Clock, type Registry } from '../../domain/index.js';
import { csvField } from '../reports/csv.js';
import { sectionCurrentClass } from '../queries/current-class.js';
import { ReadingsQueries, type InfluxReader, type StationLatest } from '../queries/readings-queries.js';
import { classByDay, localDayStart, publicSection, publicTask, type ClosedTaskInput, type PublicSection, type PublicTask } from './disclosure.js';
import { sectionClassesSince } from './section-classes-since.js';

export interface PublicViewOptions {
  readonly registry: Registry;
  readonly influx: InfluxReader;
  /** Closed joint tasks, newest first (the alerts stage's task store); without it the task list is empty. */
  readonly closedTasks?: (limit: number) => Promise<readonly ClosedTaskInput[]>;
  readonly clock?: Clock;
  /** @defaultValue 480 (China Standard Time) */
  readonly tzOffsetMin?: number;
  /** Days of class history. @defaultValue 30 */
  readonly days?: number;
  /** How long an answer is reused and may be cached by clients and proxies. @defaultValue 300 */
  readonly cacheSeconds?: number;
  /** Feed requests per minute per client address. @defaultValue 60 */
  readonly rateLimitPerMinute?: number;
  /** Most closed tasks listed. @defaultValue 200 */
  readonly maxTasks?: number;
  /** A class older than this is not "current" from readings (analytics writes hourly). @defaultValue 2 h */
  readonly freshMs?: number;
}

export function defaultPublicPageDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), 'page');
}

interface Cached {
  readonly at: number;
  readonly body: string;
  readonly etag: string;
}

export function publicViewRoutes(options: PublicViewOptions): FastifyPluginAsync {
  const { registry } = options;
  const clock = options.clock ?? systemClock;
  const tz = options.tzOffsetMin ?? 480;
  const days = options.days ?? 30;
  const cacheMs = (options.cacheSeconds ?? 300) * 1000;
  const maxTasks = options.maxTasks ?? 200;
  const freshMs = options.freshMs ?? 2 * 3_600_000;
  const queries = new ReadingsQueries(options.influx);
  const sections = [...registry.rivers.values()].flatMap((r) => r.sectionIds.map((id) => registry.section(id)!).filter(Boolean));

  async function buildSections(): Promise<{ generatedAt: string; days: number; sections: PublicSection[] }> {
    const now = clock.now();
    const fromMs = localDayStart(now, tz, days - 1);
    const stations = sections.flatMap((s) => registry.stationsOf(s.id));
    const [latest, classes, history] = await Promise.all([
      queries.latest(
        stations.map((s) => s.id),
        (id) => registry.station(id)?.parameters ?? [],
      ),
      queries.latestSectionClass(sections.map((s) => s.id)),
      sectionClassesSince(options.influx, sections.map((s) => s.id), fromMs),
    ]);
    return {
      generatedAt: new Date(now).toISOString(),
      days,
      sections: sections.map((section) => {
        const readings = registry.stationsOf(section.id).map((s) => latest.get(s.id)).filter((l): l is StationLatest => l !== undefined);
        const current = sectionCurrentClass(section, classes.get(section.id), readings, now, freshMs);
        const byDay = classByDay(history.get(section.id) ?? [], section.targetClass, fromMs, now, tz);
        return publicSection(registry, section, current, byDay, tz);
      }),
    };
  }

  async function buildTasks(): Promise<{ generatedAt: string; tasks: PublicTask[] }> {
    const closed = options.closedTasks ? await options.closedTasks(maxTasks) : [];
    return {
      generatedAt: new Date(clock.now()).toISOString(),
      tasks: closed.map((t) => publicTask(registry, t, tz)).filter((t): t is PublicTask => t !== undefined),
    };
  }

  const sectionsCsv = (view: Awaited<ReturnType<typeof buildSections>>): string => {
    const head = 'section_id,section_zh,section_en,river_zh,river_en,target_class,date,class,hours_evaluated,hours_meeting_target,meets_target';
    const rows = view.sections.flatMap((s) =>
      s.days.map((d) =>
        [s.id, s.name.zh, s.name.en, s.river.zh, s.river.en, s.targetClass, d.date, d.class, d.hoursEvaluated, d.hoursMeetingTarget, d.meetsTarget === null ? '' : String(d.meetsTarget)]
          .map((v) => csvField(v))
          .join(','),
      ),
    );
    return [head, ...rows].join('\r\n') + '\r\n';
  };

  const tasksCsv = (view: Awaited<ReturnType<typeof buildTasks>>): string => {
    const head = 'id,river_zh,section_zh,section_en,level,parties_zh,parties_en,lead_zh,lead_en,opened_at,closed_at,problems_rectified,reopened,escalations,result_zh,result_en';
    const rows = view.tasks.map((t) =>
      [
        t.id,
        t.river.zh,
        t.section.zh,
        t.section.en,
        t.level,
        t.parties.map((p) => p.zh).join('；'),
        t.parties.map((p) => p.en).join('; '),
        t.lead.zh,
        t.lead.en,
        t.openedAt,
        t.closedAt,
        t.problemsRectified,
        t.reopened,
        t.escalations,
        t.result.zh,
        t.result.en,
      ]
        .map((v) => csvField(v))
        .join(','),
    );
    return [head, ...rows].join('\r\n') + '\r\n';
  };

  /** An answer reused for the cache period; one computation at a time per resource. */
  function cached(render: () => Promise<string>): () => Promise<Cached> {
    let current: Cached | undefined;
    let pending: Promise<Cached> | undefined;
    return async () => {
      if (current && clock.now() - current.at < cacheMs) return current;
      pending ??= render()
        .then((body) => (current = { at: clock.now(), body, etag: `"${createHash('sha1').update(body).digest('base64url')}"` }))
        .finally(() => (pending = undefined));
      return pending;
    };
  }

  const resources = {
    sectionsJson: cached(async () => JSON.stringify(await buildSections())),
    sectionsCsv: cached(async () => sectionsCsv(await buildSections())),
    tasksJson: cached(async () => JSON.stringify(await buildTasks())),
    tasksCsv: cached(async () => tasksCsv(await buildTasks())),
  };

  const send = async (request: FastifyRequest, reply: FastifyReply, get: () => Promise<Cached>, type: string, file?: string) => {
    const { body, etag } = await get();
    reply.header('cache-control', `public, max-age=${Math.round(cacheMs / 1000)}`).header('etag', etag).header('access-control-allow-origin', '*');
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    if (file) reply.header('content-disposition', `attachment; filename="${file}"`);
    return reply.type(type).send(type.startsWith('text/csv') ? `\uFEFF${body}` : body);
  };

  return async (app) => {
    const rateLimit = { max: options.rateLimitPerMinute ?? 60, timeWindow: '1 minute' };
    const route = (url: string, summary: string, get: () => Promise<Cached>, type: string, file?: string) =>
      app.get(url, { config: { rateLimit }, schema: { tags: ['public'], summary } }, (request, reply) => send(request, reply, get, type, file));
    route('/api/public/v1/sections', 'Public: each section\'s current class against its target, and its class by local day (no key)', resources.sectionsJson, 'application/json; charset=utf-8');
    route('/api/public/v1/sections.csv', 'Public: class by local day of every section, CSV (UTF-8 with BOM)', resources.sectionsCsv, 'text/csv; charset=utf-8', 'riverwatch-sections.csv');
    route('/api/public/v1/tasks', 'Public: closed joint monitoring tasks with dates, parties and result (no key)', resources.tasksJson, 'application/json; charset=utf-8');
    route('/api/public/v1/tasks.csv', 'Public: closed joint monitoring tasks, CSV (UTF-8 with BOM)', resources.tasksCsv, 'text/csv; charset=utf-8', 'riverwatch-tasks.csv');
    await app.register(fastifyStatic, {
      root: defaultPublicPageDir(),
      prefix: '/public/',
      index: ['index.html'],
      // `/public` (as people type it) redirects to `/public/`.
      redirect: true,
      decorateReply: false,
      wildcard: false,
      cacheControl: true,
      maxAge: 0,
      setHeaders: (res) => res.setHeader('cache-control', 'no-cache'),
    });
  };
}
