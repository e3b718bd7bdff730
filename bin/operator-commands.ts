/**
 * Operator commands of the CLI: a table of small handlers with one signature.
 * Each returns the process exit code.
 */
import { loadRegistryFile, parseConfig, type Config } from '../config/index.js';
import { AppError } from '../domain/index.js';
import { DeadLetterStore } from '../ingest/dead-letters.js';
import { replayDeadLetters } from '../ingest/replay.js';
import type { Logger } from '../platform/logger.js';
import { waitForRedis } from '../platform/redis.js';
import { createContext } from './context.js';
import { Lifecycle } from './lifecycle.js';

export interface OperatorCommand {
  readonly summary: string;
  run(args: string[], config: Config, logger: Logger): Promise<number>;
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Runs `work` with a context holding only Redis, closing everything afterwards. */
async function withRedisContext<T>(config: Config, logger: Logger, work: (ctx: Awaited<ReturnType<typeof createContext>>) => Promise<T>): Promise<T> {
  const lifecycle = new Lifecycle(logger);
  try {
    const ctx = await createContext(config, logger, lifecycle, { redis: true });
    await waitForRedis(ctx.redis('probe'), 10_000);
    return await work(ctx);
  } finally {
    await lifecycle.close();
  }
}

export const OPERATOR_COMMANDS: Record<string, OperatorCommand> = {
  'check-config': {
    summary: 'validate RW_* settings and the registry; list every problem',
    async run(_args, config) {
      const envResult = parseConfig(process.env);
      if (!envResult.ok) {
        console.error(envResult.problems.join('\n'));
        return 2;
      }
      try {
        const registry = loadRegistryFile(config.registryFile);
        console.log(`configuration ok; registry ${config.registryFile}: ${registry.agencies.size} agencies, ${registry.rivers.size} rivers, ${registry.sections.size} sections, ${registry.stations.size} stations`);
        return 0;
      } catch (err) {
        console.error(err instanceof AppError ? err.message : err);
        return 2;
      }
    },
  },
  'check-registry': {
    summary: '<file>: validate a registry file and list every problem',
    async run(args) {
      const file = args[0];
      if (!file) {
        console.error('usage: riverwatch check-registry <file.yaml|file.json>');
        return 2;
      }
      try {
        const registry = loadRegistryFile(file);
        console.log(`registry ok: ${registry.sections.size} sections, ${registry.stations.size} stations`);
        return 0;
      } catch (err) {
        console.error(err instanceof AppError ? err.message : err);
        return 2;
      }
    },
  },
  'dead-letters': {
    summary: 'list [--code C] [--station S] [--source mqtt|http|hj212] [--limit N] | stats | replay <id...>|--code C|--station S',
    async run(args, config, logger) {
      const [sub = 'list', ...rest] = args;
      return withRedisContext(config, logger, async (ctx) => {
        const store = new DeadLetterStore({ redis: ctx.redis('dead-letters-cli'), prefix: config.redis.prefix });
        if (sub === 'stats') {
          const counts = await store.countByCode();
          console.log(JSON.stringify({ total: await store.count(), byCode: counts }, null, 2));
          return 0;
        }
        const filter = {
          ...(flag(rest, '--code') ? { code: flag(rest, '--code') as string } : {}),
          ...(flag(rest, '--station') ? { stationId: flag(rest, '--station') as string } : {}),
          ...(flag(rest, '--source') ? { source: flag(rest, '--source') as string } : {}),
          limit: Number(flag(rest, '--limit') ?? 50),
        };
        if (sub === 'list') {
          for (const letter of await store.list(filter)) {
            console.log(JSON.stringify({ ...letter, raw: letter.raw.length > 200 ? `${letter.raw.slice(0, 200)}…` : letter.raw }));
          }
          return 0;
        }
        if (sub === 'replay') {
          const ids = rest.filter((a, i) => !a.startsWith('--') && !(rest[i - 1] ?? '').startsWith('--'));
          const letters = ids.length > 0 ? (await Promise.all(ids.map((id) => store.get(id)))).filter((l) => l !== undefined) : await store.list({ ...filter, limit: 1000 });
          const gateway = await ctx.gateway();
          const report = await replayDeadLetters(letters, gateway, store);
          console.log(JSON.stringify(report, null, 2));
          return report.failed > 0 ? 1 : 0;
        }
        console.error('usage: riverwatch dead-letters list|stats|replay');
        return 2;
      });
    },
  },
};

