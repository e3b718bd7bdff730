/**
 * Serves the monitoring-centre dashboard (issue 8 §3) from the API server:
 * plain ES modules and CSS from api/dashboard/public under `/` (no build
 * step), and uPlot's ESM build and stylesheet from the installed package
 * under `/vendor/`. Everything is same-origin, so the app's CSP
 * (scripts and styles from self only) holds. The page itself is public; its
 * data comes from the API with the agency key the user logs in with.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';
import fastifyStatic from '@fastify/static';

export interface DashboardOptions {
  /** Folder of index.html, css/ and js/. @defaultValue api/dashboard/public */
  readonly publicDir?: string;
  /** Folder holding uPlot.esm.js and uPlot.min.css. @defaultValue the installed uplot package's dist/ */
  readonly uplotDir?: string;
}

/** The only files served from the uPlot package. */
const VENDOR_FILES = new Set(['/uPlot.esm.js', '/uPlot.min.css']);

export function defaultPublicDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), 'public');
}

export function defaultUplotDir(): string {
  return join(dirname(createRequire(import.meta.url).resolve('uplot/package.json')), 'dist');
}

export function dashboardPlugin(options: DashboardOptions = {}): FastifyPluginAsync {
  return async (app) => {
    await app.register(fastifyStatic, {
      root: options.publicDir ?? defaultPublicDir(),
      prefix: '/',
      index: ['index.html'],
      // One route per file at start: unknown paths fall through to the API's 404 (JSON error shape).
      wildcard: false,
      // The page changes with each release: revalidate (ETag) instead of caching blindly.
      cacheControl: true,
      maxAge: 0,
      setHeaders: (res) => res.setHeader('cache-control', 'no-cache'),
    });
    await app.register(fastifyStatic, {
      root: options.uplotDir ?? defaultUplotDir(),
      prefix: '/vendor/',
      decorateReply: false,
      wildcard: true,
      allowedPath: (pathname) => VENDOR_FILES.has(pathname),
      cacheControl: true,
      maxAge: '1d',
    });
  };
}
