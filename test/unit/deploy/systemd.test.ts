/**
 * The example systemd units (deploy/systemd/), checked by parsing: one unit
 * per role starting the real CLI with that role, restart and hardening
 * options, ordering after Debian's services the role needs, and an
 * environment file with settings the configuration knows.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROLE_NEEDS, ROLES, type Role } from '../../../bin/roles.js';
import { knownConfigKeys, parseUnit, readRepoFile, REPO, unitValue, type UnitFile } from './deploy-files.js';

const DIR = 'deploy/systemd';
const files = readdirSync(join(REPO, DIR));
const services = files.filter((f) => f.endsWith('.service')).map((f) => ({ file: f, unit: parseUnit(readRepoFile(`${DIR}/${f}`)) }));
const DEBIAN_SERVICE = { redis: 'redis-server.service', influx: 'influxdb.service', mqtt: 'mosquitto.service' } as const;

function execStart(unit: UnitFile): string[] {
  return (unitValue(unit, 'Service', 'ExecStart')[0] ?? '').split(/\s+/);
}

describe('systemd units', () => {
  it('has one unit per role, each running the compiled CLI (the package bin, from npm run build) with that role', () => {
    const packageJson = JSON.parse(readRepoFile('package.json')) as { bin: Record<string, string> };
    expect(packageJson.bin.riverwatch).toBe('dist/bin/riverwatch.js');
    const roles = services.map(({ unit }) => execStart(unit)[2]);
    expect(roles.sort()).toEqual([...ROLES].sort());
    for (const { file, unit } of services) {
      const [node, script, role] = execStart(unit);
      expect(node, file).toBe('/usr/bin/node');
      expect(script, file).toBe(`/opt/riverwatch/${packageJson.bin.riverwatch}`);
      expect(file, file).toMatch(new RegExp(`^riverwatch-${role}(@)?\\.service$`));
      expect(unitValue(unit, 'Service', 'WorkingDirectory'), file).toEqual(['/opt/riverwatch']);
    }
  });

  it('restarts always, reads the shared environment file, and names each process (RW_INSTANCE)', () => {
    for (const { file, unit } of services) {
      expect(unitValue(unit, 'Service', 'Restart'), file).toEqual(['always']);
      expect(unitValue(unit, 'Service', 'EnvironmentFile')[0], file).toBe('/etc/riverwatch/riverwatch.env');
      const instance = unitValue(unit, 'Service', 'Environment').find((e) => e.startsWith('RW_INSTANCE='));
      expect(instance, file).toBe(file.includes('@') ? 'RW_INSTANCE=%i' : `RW_INSTANCE=${execStart(unit)[2]}-1`);
      expect(unitValue(unit, 'Install', 'WantedBy'), file).toEqual(['riverwatch.target']);
    }
    expect(files).toContain('riverwatch.target');
  });

  it('starts after the Debian services each role needs', () => {
    for (const { file, unit } of services) {
      const role = execStart(unit)[2] as Role;
      const after = unitValue(unit, 'Unit', 'After').join(' ').split(/\s+/);
      for (const [need, on] of Object.entries(ROLE_NEEDS[role])) {
        if (on) expect(after, `${file} needs ${need}`).toContain(DEBIAN_SERVICE[need as keyof typeof DEBIAN_SERVICE]);
      }
    }
  });

  it('runs unprivileged with the hardening options, leaving V8 its executable memory', () => {
    for (const { file, unit } of services) {
      const get = (key: string) => unitValue(unit, 'Service', key);
      expect(get('User'), file).toEqual(['riverwatch']);
      expect(get('NoNewPrivileges'), file).toEqual(['yes']);
      expect(get('ProtectSystem'), file).toEqual(['strict']);
      expect(get('ProtectHome'), file).toEqual(['yes']);
      expect(get('PrivateTmp'), file).toEqual(['yes']);
      expect(get('CapabilityBoundingSet'), file).toEqual(['']);
      expect(get('MemoryDenyWriteExecute'), file).not.toContain('yes');
      expect(get('StateDirectory'), file).toEqual(['riverwatch']);
    }
  });

  it('documents an environment file with known RW_* keys and no RW_INSTANCE', () => {
    const text = readRepoFile(`${DIR}/riverwatch.env.example`);
    const keys = [...text.matchAll(/^#?\s*(RW_[A-Z0-9_]+)=/gm)].map((m) => m[1] as string);
    const known = knownConfigKeys();
    expect(keys.length).toBeGreaterThan(10);
    for (const key of keys) expect(known.has(key), key).toBe(true);
    expect(keys).not.toContain('RW_INSTANCE');
    expect(text).toMatch(/^RW_DATA_DIR=\/var\/lib\/riverwatch$/m);
  });
});
