/**
 * The analytics role on a thread of its own inside `riverwatch start`
 * (RW_ANALYTICS_THREAD, on by default when start runs analytics beside other
 * roles; issue 14). The role is the same as in its own process: its own
 * context, Redis connections, consumer of the readings log and alerts client;
 * only the process is shared. On the main thread its CPU (~20 µs a reading)
 * came between ingest's appends and their PUBACKs and between the store's
 * reads and writes; on its own thread it uses the second core, and a backlog
 * it catches up from the log no longer slows ingest or the store.
 *
 * Its niceness is RW_ANALYTICS_THREAD_NICE (10): when the CPU is short (a
 * burst), ingest and the store go first and analytics falls behind, then
 * catches up from the readings log, skipping nothing (the issue allows it:
 * never starve ingest). When the CPU is not short it changes nothing.
 *
 * Protocol with the main thread (thread-runner.ts): the thread posts
 * `ready` once the role has started or `failed` with the reason; the main
 * thread posts `stop` and the thread closes the role and exits.
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { loadConfig } from '../config/index.js';
import { createLogger } from '../platform/logger.js';
import { createContext } from './context.js';
import { Lifecycle } from './lifecycle.js';
import { ROLE_BUILDERS, ROLE_NEEDS } from './roles.js';
import type { RoleThreadData, RoleThreadMessage } from './thread-runner.js';

const port = parentPort;
if (!port) throw new Error('bin/analytics-thread.ts runs as a worker thread of `riverwatch start`');
const { env } = workerData as RoleThreadData;
const config = loadConfig(env);
const logger = createLogger({ level: config.logLevel }).child({ thread: 'analytics' });
const lifecycle = new Lifecycle(logger);
const post = (message: RoleThreadMessage) => port.postMessage(message);

port.on('message', (message: { type?: string }) => {
  if (message?.type !== 'stop') return;
  void lifecycle.close().finally(() => port.close());
});

// Linux gives each thread its own niceness (setpriority on "process" 0 is the calling thread): under a burst the
// main thread acknowledges and stores first, and this one catches up from the readings log when the CPU is free.
if (config.start.analyticsThreadNice > 0) {
  try {
    setPriority(0, config.start.analyticsThreadNice);
  } catch (err) {
    logger.warn({ err, nice: config.start.analyticsThreadNice }, 'could not lower the analytics thread priority; it runs at the process priority');
  }
}

try {
  const ctx = await createContext(config, logger, lifecycle, ROLE_NEEDS.analytics, ['analytics']);
  await ROLE_BUILDERS.analytics(ctx);
  post({ type: 'ready' });
} catch (err) {
  logger.fatal({ err }, 'the analytics thread could not start');
  await lifecycle.close();
  post({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
  port.close();
}
