/**
 * The one configuration schema. Each leaf names its environment variable
 * (`env`) and documents itself (`description`); the TypeScript type is
 * derived from the schema, `.env.example` is generated from it
 * (`riverwatch config-example`), and loadConfig() validates it once at start.
 */
import { Type, type Static, type TSchema } from 'typebox';

interface Leaf {
  env: string;
  description: string;
}

const str = (def: string, leaf: Leaf, extra: Record<string, unknown> = {}) => Type.String({ default: def, ...leaf, ...extra });
const int = (def: number, min: number, max: number, leaf: Leaf) => Type.Integer({ default: def, minimum: min, maximum: max, ...leaf });
const bool = (def: boolean, leaf: Leaf) => Type.Boolean({ default: def, ...leaf });

export const ConfigSchema = Type.Object({
  registryFile: str('config/registry.yaml', { env: 'RW_REGISTRY_FILE', description: 'Registry of agencies, rivers, sections and stations (YAML or JSON; docs/registry.md).' }, { minLength: 1 }),
  parametersFile: str('', { env: 'RW_PARAMETERS_FILE', description: 'YAML file adding parameters to the nine canonical ones (key, names, unit, HJ 212 code, plausible range, precision; config/parameters-file.ts); empty = canonical only.' }),
  instance: str('1', { env: 'RW_INSTANCE', description: 'Name of this process within its role, stable across restarts (consumer names and MQTT client ids derive from it); give each process of a scaled-out role its own.' }, { pattern: '^[A-Za-z0-9_.-]+$' }),
  dataDir: str('.riverwatch', { env: 'RW_DATA_DIR', description: 'Folder for locally started services (Redis, InfluxDB) and their logs.' }, { minLength: 1 }),
  logLevel: Type.Union([Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')], {
    default: 'info',
    env: 'RW_LOG_LEVEL',
    description: 'pino log level: fatal, error, warn, info, debug, trace or silent.',
  }),
  heapGrowthPercent: int(100, 0, 400, { env: 'RW_HEAP_GROWTH_PERCENT', description: 'Long-running roles: the heap may grow this many percent past what survived the last full garbage collection before the next one (bounds memory under a backlog at some CPU; no hard limit). 0 = V8\'s own choice (up to 300 %).' }),
  redis: Type.Object({
    mode: Type.Union([Type.Literal('single'), Type.Literal('sentinel'), Type.Literal('cluster')], { default: 'single', env: 'RW_REDIS_MODE', description: 'Redis topology: single (one server, RW_REDIS_URL), sentinel (a master with replicas, found through RW_REDIS_SENTINELS) or cluster (Redis Cluster, seed nodes RW_REDIS_CLUSTER_NODES); config/redis-topology.ts.' }),
    url: str('', { env: 'RW_REDIS_URL', description: 'Single mode: Redis URL (redis://host:port/db, rediss:// for TLS). Empty: start a local redis-server (AOF on) in RW_DATA_DIR. Must be empty in the other modes.' }),
    sentinels: str('', { env: 'RW_REDIS_SENTINELS', description: 'Sentinel mode: the sentinels, host:port separated by commas (e.g. 10.0.0.1:26379,10.0.0.2:26379,10.0.0.3:26379).' }),
    sentinelMaster: str('riverwatch', { env: 'RW_REDIS_SENTINEL_MASTER', description: 'Sentinel mode: the master name the sentinels monitor (`sentinel monitor <name> ...`).' }, { pattern: '^[A-Za-z0-9_.-]+$' }),
    sentinelUsername: str('', { env: 'RW_REDIS_SENTINEL_USERNAME', description: 'Sentinel mode: ACL user on the sentinels themselves (empty = default user).' }),
    sentinelPassword: str('', { env: 'RW_REDIS_SENTINEL_PASSWORD', description: 'Sentinel mode: password of the sentinels themselves (their requirepass; empty = none).' }),
    clusterNodes: str('', { env: 'RW_REDIS_CLUSTER_NODES', description: 'Cluster mode: seed nodes, host:port separated by commas; any reachable one reveals the whole cluster.' }),
    username: str('', { env: 'RW_REDIS_USERNAME', description: 'ACL user of the Redis data nodes (empty = default user); in single mode a user in RW_REDIS_URL wins.' }),
    password: str('', { env: 'RW_REDIS_PASSWORD', description: 'Password of the Redis data nodes (empty = none); in single mode a password in RW_REDIS_URL wins.' }),
    tls: bool(false, { env: 'RW_REDIS_TLS', description: 'TLS to every Redis node and sentinel (trusting Node\'s CAs; NODE_EXTRA_CA_CERTS adds one). Single mode: rediss:// in RW_REDIS_URL does the same.' }),
    localPort: int(6390, 0, 65535, { env: 'RW_REDIS_LOCAL_PORT', description: 'Port of the locally started redis-server when RW_REDIS_URL is empty (0 = any free port).' }),
    waitReplicas: int(0, 0, 16, { env: 'RW_REDIS_WAIT_REPLICAS', description: 'Acknowledged means replicated: readings are answered (PUBACK, 202, 9014) only once this many replicas hold them (WAIT), and alert, task and transfer changes count as done only then; 0 = once the master has them. Use 1 or more with Sentinel or Cluster.' }),
    waitTimeoutMs: int(1000, 1, 60_000, { env: 'RW_REDIS_WAIT_TIMEOUT_MS', description: 'Longest wait for the replicas; past it the readings are refused (RW_NOT_REPLICATED: 503 with Retry-After, no PUBACK, no 9014) and the sender resends.' }),
    prefix: str('rw', { env: 'RW_REDIS_PREFIX', description: 'Prefix of every Redis key and BullMQ queue, so several deployments can share a Redis.' }, { pattern: '^[A-Za-z0-9_{}-]+$' }),
  }, { default: {} }),
  influx: Type.Object({
    url: str('', { env: 'RW_INFLUX_URL', description: 'InfluxDB URL (http://host:8086). Empty: start a local influxd (Debian influxdb 1.x) in RW_DATA_DIR.' }),
    localPort: int(8096, 0, 65535, { env: 'RW_INFLUX_LOCAL_PORT', description: 'HTTP port of the locally started influxd when RW_INFLUX_URL is empty (0 = any free port).' }),
    api: Type.Union([Type.Literal('v1'), Type.Literal('v2')], { default: 'v1', env: 'RW_INFLUX_API', description: 'Write API: v1 (/write, database + user/password; any 1.x) or v2 (/api/v2/write, org + bucket + token; 1.8+, 2.x, 3.x).' }),
    database: str('riverwatch', { env: 'RW_INFLUX_DATABASE', description: 'v1: database (created at start if missing). v2: also the bucket name used for InfluxQL reads through DBRP.' }, { minLength: 1 }),
    retentionPolicy: str('', { env: 'RW_INFLUX_RETENTION_POLICY', description: 'v1: retention policy to write into (empty = the default policy).' }),
    username: str('', { env: 'RW_INFLUX_USERNAME', description: 'v1: user name (empty when auth is off).' }),
    password: str('', { env: 'RW_INFLUX_PASSWORD', description: 'v1: password.' }),
    org: str('', { env: 'RW_INFLUX_ORG', description: 'v2: organisation.' }),
    bucket: str('', { env: 'RW_INFLUX_BUCKET', description: 'v2: bucket (empty = RW_INFLUX_DATABASE).' }),
    token: str('', { env: 'RW_INFLUX_TOKEN', description: 'v2: API token (also used for InfluxQL reads on 2.x/3.x).' }),
    batchSize: int(5000, 1, 100000, { env: 'RW_INFLUX_BATCH_SIZE', description: 'Store writer: readings per InfluxDB write.' }),
    writesInFlight: int(4, 1, 32, { env: 'RW_INFLUX_WRITES_IN_FLIGHT', description: 'Store writer: batches written to InfluxDB at once (each waits on the WAL sync; a few overlap it).' }),
    timeoutMs: int(10000, 100, 600000, { env: 'RW_INFLUX_TIMEOUT_MS', description: 'Timeout of one InfluxDB request.' }),
  }, { default: {} }),
  mqtt: Type.Object({
    url: str('', { env: 'RW_MQTT_URL', description: 'Broker URL (mqtt://host:1883, mqtts://...). Empty: run an embedded aedes broker on RW_MQTT_EMBEDDED_PORT.' }),
    embeddedPort: int(1884, 0, 65535, { env: 'RW_MQTT_EMBEDDED_PORT', description: 'Port of the embedded broker when RW_MQTT_URL is empty.' }),
    username: str('riverwatch-ingest', { env: 'RW_MQTT_USERNAME', description: 'User of the ingest and command connections (see config/mosquitto/).' }),
    password: str('', { env: 'RW_MQTT_PASSWORD', description: 'Password of that user.' }),
    clientId: str('riverwatch-ingest', { env: 'RW_MQTT_CLIENT_ID', description: 'Stable client id prefix; each ingest process must use its own (e.g. riverwatch-ingest-2).' }, { minLength: 1 }),
    shareGroup: str('', { env: 'RW_MQTT_SHARE_GROUP', description: 'MQTT shared-subscription group ($share/<group>/wq/+/+/readings) for brokers that keep shared subscriptions across restarts (EMQX); empty (default) = plain subscriptions by section, which Mosquitto keeps across restarts (it does not restore $share ones).' }),
    slice: str('1/1', { env: 'RW_MQTT_SLICE', description: 'With plain subscriptions: this ingest process takes slice k of n of the registry\'s sections ("k/n", sorted ids dealt round-robin); give each of n ingest processes its own k.' }, { pattern: '^[1-9][0-9]*/[1-9][0-9]*$' }),
    inFlight: int(200, 1, 10000, { env: 'RW_MQTT_IN_FLIGHT', description: 'Messages handled at once per subscriber connection, each acknowledged after its append; their appends share Redis round trips.' }),
    connections: int(2, 1, 32, { env: 'RW_MQTT_CONNECTIONS', description: 'Subscriber connections per ingest process; its sections are dealt over them (each has up to 200 messages in flight, so more connections are seldom needed).' }),
  }, { default: {} }),
  http: Type.Object({
    host: str('127.0.0.1', { env: 'RW_HTTP_HOST', description: 'Address the API and dashboard listen on (0.0.0.0 for all interfaces).' }),
    port: int(8080, 0, 65535, { env: 'RW_HTTP_PORT', description: 'Port of the API and dashboard.' }),
    bodyLimitBytes: int(1048576, 1024, 67108864, { env: 'RW_HTTP_BODY_LIMIT_BYTES', description: 'Largest accepted request body.' }),
    metricsPort: int(0, 0, 65535, { env: 'RW_METRICS_PORT', description: 'Serve /metrics on this port in processes that do not run the api role (0 = off; the api role serves /metrics on RW_HTTP_PORT).' }),
    trustProxy: bool(false, { env: 'RW_HTTP_TRUST_PROXY', description: 'Trust X-Forwarded-* headers (only behind a reverse proxy you run).' }),
  }, { default: {} }),
  hj212: Type.Object({
    host: str('127.0.0.1', { env: 'RW_HJ212_HOST', description: 'Address the HJ 212 TCP server listens on.' }),
    port: int(9212, 0, 65535, { env: 'RW_HJ212_PORT', description: 'Port of the HJ 212 TCP server.' }),
    tzOffsetMin: int(480, -720, 840, { env: 'RW_HJ212_TZ_OFFSET_MIN', description: 'Offset of the stations\' local time (HJ 212 DataTime) from UTC in minutes; China Standard Time is 480.' }),
    clockLimitS: int(120, 1, 86400, { env: 'RW_HJ212_CLOCK_LIMIT_S', description: 'Largest tolerated difference between a data logger\'s clock (its QN) and the platform\'s, in seconds; beyond it the logger\'s time is set (CN 1012), at most every 10 minutes per station.' }),
  }, { default: {} }),
  ingest: Type.Object({
    maxFutureMs: int(300000, 0, 86400000, { env: 'RW_INGEST_MAX_FUTURE_MS', description: 'A reading may be at most this far in the future (clock skew of gateways).' }),
    maxAgeMs: int(2592000000, 60000, 31622400000, { env: 'RW_INGEST_MAX_AGE_MS', description: 'Oldest accepted reading (backlog uploads after a long outage); default 30 days.' }),
    maxBatch: int(1000, 1, 10000, { env: 'RW_INGEST_MAX_BATCH', description: 'Most readings in one submission ({"readings": [...]}).' }),
    highWater: int(1000000, 100, 1000000000, { env: 'RW_INGEST_HIGH_WATER', description: 'Readings-log entries not yet acknowledged by every consumer group above which ingress pushes back (MQTT stops acking, HTTP 503).' }),
    partitions: int(1, 1, 64, { env: 'RW_LOG_PARTITIONS', description: 'Readings-log partitions (by section) so analytics processes each own whole sections.' }),
    groups: str('store,analytics', { env: 'RW_LOG_GROUPS', description: 'Consumer groups of the readings log; an entry is trimmed once every one of them acknowledged it.' }, { minLength: 1 }),
    maxPayloadBytes: int(1048576, 1024, 16777216, { env: 'RW_INGEST_MAX_PAYLOAD_BYTES', description: 'Largest MQTT payload accepted; larger ones go to the dead letters (truncated).' }),
  }, { default: {} }),
  analytics: Type.Object({
    partitions: str('all', { env: 'RW_ANALYTICS_PARTITIONS', description: 'Readings-log partitions this analytics process owns: "all" or a list such as "0,2" (each partition must be owned by exactly one process).' }, { pattern: '^(all|[0-9]+(,[0-9]+)*)$' }),
    optionsFile: str('', { env: 'RW_ANALYTICS_OPTIONS_FILE', description: 'YAML/JSON file of analytics thresholds, windows and persistence, per parameter and per section (docs/analytics.md); empty = documented defaults.' }),
  }, { default: {} }),
  alerts: Type.Object({
    optionsFile: str('', { env: 'RW_ALERTS_OPTIONS_FILE', description: 'YAML/JSON file of alert and task settings (deadlines by level, hold times, reminders, webhook retries; alerts/config.ts); empty = defaults.' }),
  }, { default: {} }),
  publicView: Type.Object({
    enabled: bool(false, { env: 'RW_PUBLIC_VIEW', description: 'Serve the public view (read-only page /public/ and feed /api/public/v1/, no key): section classes against targets, class by day, closed joint tasks (docs/public-view.md). Off by default.' }),
    days: int(30, 1, 366, { env: 'RW_PUBLIC_DAYS', description: 'Days of class history in the public view.' }),
    cacheSeconds: int(300, 0, 86400, { env: 'RW_PUBLIC_CACHE_S', description: 'Seconds a public answer is reused and may be cached by browsers and proxies.' }),
    rateLimitPerMinute: int(60, 1, 100000, { env: 'RW_PUBLIC_RATE_LIMIT', description: 'Public feed requests per minute per client address.' }),
  }, { default: {} }),
  start: Type.Object({
    roles: str('ingest,store,analytics,alerts,api,hj212', { env: 'RW_ROLES', description: 'Roles run by `riverwatch start` (comma-separated).' }),
    analyticsThreadNice: int(10, 0, 19, { env: 'RW_ANALYTICS_THREAD_NICE', description: 'Niceness of the analytics thread of `riverwatch start` (on Linux the thread alone): when the CPU is short, acknowledging and storing readings go first and analytics catches up from the readings log. 0 = as the rest of the process.' }),
    analyticsThread: bool(true, { env: 'RW_ANALYTICS_THREAD', description: '`riverwatch start` with analytics and other roles: analytics runs on a thread of its own in the process, so its CPU does not delay ingest acknowledgements or the store (issue 14). false = all roles on the main thread.' }),
  }, { default: {} }),
});

export type Config = Static<typeof ConfigSchema>;

/** A documented leaf of the schema, for .env.example and error messages. */
export interface ConfigLeaf {
  path: string[];
  env: string;
  description: string;
  schema: TSchema & { default?: unknown };
}

/** Walks the schema and lists every leaf with its environment variable. */
export function configLeaves(schema: TSchema = ConfigSchema, path: string[] = []): ConfigLeaf[] {
  const s = schema as TSchema & { properties?: Record<string, TSchema>; env?: string; description?: string };
  if (typeof s.env === 'string') return [{ path, env: s.env, description: s.description ?? '', schema: s }];
  const out: ConfigLeaf[] = [];
  for (const [key, child] of Object.entries(s.properties ?? {})) out.push(...configLeaves(child, [...path, key]));
  return out;
}
