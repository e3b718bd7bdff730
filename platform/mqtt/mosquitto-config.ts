/**
 * Pure renderers for the Mosquitto 2.0 broker configuration RiverWatch ships
 * (config/mosquitto/README.md): the main `mosquitto.conf`, the ACL file built
 * from the Registry, and password-file lines in Mosquitto 2.0's `$7$` format.
 * The test harness (platform/local/services.ts) starts real brokers with the
 * same renderer, so the shipped settings are the tested ones.
 */
import { pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError, type Registry } from '../../domain/index.js';

/** Options of the broker configuration. */
export interface MosquittoConfOptions {
  /** @defaultValue 1883 */
  readonly port?: number;
  /** Address the listener binds to. @defaultValue '0.0.0.0' */
  readonly bindAddress?: string;
  /** Folder of `mosquitto.db`; must end up writable by the broker's user. @defaultValue '/var/lib/mosquitto/' */
  readonly persistenceLocation?: string;
  /**
   * Seconds between snapshots of the in-memory state (sessions, queued
   * messages) to `mosquitto.db`. Mosquitto has no per-message journal: a
   * graceful stop saves everything, a crash (SIGKILL, power loss) loses what
   * changed since the last snapshot, including acknowledged readings queued
   * for ingest. Each snapshot rewrites the whole file (measured here: ~0.2 s
   * for 100,000 queued 400-byte messages, 48 MB), so raise this only when
   * backlogs of millions are expected. 0 (save only on exit) is refused.
   * @defaultValue 1
   */
  readonly autosaveIntervalS?: number;
  /** Password file path; omitted = no password file. */
  readonly passwordFile?: string;
  /** ACL file path; omitted = no ACL (every client may use every topic). */
  readonly aclFile?: string;
  /** @defaultValue false when a password file is given, else true */
  readonly allowAnonymous?: boolean;
  /**
   * Outgoing QoS 1/2 messages in flight per client. Mosquitto's default of 20
   * would let the ingest consumer batch at most 20 readings. @defaultValue 1000
   */
  readonly maxInflightMessages?: number;
  /**
   * Queued QoS 1/2 messages per client beyond those in flight; 0 = no limit.
   * Mosquitto's default 1000 silently drops acknowledged readings queued for a
   * slow or absent ingest (DESIGN.md "Guarantees"). @defaultValue 0
   */
  readonly maxQueuedMessages?: number;
  /** Heap bytes the broker may use; past it new publishes are refused and their client disconnected (not acknowledged). 0 = no limit. @defaultValue 0 */
  readonly memoryLimitBytes?: number;
  /** Remove persistent sessions not seen for this long (Mosquitto duration, e.g. '30d'); undefined = never. @defaultValue '30d' */
  readonly persistentClientExpiration?: string | undefined;
  /** `user` to run as when started as root; undefined = Mosquitto's default (drops to `mosquitto`). */
  readonly runAsUser?: string;
  /** `log_dest` value. @defaultValue 'stdout' */
  readonly logDest?: string;
}

/** Topics of one station (DESIGN.md "Readings over MQTT"). */
export function stationTopics(sectionId: string, stationId: string): { readings: string; commands: string; commandsAck: string } {
  const base = `wq/${sectionId}/${stationId}`;
  return { readings: `${base}/readings`, commands: `${base}/commands`, commandsAck: `${base}/commands/ack` };
}

/** The production template committed as config/mosquitto/mosquitto.conf (Debian paths). */
export const SHIPPED_MOSQUITTO_CONF: MosquittoConfOptions = {
  passwordFile: '/etc/mosquitto/riverwatch/passwd',
  aclFile: '/etc/mosquitto/riverwatch/acl',
};

