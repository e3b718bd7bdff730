/**
 * Builds the fastify app: conventions shared by every route (error shape,
 * OpenAPI at /docs, security headers, rate limits, health and metrics) and
 * the route plugins of each stage. Building listens on nothing; the entry
 * point calls listen().
 */
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Registry as MetricsRegistry } from 'prom-client';
import type { Logger } from '../platform/logger.js';
import { useErrorShape } from './errors.js';

export type ReadinessCheck = () => Promise<boolean>;

export interface AppOptions {
  readonly logger: Logger;
  readonly metrics: MetricsRegistry;
  /** Named dependency checks for /readyz (Redis, InfluxDB, broker). */
  readonly readiness: Record<string, ReadinessCheck>;
  readonly bodyLimitBytes: number;
  readonly trustProxy?: boolean;
  /** Requests per minute per client address. @defaultValue 1200 */
  readonly rateLimitPerMinute?: number;
  /** Route plugins of the stages, registered after the conventions. */
  readonly plugins: readonly FastifyPluginAsync[];
}

export type App = FastifyInstance;

/**
 * Replaces the values of credential-like query parameters (the agency key of
 * the SSE route, and any token or password a client puts in a URL) with [redacted].
 */
export function redactKey(url: string): string {
  return url.replace(/([?&](?:key|api_?key|token|access_token|password|passwd|pw|secret|auth)=)[^&#]*/gi, '$1[redacted]');
}


export async function buildApp(options: AppOptions): Promise<App> {
  const app = Fastify({
    // EventSource cannot send headers, so the live stream takes `?key=`: keep it out of the request log.
    loggerInstance: options.logger.child(
      { component: 'api' },
      { serializers: { req: (req: { method: string; url: string; host?: string; ip?: string }) => ({ method: req.method, url: redactKey(req.url), host: req.host, remoteAddress: req.ip }) } },
    ),
    bodyLimit: options.bodyLimitBytes,
    trustProxy: options.trustProxy ?? false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  useErrorShape(app);

  await app.register(helmet, {
    // The dashboard loads its scripts and styles from this server only.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
      },
    },
  });
  await app.register(rateLimit, {
    max: options.rateLimitPerMinute ?? 1200,
    timeWindow: '1 minute',
    // Per client address: keying by the Authorization text let one client with many spellings of a
    // token, or made-up tokens, escape the limit (found by the fuzzer).
    keyGenerator: (request) => request.ip,
    allowList: (request) => request.url === '/healthz' || request.url === '/readyz' || request.url === '/metrics',
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'RiverWatch API', version: '1', description: 'Cross-boundary water-quality early warning: readings, alerts, joint monitoring tasks.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Agency API key, or a station token for POST /api/v1/readings' } } },
    },
    // Shared schemas keep their $id as their name in the document (`#/components/schemas/ErrorBody`).
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });

  app.get('/healthz', { schema: { tags: ['operations'], summary: 'Liveness: the process answers' } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { tags: ['operations'], summary: 'Readiness: Redis, InfluxDB and the broker answer' } }, async (_request, reply) => {
    const checks: Record<string, boolean> = {};
    await Promise.all(
      Object.entries(options.readiness).map(async ([name, check]) => {
        checks[name] = await check().catch(() => false);
      }),
    );
    const ready = Object.values(checks).every(Boolean);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  });
  app.get('/metrics', { schema: { tags: ['operations'], summary: 'Prometheus metrics' } }, async (_request, reply) => {
    reply.header('content-type', options.metrics.contentType);
    return options.metrics.metrics();
  });

  for (const plugin of options.plugins) await app.register(plugin);
  return app as unknown as App;
}
