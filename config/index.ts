export { ConfigSchema, configLeaves, type Config } from './schema.js';
export { loadConfig, parseConfig, renderEnvExample } from './load-config.js';
export { loadRegistryFile, buildRegistry, type RegistryResult } from './registry-loader.js';
export { redisTopology, redisSettingProblems, parseHostPort, type RedisTopology, type RedisMode, type HostPort } from './redis-topology.js';
