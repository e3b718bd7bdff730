/**
 * Starts the analytics role on a worker thread of this process
 * (bin/analytics-thread.ts) as one part of the process's lifecycle: started
 * once the thread reports its role ready, closed by asking the thread to stop
 * (and terminating it after STOP_WAIT_MS). A thread that exits while the
 * process is not stopping is reported through `onDied`: the caller stops the
 * process with an error, as an exception on the main thread would, so a
 * supervisor (systemd, Docker) restarts it; what analytics had not yet
 * acknowledged is still in the readings log.
 */
import { Worker } from 'node:worker_threads';
import { AppError } from '../domain/index.js';
import type { Logger } from '../platform/logger.js';
import { part, type Lifecycle } from './lifecycle.js';

/** What the main thread hands the analytics thread. */
export interface RoleThreadData {
  /** The settings to load (RW_*), with the addresses of services this process started locally. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** What the analytics thread posts back. */
export type RoleThreadMessage = { readonly type: 'ready' } | { readonly type: 'failed'; readonly message: string };

const STOP_WAIT_MS = 12_000;

/** The thread's entry: the TypeScript source through its own loader in development, the compiled module in dist/. */
function threadEntry(): URL {
  return import.meta.url.endsWith('.ts')
    ? new URL('./analytics-thread.dev.js', import.meta.url)
    : new URL('./analytics-thread.js', import.meta.url);
}

export async function startAnalyticsThread(
  lifecycle: Lifecycle,
  env: RoleThreadData['env'],
  logger: Logger,
  onDied: (reason: string) => void,
): Promise<void> {
  let worker: Worker | undefined;
  let stopping = false;
  const start = async () => {
    const data: RoleThreadData = { env };
    const started = new Worker(threadEntry(), { workerData: data });
    // Always listened to: an unhandled 'error' of a Worker would throw on the main thread.
    started.on('error', (err) => logger.error({ err }, 'the analytics thread failed'));
    await new Promise<void>((resolve, reject) => {
      const done = () => {
        started.off('message', onMessage);
        started.off('exit', onExit);
      };
      const onMessage = (message: RoleThreadMessage) => {
        done();
        if (message.type === 'ready') resolve();
        else reject(new AppError('RW_SERVICE_START', `the analytics thread could not start: ${message.message}`));
      };
      const onExit = (code: number) => {
        done();
        reject(new AppError('RW_SERVICE_START', `the analytics thread exited with code ${code} before it was ready; its log lines above say why`));
      };
      started.on('message', onMessage);
      started.on('exit', onExit);
    });
    started.on('exit', (code) => {
      if (!stopping) onDied(`the analytics thread exited unexpectedly (code ${code}); see its log lines above`);
    });
    worker = started;
  };
  const close = async () => {
    stopping = true;
    const running = worker;
    if (!running) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.postMessage({ type: 'stop' });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), STOP_WAIT_MS);
    });
    const outcome = await Promise.race([exited, late]);
    clearTimeout(timer);
    if (outcome === 'late') {
      logger.warn({ waitedMs: STOP_WAIT_MS }, 'the analytics thread did not stop in time; terminating it');
      await running.terminate();
    }
  };
  await lifecycle.add(part('analytics-thread', start, close));
}
