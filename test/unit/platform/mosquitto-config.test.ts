import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError, Registry, type Station } from '../../../domain/index.js';
import { loadRegistryFile } from '../../../config/registry-loader.js';
import {
  mosquittoPasswordLine,
  renderMosquittoAcl,
  renderMosquittoConf,
  renderMosquittoPasswordFile,
  SHIPPED_MOSQUITTO_CONF,
  verifyMosquittoPassword,
} from '../../../platform/mqtt/mosquitto-config.js';

/** Directive name → values, in file order, comments and blank lines skipped. */
function directives(conf: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of conf.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const [name = '', ...rest] = line.split(' ');
    out.set(name, [...(out.get(name) ?? []), rest.join(' ')]);
  }
  return out;
}

/** ACL file → user ('' for anonymous) → "access topic" lines. */
function aclByUser(acl: string): Map<string, string[]> {
  const out = new Map<string, string[]>([['', []]]);
  let user = '';
  for (const line of acl.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    if (line.startsWith('user ')) {
      user = line.slice('user '.length);
      out.set(user, []);
    } else {
      out.get(user)?.push(line.replace(/^topic /, ''));
    }
  }
  return out;
}

function thrownBy(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

function station(id: string, sectionId: string): Station {
  return {
    id,
    sectionId,
    name: { zh: id, en: id },
    parameters: ['ph'],
    samplingIntervalS: 300,
    hj212: undefined,
    tokenSha256: undefined,
  };
}

function registryOf(stations: Station[]): Registry {
  return new Registry({ agencies: [], rivers: [], sections: [], stations });
}

// Lines written by the real `mosquitto_passwd` 2.0.11 (`-b`), with their passwords.
const MOSQUITTO_PASSWD_LINES = [
  {
    password: 'secret',
    line: 'alice:$7$101$Y+cMknZRx2iGi1hj$VmPpbL0c97deIgP+H7GeLeNYqHnYuVqUrOB7i+eIopUQyevvriFxTzenaEmjgIIPzCfyH9mrvylyRI+IFUjaaA==',
  },
  {
    password: 'demo-tp-js-01',
    line: 'TP-JS-01:$7$101$pBChCoAbpDrGcOQM$z0A1Dqw9ljyAsYvRX0bSGmmHS2qZGzkMcknrEy1QjuGkG2G5ELGY3+5FQQlFXDWi4CZqM1S833Od6qgBKwJIgw==',
  },
  {
    password: 'pa:ss wörd',
    line: 'ingest:$7$101$nYSCE84Hpa59sAL5$Qk/fEgJMwzprC+VB3LAw8OvIiNLabTN9NXizPXjgGYSAs0jLeSRCnSBuKZndYSnc+qUFedYo2tRPq55tWuOuZA==',
  },
];

describe('renderMosquittoConf', () => {
  it('ships persistence and queue limits that do not drop acknowledged messages', () => {
    const conf = directives(renderMosquittoConf());
    expect(conf.get('persistence')).toEqual(['true']);
    expect(conf.get('persistence_location')).toEqual(['/var/lib/mosquitto/']);
    expect(conf.get('max_queued_messages')).toEqual(['0']);
    expect(conf.get('max_queued_bytes')).toEqual(['0']);
    expect(Number(conf.get('max_inflight_messages')?.[0])).toBeGreaterThan(20);
    expect(conf.get('listener')).toEqual(['1883 0.0.0.0']);
    // Mosquitto acknowledges and then drops publishes over message_size_limit.
    expect(conf.has('message_size_limit')).toBe(false);
  });

  it('matches the committed production template config/mosquitto/mosquitto.conf', () => {
    expect(readFileSync('config/mosquitto/mosquitto.conf', 'utf8')).toBe(renderMosquittoConf(SHIPPED_MOSQUITTO_CONF));
  });

  it.each([
    { options: {}, anonymous: 'true', password: undefined, acl: undefined },
    {
      options: { passwordFile: '/etc/mosquitto/rw.passwd', aclFile: '/etc/mosquitto/rw.acl' },
      anonymous: 'false',
      password: '/etc/mosquitto/rw.passwd',
      acl: '/etc/mosquitto/rw.acl',
    },
    { options: { passwordFile: '/p', allowAnonymous: true }, anonymous: 'true', password: '/p', acl: undefined },
  ])('allow_anonymous $anonymous with password file $password', ({ options, anonymous, password, acl }) => {
    const conf = directives(renderMosquittoConf(options));
    expect(conf.get('allow_anonymous')).toEqual([anonymous]);
    expect(conf.get('password_file')?.[0]).toBe(password);
    expect(conf.get('acl_file')?.[0]).toBe(acl);
  });

  it('applies the options it is given', () => {
    const conf = directives(
      renderMosquittoConf({
        port: 18830,
        bindAddress: '127.0.0.1',
        persistenceLocation: '/data/mq',
        autosaveIntervalS: 2,
        maxQueuedMessages: 50_000,
        memoryLimitBytes: 1 << 30,
        persistentClientExpiration: undefined,
        runAsUser: 'root',
      }),
    );
    expect(conf.get('listener')).toEqual(['18830 127.0.0.1']);
    expect(conf.get('persistence_location')).toEqual(['/data/mq/']);
    expect(conf.get('autosave_interval')).toEqual(['2']);
    expect(conf.get('max_queued_messages')).toEqual(['50000']);
    expect(conf.get('memory_limit')).toEqual([String(1 << 30)]);
    expect(conf.has('persistent_client_expiration')).toBe(false);
    expect(conf.get('user')).toEqual(['root']);
  });

  it('refuses bad options, listing every problem', () => {
    const err = thrownBy(() =>
      renderMosquittoConf({
        port: 70_000,
        maxQueuedMessages: -1,
        autosaveIntervalS: 0,
        persistentClientExpiration: '30 days',
        aclFile: 'a\nb',
      }),
    );
    expect(err.code).toBe('RW_CONFIG_INVALID');
    expect(err.details).toHaveLength(5);
  });
});

describe('renderMosquittoAcl', () => {
  it('gives anonymous clients nothing, each station its own three topics, and ingest every station', () => {
    const acl = aclByUser(renderMosquittoAcl(registryOf([station('S-2', 'sec-b'), station('S-1', 'sec-a')])));
    expect(acl.get('')).toEqual([]);
    expect(acl.get('S-1')).toEqual([
      'write wq/sec-a/S-1/readings',
      'write wq/sec-a/S-1/commands/ack',
      'read wq/sec-a/S-1/commands',
    ]);
    expect(acl.get('S-2')).toEqual([
      'write wq/sec-b/S-2/readings',
      'write wq/sec-b/S-2/commands/ack',
      'read wq/sec-b/S-2/commands',
    ]);
    expect(acl.get('ingest')).toEqual(['read wq/+/+/readings', 'read wq/+/+/commands/ack', 'write wq/+/+/commands']);
  });

  it('covers every station of the sample registry, each only on its own topics', () => {
    const registry = loadRegistryFile('config/registry.yaml');
    const acl = aclByUser(renderMosquittoAcl(registry, { serviceUsers: ['ingest', 'alerts'] }));
    expect(acl.get('alerts')).toEqual(acl.get('ingest'));
    for (const s of registry.stations.values()) {
      const lines = acl.get(s.id) ?? [];
      expect(lines).toHaveLength(3);
      for (const line of lines) expect(line).toMatch(new RegExp(`^(read|write) wq/${s.sectionId}/${s.id}/`));
    }
  });

  it.each([
    { id: 'S+1', section: 'sec' },
    { id: 'S#', section: 'sec' },
    { id: 'S/1', section: 'sec' },
    { id: 'S 1', section: 'sec' },
    { id: '$SYS', section: 'sec' },
    { id: 'S-1', section: 'sec/+' },
  ])('refuses station $id on section $section, which could widen a topic', ({ id, section }) => {
    expect(thrownBy(() => renderMosquittoAcl(registryOf([station(id, section)]))).code).toBe('RW_CONFIG_INVALID');
  });

  it('refuses a station named like a service user', () => {
    expect(thrownBy(() => renderMosquittoAcl(registryOf([station('ingest', 'sec')]))).details).toEqual([
      "station id 'ingest' is also a service user",
    ]);
  });
});

describe('mosquitto password lines', () => {
  it.each(MOSQUITTO_PASSWD_LINES)('reproduces mosquitto_passwd output for the same salt ($password)', ({ line, password }) => {
    const [username = '', hash = ''] = line.split(/:(.*)/s);
    const salt = Buffer.from(hash.split('$')[3] ?? '', 'base64');
    expect(mosquittoPasswordLine(username, password, { salt })).toBe(line);
  });

  it.each(MOSQUITTO_PASSWD_LINES)(
    'verifies a mosquitto_passwd line with the right password only ($password)',
    ({ line, password }) => {
      expect(verifyMosquittoPassword(line, password)).toBe(true);
      expect(verifyMosquittoPassword(line, `${password}x`)).toBe(false);
    },
  );

  it('writes $7$ with 101 iterations, a fresh 12-byte salt and a 64-byte hash', () => {
    const a = mosquittoPasswordLine('TP-JS-01', 'token');
    const b = mosquittoPasswordLine('TP-JS-01', 'token');
    const [, , iterations, salt = '', hash = ''] = a.split('$');
    expect(a.startsWith('TP-JS-01:$7$')).toBe(true);
    expect(iterations).toBe('101');
    expect(Buffer.from(salt, 'base64')).toHaveLength(12);
    expect(Buffer.from(hash, 'base64')).toHaveLength(64);
    expect(a).not.toBe(b);
    expect(verifyMosquittoPassword(b, 'token')).toBe(true);
  });

  it.each([
    { username: 'a:b', password: 'x' },
    { username: '', password: 'x' },
    { username: 'with space', password: 'x' },
    { username: 'ok', password: '' },
    { username: 'ok', password: 'two\nlines' },
  ])('refuses username "$username" / password "$password"', ({ username, password }) => {
    expect(thrownBy(() => mosquittoPasswordLine(username, password)).code).toBe('RW_CONFIG_INVALID');
  });

  it('renders a file sorted by username and refuses a repeated one', () => {
    const file = renderMosquittoPasswordFile([
      { username: 'b', password: 'pb' },
      { username: 'a', password: 'pa' },
    ]);
    const lines = file.trimEnd().split('\n');
    expect(lines.map((l) => l.split(':')[0])).toEqual(['a', 'b']);
    expect(verifyMosquittoPassword(lines[0] ?? '', 'pa')).toBe(true);
    expect(
      thrownBy(() =>
        renderMosquittoPasswordFile([
          { username: 'a', password: 'x' },
          { username: 'a', password: 'y' },
        ]),
      ).code,
    ).toBe('RW_CONFIG_INVALID');
  });
});
