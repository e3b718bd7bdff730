/**
 * docker-compose.yml, checked without a Docker engine: the services the
 * issue asks for, their health checks, restart policies, dependencies and
 * volumes, and that every RiverWatch service runs a real CLI command with
 * settings the configuration schema knows.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { OPERATOR_COMMANDS } from '../../../bin/operator-commands.js';
import { ROLE_NEEDS, ROLES, type Role } from '../../../bin/roles.js';
import { knownConfigKeys, readRepoFile, REPO } from './deploy-files.js';

interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  entrypoint?: string[] | string;
  environment?: Record<string, string>;
  restart?: string;
  healthcheck?: { test?: string[] | string; interval?: string };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  ports?: string[];
}

const text = readRepoFile('docker-compose.yml');
const compose = parse(text, { merge: true }) as { services: Record<string, Service>; volumes?: Record<string, unknown> };
const services = compose.services;
const riverwatch = Object.entries(services).filter(([, s]) => s.image?.startsWith('riverwatch'));
const NEED_SERVICE = { redis: 'redis', influx: 'influxdb', mqtt: 'mosquitto' } as const;
const commandList = (c: string[] | string | undefined): string[] => (Array.isArray(c) ? c : typeof c === 'string' ? c.split(/\s+/) : []);
const healthText = (s: Service): string => commandList(s.healthcheck?.test).join(' ');

describe('docker-compose.yml', () => {
  it('has InfluxDB 2.7, Redis 7, Mosquitto 2 and one service per RiverWatch role', () => {
    expect(services.influxdb?.image).toBe('influxdb:2.7');
    expect(services.redis?.image).toMatch(/^redis:7(\b|-)/);
    expect(services.mosquitto?.image).toMatch(/^eclipse-mosquitto:2(\b|\.)/);
    const roles = riverwatch.map(([, s]) => commandList(s.command)[0]);
    expect(new Set(roles)).toEqual(new Set(ROLES));
  });

  it('runs an existing riverwatch command in every RiverWatch service, with the image built from this repository', () => {
    const commands = new Set<string>([...ROLES, 'start', ...Object.keys(OPERATOR_COMMANDS)]);
    for (const [name, service] of riverwatch) {
      expect(commands.has(commandList(service.command)[0] ?? ''), `${name}: ${String(service.command)}`).toBe(true);
      expect(service.build, name).toBe('.');
    }
    expect(existsSync(join(REPO, 'Dockerfile'))).toBe(true);
  });

  it('gives every service a restart policy and a health check', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(['always', 'unless-stopped'], name).toContain(service.restart);
      expect(commandList(service.healthcheck?.test)[0], name).toMatch(/^(CMD|CMD-SHELL)$/);
    }
  });

  it('checks the api on /readyz and the other roles on their RW_METRICS_PORT /metrics', () => {
    for (const [name, service] of riverwatch) {
      const env = service.environment ?? {};
      const check = healthText(service);
      if (commandList(service.command)[0] === 'api') expect(check, name).toContain(`127.0.0.1:${env.RW_HTTP_PORT}/readyz`);
      else expect(check, name).toContain(`127.0.0.1:${env.RW_METRICS_PORT}/metrics`);
    }
  });

  it('makes each role wait for the healthy services it needs (bin/roles.ts ROLE_NEEDS)', () => {
    for (const [name, service] of riverwatch) {
      const role = commandList(service.command)[0] as Role;
      const needed = Object.entries(ROLE_NEEDS[role]).filter(([, on]) => on).map(([need]) => NEED_SERVICE[need as keyof typeof NEED_SERVICE]);
      expect(Object.keys(service.depends_on ?? {}).sort(), name).toEqual([...needed].sort());
      for (const dependency of Object.values(service.depends_on ?? {})) expect(dependency.condition).toBe('service_healthy');
    }
  });

  it('sets only RW_* keys the configuration knows, v2 for InfluxDB, and a distinct RW_INSTANCE per process', () => {
    const known = knownConfigKeys();
    const instances = new Set<string>();
    for (const [name, service] of riverwatch) {
      const env = service.environment ?? {};
      for (const key of Object.keys(env)) expect(known.has(key), `${name}: ${key}`).toBe(true);
      expect(env.RW_INFLUX_API).toBe('v2');
      expect(env.RW_REDIS_URL).toMatch(/^redis:\/\/.*@redis:6379/);
      expect(env.RW_MQTT_URL).toBe('mqtt://mosquitto:1883');
      expect(env.RW_INSTANCE, name).toMatch(/^[A-Za-z0-9_.-]+$/);
      instances.add(env.RW_INSTANCE as string);
    }
    expect(instances.size).toBe(riverwatch.length);
  });

  it('runs Redis with AOF and noeviction, and InfluxDB with its org, bucket and token set up', () => {
    const redis = commandList(services.redis?.command).join(' ');
    expect(redis).toContain('--appendonly yes');
    expect(redis).toContain('--maxmemory-policy noeviction');
    const influx = services.influxdb?.environment ?? {};
    expect(influx.DOCKER_INFLUXDB_INIT_MODE).toBe('setup');
    for (const key of ['DOCKER_INFLUXDB_INIT_ORG', 'DOCKER_INFLUXDB_INIT_BUCKET', 'DOCKER_INFLUXDB_INIT_ADMIN_TOKEN', 'DOCKER_INFLUXDB_INIT_USERNAME', 'DOCKER_INFLUXDB_INIT_PASSWORD']) {
      expect(influx[key], key).toBeTruthy();
    }
    expect(services.influxdb?.volumes).toContain('influxdb-data:/var/lib/influxdb2');
    expect(services.redis?.volumes).toContain('redis-data:/data');
  });

  it('runs Mosquitto with the shipped configuration, its ACL and password file, and persistence on a volume', () => {
    const conf = readRepoFile('config/mosquitto/mosquitto.conf');
    const setting = (name: string) => new RegExp(`^${name} (.+)$`, 'm').exec(conf)?.[1];
    expect(setting('persistence')).toBe('true');
    const mosquitto = services.mosquitto as Service;
    const mounts = mosquitto.volumes ?? [];
    const confMount = mounts.find((v) => v.startsWith('./config/mosquitto/mosquitto.conf:'));
    expect(confMount).toBeDefined();
    const script = commandList(mosquitto.command).join(' ');
    expect(script).toContain(`-c ${confMount?.split(':')[1]}`);
    // The files broker-config renders are copied to where the shipped conf reads them.
    const passwordFile = setting('password_file') as string;
    const aclFile = setting('acl_file') as string;
    expect(passwordFile.replace(/passwd$/, 'acl')).toBe(aclFile);
    expect(script).toContain(`cp /run/riverwatch-broker/acl /run/riverwatch-broker/passwd ${passwordFile.replace(/passwd$/, '')}`);
    expect(mounts).toContain('./deploy/broker/acl:/run/riverwatch-broker/acl:ro');
    expect(mounts).toContain('./deploy/broker/passwd:/run/riverwatch-broker/passwd:ro');
    const persistence = (setting('persistence_location') ?? '').replace(/\/$/, '');
    expect(mounts.some((v) => /^[a-z-]+:/.test(v) && v.split(':')[1] === persistence)).toBe(true);
  });

  it('declares every named volume and only bind-mounts files that exist (broker files are generated by broker-config)', () => {
    const declared = new Set(Object.keys(compose.volumes ?? {}));
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0] as string;
        if (source.startsWith('./')) {
          if (source.startsWith('./deploy/broker/')) continue;
          expect(existsSync(join(REPO, source)), `${name}: ${source}`).toBe(true);
        } else if (source.startsWith('${')) {
          const fallback = /:-([^}]+)\}/.exec(source)?.[1] ?? '';
          expect(existsSync(join(REPO, fallback)), `${name}: ${source}`).toBe(true);
        } else expect(declared.has(source), `${name}: volume ${source}`).toBe(true);
      }
    }
    expect(text).toMatch(/riverwatch (-- )?broker-config --out deploy\/broker/);
  });

  it('takes every interpolated variable from deploy/compose.env.example', () => {
    const documented = new Set([...readRepoFile('deploy/compose.env.example').matchAll(/^([A-Z0-9_]+)=/gm)].map((m) => m[1]));
    const used = new Set([...text.matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1]));
    expect(used.size).toBeGreaterThan(5);
    for (const variable of used) expect(documented.has(variable), variable).toBe(true);
  });

  it('publishes the API and HJ 212 ports the services listen on', () => {
    const api = services.api as Service;
    const hj212 = services.hj212 as Service;
    expect(api.ports).toContain(`${api.environment?.RW_HTTP_PORT}:${api.environment?.RW_HTTP_PORT}`);
    expect(hj212.ports).toContain(`${hj212.environment?.RW_HJ212_PORT}:${hj212.environment?.RW_HJ212_PORT}`);
    expect(hj212.environment?.RW_HJ212_HOST).toBe('0.0.0.0');
  });
});
