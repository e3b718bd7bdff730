/**
 * A RiverWatch role run as its own OS process (`node bin/riverwatch.js <role>`),
 * the way a supervisor (systemd, a container runtime) runs it: started,
 * killed with SIGKILL, stopped with SIGTERM, restarted. Its JSON log lines go
 * to a file and to listeners; exits nobody asked for are recorded (and, with
 * `restartOnCrash`, followed by a restart one second later, as systemd's
 * `Restart=on-failure` would).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { trackChild } from '../platform/local/child-processes.js';

/** The repository root (where bin/riverwatch.js lives). */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** One parsed pino line of a role's output. */
export interface RoleLogLine {
  /** Receipt time in this process, epoch ms. */
  readonly at: number;
  readonly level: number | undefined;
  readonly msg: string | undefined;
  readonly fields: Record<string, unknown>;
}

export interface RoleProcessOptions {
  /** Label in reports and logs (e.g. `ingest-a`). */
  readonly name: string;
  /** CLI role: ingest, store, analytics, alerts, api, hj212. */
  readonly role: string;
  readonly env: Readonly<Record<string, string>>;
  /** File the process's output is appended to; omitted = kept in memory only (tail). */
  readonly logFile?: string;
  /** Restart one second after an exit nobody asked for. @defaultValue false */
  readonly restartOnCrash?: boolean;
  /** How long start() waits for "RiverWatch ready". @defaultValue 60000 */
  readonly readyTimeoutMs?: number;
}

/** An exit that neither kill9() nor stop() asked for. */
export interface UnexpectedExit {
  readonly name: string;
  readonly at: number;
  readonly code: number | null;
  readonly signal: string | null;
  readonly tail: string;
}

const TAIL_CHARS = 8000;

export class RoleProcess {
  readonly name: string;
  readonly role: string;
  readonly unexpectedExits: UnexpectedExit[] = [];
  /** Spawn times (epoch ms) of every start, in order. */
  readonly startedAt: number[] = [];
  /** Times "RiverWatch ready" was logged, in order. */
  readonly readyAt: number[] = [];
  readonly #options: RoleProcessOptions;
  readonly #listeners = new Set<(line: RoleLogLine) => void>();
  #env: Record<string, string>;
  #child: ChildProcess | undefined;
  #tail = '';
  #log: WriteStream | undefined;
  #expectingExit = false;
  #closed = false;
  #restartTimer: NodeJS.Timeout | undefined;

  constructor(options: RoleProcessOptions) {
    this.#options = options;
    this.name = options.name;
    this.role = options.role;
    this.#env = { ...options.env };
    if (options.logFile) this.#log = createWriteStream(options.logFile, { flags: 'a' });
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get running(): boolean {
    const child = this.#child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  /** The last few KB of output (for error messages). */
  get tail(): string {
    return this.#tail;
  }

  /** Changes environment variables for the next start. */
  setEnv(changes: Readonly<Record<string, string>>): void {
    this.#env = { ...this.#env, ...changes };
  }

  /** Calls `listener` with every log line; returns the unsubscribe function. */
  onLine(listener: (line: RoleLogLine) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Spawns the process; resolves once it logged "RiverWatch ready", rejects if it exits or times out first. */
  start(): Promise<void> {
    if (this.#closed) return Promise.reject(new Error(`${this.name} is closed`));
    if (this.running) return Promise.resolve();
    clearTimeout(this.#restartTimer);
    this.#expectingExit = false;
    const child = spawn(process.execPath, ['bin/riverwatch.js', this.role], {
      cwd: REPO_ROOT,
      env: { ...process.env, RW_LOG_LEVEL: 'info', ...this.#env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    trackChild(child);
    this.startedAt.push(Date.now());
    this.#write(`\n# ${new Date().toISOString()} drill: start ${this.role} (${this.name}) pid ${child.pid}\n`);
    let ready = false;
    let buffered = '';
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString();
      this.#write(text);
      this.#tail = (this.#tail + text).slice(-TAIL_CHARS);
      buffered += text;
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        this.#emitLine(line);
        newline = buffered.indexOf('\n');
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    return new Promise<void>((resolve, reject) => {
      const timeoutMs = this.#options.readyTimeoutMs ?? 60_000;
      const timer = setTimeout(() => {
        unsubscribe();
        reject(new Error(`${this.name} not ready within ${timeoutMs} ms:\n${this.#tail.slice(-2000)}`));
      }, timeoutMs);
      const unsubscribe = this.onLine((line) => {
        if (line.msg !== 'RiverWatch ready') return;
        ready = true;
        this.readyAt.push(line.at);
        clearTimeout(timer);
        unsubscribe();
        resolve();
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        unsubscribe();
        this.#write(`\n# ${new Date().toISOString()} drill: ${this.name} exited (code ${code}, signal ${signal})\n`);
        if (!ready)
          reject(
            new Error(`${this.name} exited (code ${code}, signal ${signal}) before it was ready:\n${this.#tail.slice(-2000)}`),
          );
        if (this.#expectingExit || this.#closed) return;
        this.unexpectedExits.push({ name: this.name, at: Date.now(), code, signal, tail: this.#tail.slice(-2000) });
        if (this.#options.restartOnCrash) {
          this.#restartTimer = setTimeout(() => {
            this.start().catch(() => undefined); // a failed restart is recorded as the next unexpected exit
          }, 1000);
        }
      });
    });
  }

  /** SIGKILL: a crash, no cleanup; resolves once the process is gone. */
  async kill9(): Promise<void> {
    await this.#signal('SIGKILL');
  }

  /** SIGTERM; resolves once the process has exited (its own shutdown timeout is 15 s). */
  async stop(): Promise<void> {
    await this.#signal('SIGTERM');
  }

  /** Stops for good (SIGTERM) and closes the log file; idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#restartTimer);
    await this.#signal('SIGTERM').catch(() => undefined);
    await new Promise<void>((resolve) => (this.#log ? this.#log.end(() => resolve()) : resolve()));
  }

  async #signal(signal: NodeJS.Signals): Promise<void> {
    clearTimeout(this.#restartTimer);
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.#expectingExit = true;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  #emitLine(text: string): void {
    if (this.#listeners.size === 0 || !text.startsWith('{')) return;
    let fields: Record<string, unknown>;
    try {
      fields = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    const line: RoleLogLine = {
      at: Date.now(),
      level: typeof fields.level === 'number' ? fields.level : undefined,
      msg: typeof fields.msg === 'string' ? fields.msg : undefined,
      fields,
    };
    for (const listener of [...this.#listeners]) listener(line);
  }

  #write(text: string): void {
    if (this.#log && !this.#log.closed) this.#log.write(text);
  }
}
