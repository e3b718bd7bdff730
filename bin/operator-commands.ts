/**
 * Operator commands of the CLI: a table of small handlers with one signature.
 * Each returns the process exit code.
 */
import { loadRegistryFile, parseConfig, type Config } from '../config/index.js';
import { AppError } from '../domain/index.js';
import { DeadLetterStore } from '../platform/redis/readings/dead-letters.js';
import { RedisStationDiagnostics } from '../platform/redis/readings/diagnostics-store.js';
import { DIAGNOSTIC_KINDS, type DiagnosticKind } from '../domain/station-diagnostics.js';
import { replayDeadLetters } from '../ingest/replay.js';
import type { Logger } from '../platform/logger.js';
import { waitForRedis } from '../platform/redis/client.js';
import { randomBytes } from 'node:crypto';
import { chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { SHIPPED_MOSQUITTO_CONF, renderMosquittoAcl, renderMosquittoConf, renderMosquittoPasswordFile } from '../platform/mqtt/mosquitto-config.js';
import { sha256Hex } from '../platform/station-auth.js';
import { createContext } from './context.js';
import { Lifecycle } from './lifecycle.js';

export interface OperatorCommand {
  readonly summary: string;
  run(args: string[], config: Config, logger: Logger): Promise<number>;
}

/** Group id of a system group from /etc/group, if it exists. */
function groupId(name: string): number | undefined {
  try {
    const line = readFileSync('/etc/group', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
    return line ? Number(line.split(':')[2]) : undefined;
  } catch {
    return undefined;
  }
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
  simulate: {
    summary: '[--scenario NAME|FILE] [--seed N] [--speed N|max] [--from -2d] [--transport mqtt|http|hj212] [--load N] …: simulated stations (docs/scenarios.md)',
    async run(args, config, logger) {
      const { simulateCommand } = await import('./simulation.js');
      return simulateCommand(args, config, logger);
    },
  },
  'broker-config': {
    summary: '--out DIR [--tokens secrets.yaml] [--port 1883]: Mosquitto config, ACL, password file and station tokens',
    async run(args, config) {
      const out = flag(args, '--out');
      if (!out) {
        console.error('usage: riverwatch broker-config --out DIR [--tokens existing-secrets.yaml] [--port 1883]');
        return 2;
      }
      const registry = loadRegistryFile(config.registryFile);
      const tokensFile = flag(args, '--tokens');
      const existing = tokensFile ? (parseYaml(readFileSync(tokensFile, 'utf8')) as Record<string, string>) : {};
      const tokens: Record<string, string> = {};
      for (const station of registry.stations.values()) tokens[station.id] = existing[station.id] ?? randomBytes(24).toString('base64url');
      const servicePassword = config.mqtt.password || randomBytes(24).toString('base64url');
      mkdirSync(out, { recursive: true });
      const dir = resolvePath(out);
      writeFileSync(join(dir, 'acl'), renderMosquittoAcl(registry, { serviceUsers: [config.mqtt.username] }));
      writeFileSync(
        join(dir, 'passwd'),
        renderMosquittoPasswordFile([{ username: config.mqtt.username, password: servicePassword }, ...Object.entries(tokens).map(([username, password]) => ({ username, password }))]),
        { mode: 0o640 },
      );
      // Mosquitto started as root drops to the `mosquitto` user, which must be able to read the password and ACL files.
      const brokerGid = groupId('mosquitto');
      if (brokerGid !== undefined && process.getuid?.() === 0) for (const file of ['passwd', 'acl']) chownSync(join(dir, file), 0, brokerGid);
      writeFileSync(
        join(dir, 'mosquitto.conf'),
        renderMosquittoConf({ ...SHIPPED_MOSQUITTO_CONF, port: Number(flag(args, '--port') ?? 1883), passwordFile: join(dir, 'passwd'), aclFile: join(dir, 'acl') }),
      );
      // Hand each token to its station's gateway; the registry keeps only the SHA-256.
      writeFileSync(join(dir, 'station-secrets.yaml'), stringifyYaml(tokens), { mode: 0o600 });
      writeFileSync(join(dir, 'registry-token-hashes.yaml'), stringifyYaml(Object.fromEntries(Object.entries(tokens).map(([id, token]) => [id, { tokenSha256: sha256Hex(token) }]))));
      if (!config.mqtt.password) writeFileSync(join(dir, 'service-password.txt'), `${servicePassword}\n`, { mode: 0o600 });
      console.log(
        [
          `wrote ${dir}/{mosquitto.conf,acl,passwd,station-secrets.yaml,registry-token-hashes.yaml}`,
          `- copy each station's tokenSha256 from registry-token-hashes.yaml into the registry (${config.registryFile})`,
          `- give each gateway its token from station-secrets.yaml (MQTT user = station id; HTTP: Authorization: Bearer <token>)`,
          config.mqtt.password ? '- the service user uses RW_MQTT_PASSWORD' : `- set RW_MQTT_PASSWORD to the password in ${dir}/service-password.txt`,
          `- start the broker: mosquitto -c ${dir}/mosquitto.conf (as root it runs as user mosquitto: passwd and acl must be readable by that user${brokerGid === undefined ? '' : '; done'})`,
        ].join('\n'),
      );
      return 0;
    },
  },
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
  'agency-key': {
    summary: 'create <agencyId> [--label L] | revoke <keyId> | list [agencyId]: agency API keys (stored hashed)',
    async run(args, config, logger) {
      const [sub, id] = args;
      return withRedisContext(config, logger, async (ctx) => {
        const store = ctx.agencyKeys();
        if (sub === 'create' && id) {
          if (!ctx.registry.agencies.has(id)) {
            console.error(`agency "${id}" is not in the registry (known: ${[...ctx.registry.agencies.keys()].join(', ')})`);
            return 2;
          }
          const { key, record } = await store.create(id, flag(args, '--label'));
          console.log(JSON.stringify({ key, keyId: record.keyId, agencyId: record.agencyId, note: 'the key is shown once; only its SHA-256 is stored' }, null, 2));
          return 0;
        }
        if (sub === 'revoke' && id) {
          const revoked = await store.revoke(id);
          console.log(revoked ? `key ${id} revoked` : `no key ${id}`);
          return revoked ? 0 : 1;
        }
        if (sub === 'list') {
          for (const record of await store.list(id)) console.log(JSON.stringify(record));
          return 0;
        }
        console.error('usage: riverwatch agency-key create <agencyId> [--label L] | revoke <keyId> | list [agencyId]');
        return 2;
      });
    },
  },
  diagnostics: {
    summary: 'list [--station S] [--kind restart|running-status|running-time|device-info|log|parameter|sample-retention|logger-setting|alarm] [--limit N]: what HJ 212 data loggers reported about themselves, newest first',
    async run(args, config, logger) {
      const [sub = 'list', ...rest] = args;
      if (sub !== 'list') {
        console.error('usage: riverwatch diagnostics list [--station S] [--kind K] [--limit N]');
        return 2;
      }
      const kind = flag(rest, '--kind');
      if (kind !== undefined && !(DIAGNOSTIC_KINDS as readonly string[]).includes(kind)) {
        console.error(`unknown kind ${kind}; one of ${DIAGNOSTIC_KINDS.join(', ')}`);
        return 2;
      }
      return withRedisContext(config, logger, async (ctx) => {
        const store = new RedisStationDiagnostics({ redis: ctx.redis('diagnostics-cli'), prefix: config.redis.prefix });
        const station = flag(rest, '--station');
        const entries = await store.list({
          ...(kind === undefined ? {} : { kind: kind as DiagnosticKind }),
          ...(station === undefined ? {} : { stationId: station }),
          limit: Number(flag(rest, '--limit') ?? 50),
        });
        for (const entry of entries) console.log(JSON.stringify(entry));
        return 0;
      });
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