/** Renders `mosquitto.conf`. Throws `RW_CONFIG_INVALID` listing every bad option. */
export function renderMosquittoConf(options: MosquittoConfOptions = {}): string {
  const port = options.port ?? 1883;
  const bindAddress = options.bindAddress ?? '0.0.0.0';
  const persistenceLocation = withTrailingSlash(options.persistenceLocation ?? '/var/lib/mosquitto/');
  const autosaveIntervalS = options.autosaveIntervalS ?? 1;
  const maxInflight = options.maxInflightMessages ?? 1000;
  const maxQueued = options.maxQueuedMessages ?? 0;
  const memoryLimitBytes = options.memoryLimitBytes ?? 0;
  const expiration = 'persistentClientExpiration' in options ? options.persistentClientExpiration : '30d';
  const allowAnonymous = options.allowAnonymous ?? options.passwordFile === undefined;

  const problems: string[] = [];
  if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push(`port ${port} is not 1..65535`);
  for (const [name, value, min] of [
    ['autosaveIntervalS', autosaveIntervalS, 1],
    ['maxInflightMessages', maxInflight, 0],
    ['maxQueuedMessages', maxQueued, 0],
    ['memoryLimitBytes', memoryLimitBytes, 0],
  ] as const) {
    if (!Number.isInteger(value) || value < min) problems.push(`${name} ${value} is not an integer >= ${min}`);
  }
  if (expiration !== undefined && !/^\d+[hdwmy]$/.test(expiration))
    problems.push(`persistentClientExpiration '${expiration}' is not <n>h|d|w|m|y`);
  for (const [name, value] of [
    ['bindAddress', bindAddress],
    ['persistenceLocation', persistenceLocation],
    ['passwordFile', options.passwordFile],
    ['aclFile', options.aclFile],
    ['runAsUser', options.runAsUser],
    ['logDest', options.logDest],
  ] as const) {
    if (value !== undefined && (value === '' || /[\r\n]/.test(value))) problems.push(`${name} must be a non-empty single line`);
  }
  if (problems.length > 0) {
    throw new AppError('RW_CONFIG_INVALID', `mosquitto configuration: ${problems.join('; ')}`, { details: problems });
  }

  const lines = [
    '# RiverWatch broker configuration for Mosquitto 2.0, rendered by platform/mqtt/mosquitto-config.ts.',
    '# Why each setting: config/mosquitto/README.md.',
    ...(options.runAsUser === undefined ? [] : [`user ${options.runAsUser}`]),
    'per_listener_settings false',
    '',
    '# Sessions and queued QoS 1 messages survive a restart: saved on a graceful stop and every autosave_interval.',
    'persistence true',
    `persistence_location ${persistenceLocation}`,
    'autosave_on_changes false',
    `autosave_interval ${autosaveIntervalS}`,
    ...(expiration === undefined ? [] : [`persistent_client_expiration ${expiration}`]),
    '',
    '# Never drop an acknowledged reading queued for a slow or absent ingest (default max_queued_messages 1000 does).',
    `max_queued_messages ${maxQueued}`,
    'max_queued_bytes 0',
    `max_inflight_messages ${maxInflight}`,
    'max_inflight_bytes 0',
    `memory_limit ${memoryLimitBytes}`,
    '# No message_size_limit: Mosquitto would acknowledge and then drop oversized publishes; ingest refuses them with a reason instead.',
    'set_tcp_nodelay true',
    '',
    `listener ${port} ${bindAddress}`,
    `allow_anonymous ${allowAnonymous ? 'true' : 'false'}`,
    ...(options.passwordFile === undefined ? [] : [`password_file ${options.passwordFile}`]),
    ...(options.aclFile === undefined ? [] : [`acl_file ${options.aclFile}`]),
    '',
    `log_dest ${options.logDest ?? 'stdout'}`,
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_type information',
    'connection_messages true',
    'log_timestamp_format %Y-%m-%dT%H:%M:%S',
    '',
  ];
  return lines.join('\n');
}

/** Options of the ACL file. */
export interface MosquittoAclOptions {
  /** Usernames of ingest processes: read every station's readings (plain or `$share/...`) and command acks, publish commands. @defaultValue ['ingest'] */
  readonly serviceUsers?: readonly string[];
}

/**
 * Renders the ACL file from the registry: a station user (username = station
 * id) may publish only its own readings and command acks and read only its
 * own commands; service users read all readings. Anonymous clients get
 * nothing (no topic lines before the first `user`). Throws
 * `RW_CONFIG_INVALID` when an id could widen a topic (wildcards, `/`, spaces).
 */
