import { writeFileSync } from 'node:fs';
import { startClusterTopology } from './platform/local/redis-topologies.js';
const cluster = await startClusterTopology({ masters: 3, replicasPerMaster: 1 });
writeFileSync('/tmp/cluster.env', Object.entries(cluster.env).map(([k, v]) => `${k}=${v}`).join(' '));
console.log('cluster up', cluster.env);
const stop = async () => { await cluster.close(); process.exit(0); };
process.on('SIGTERM', stop); process.on('SIGINT', stop);
setInterval(() => undefined, 1 << 30);