export function renderMosquittoAcl(registry: Registry, options: MosquittoAclOptions = {}): string {
  const serviceUsers = options.serviceUsers ?? ['ingest'];
  const problems: string[] = [];
  const stations = [...registry.stations.values()].sort((a, b) => a.id.localeCompare(b.id));
  for (const user of serviceUsers) checkName(`service user '${user}'`, user, problems);
  for (const station of stations) {
    checkName(`station id '${station.id}'`, station.id, problems);
    checkName(`section id '${station.sectionId}' of station ${station.id}`, station.sectionId, problems);
    if (serviceUsers.includes(station.id)) problems.push(`station id '${station.id}' is also a service user`);
  }
  if (problems.length > 0) {
    throw new AppError('RW_CONFIG_INVALID', `mosquitto ACL: ${problems.join('; ')}`, { details: problems });
  }
  const lines = [
    '# RiverWatch Mosquitto ACL, rendered from the registry by platform/mqtt/mosquitto-config.ts. Do not edit by hand.',
    '# Anonymous clients: no topics. Mosquitto 2.0 checks `$share/<group>/<filter>` subscriptions against <filter>.',
    '',
  ];
  for (const user of serviceUsers) {
    lines.push(`user ${user}`, 'topic read wq/+/+/readings', 'topic read wq/+/+/commands/ack', 'topic write wq/+/+/commands', '');
  }
  for (const station of stations) {
    const topics = stationTopics(station.sectionId, station.id);
    lines.push(
      `user ${station.id}`,
      `topic write ${topics.readings}`,
      `topic write ${topics.commandsAck}`,
      `topic read ${topics.commands}`,
      '',
    );
  }
  return lines.join('\n');
}

/** PBKDF2-SHA512 parameters of Mosquitto 2.0's `$7$` hashes (mosquitto_passwd defaults). */
export const MOSQUITTO_PBKDF2 = { iterations: 101, saltBytes: 12, hashBytes: 64 } as const;

/**
 * One password-file line `user:$7$<iterations>$<base64 salt>$<base64 hash>`,
 * as `mosquitto_passwd` 2.0 writes it. `salt` is for tests; by default 12
 * random bytes.
 */
export function mosquittoPasswordLine(
  username: string,
  password: string,
  options: { salt?: Buffer; iterations?: number } = {},
): string {
  const problems: string[] = [];
  checkName(`username '${username}'`, username, problems);
  if (username.includes(':')) problems.push(`username '${username}' contains ':'`);
  if (password === '' || /[\r\n]/.test(password)) problems.push(`password of ${username} must be a non-empty single line`);
  if (problems.length > 0)
    throw new AppError('RW_CONFIG_INVALID', `mosquitto password: ${problems.join('; ')}`, { details: problems });
  const salt = options.salt ?? randomBytes(MOSQUITTO_PBKDF2.saltBytes);
  const iterations = options.iterations ?? MOSQUITTO_PBKDF2.iterations;
  const hash = pbkdf2Sync(password, salt, iterations, MOSQUITTO_PBKDF2.hashBytes, 'sha512');
  return `${username}:$7$${iterations}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** A whole password file (one line per entry, sorted by username). Throws `RW_CONFIG_INVALID` on a repeated username. */
export function renderMosquittoPasswordFile(entries: readonly { username: string; password: string }[]): string {
  const sorted = [...entries].sort((a, b) => a.username.localeCompare(b.username));
  const repeated = sorted.filter((e, i) => i > 0 && sorted[i - 1]?.username === e.username).map((e) => e.username);
  if (repeated.length > 0) {
    throw new AppError('RW_CONFIG_INVALID', `mosquitto password file: repeated username ${[...new Set(repeated)].join(', ')}`);
  }
  return sorted.map((e) => mosquittoPasswordLine(e.username, e.password) + '\n').join('');
}

/** Whether `password` matches a `$7$` password-file line (what Mosquitto checks at CONNECT). */
export function verifyMosquittoPassword(line: string, password: string): boolean {
  const match = /^[^:]+:\$7\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(line.trim());
  if (!match) return false;
  const [, iterations, salt, hash] = match as unknown as [string, string, string, string];
  const expected = Buffer.from(hash, 'base64');
  const actual = pbkdf2Sync(password, Buffer.from(salt, 'base64'), Number(iterations), expected.length, 'sha512');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Topic levels and usernames that could widen an ACL line or break the file. */
function checkName(what: string, value: string, problems: string[]): void {
  if (value === '' || /[/+#\s\0]/.test(value) || value.startsWith('$')) {
    problems.push(`${what} must be non-empty without '/', '+', '#', whitespace or a leading '$'`);
  }
}

function withTrailingSlash(path: string): string {
  return path.endsWith('/') ? path : `${path}/`;
}
