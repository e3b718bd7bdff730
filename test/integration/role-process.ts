/** A RiverWatch role run as a child process (`node bin/riverwatch.js <role>`), for tests that kill -9 it. */
import { spawn, type ChildProcess } from 'node:child_process';

export class RoleProcess {
  #child: ChildProcess | undefined;
  output = '';

  constructor(
    readonly role: string,
    readonly env: Record<string, string>,
  ) {}

  /** Starts the process; resolves once it logged "RiverWatch ready". */
  start(): Promise<void> {
    this.output = '';
    this.#child = spawn(process.execPath, ['bin/riverwatch.js', this.role], { env: { ...process.env, ...this.env, RW_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const child = this.#child;
    child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.role} not ready in 30 s:\n${this.output.slice(-2000)}`)), 30_000);
      child.stdout?.on('data', () => {
        if (this.output.includes('RiverWatch ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        if (!this.output.includes('RiverWatch ready')) reject(new Error(`${this.role} exited with ${code}:\n${this.output.slice(-2000)}`));
      });
    });
  }

  /** The running child process, if started. */
  get child(): ChildProcess | undefined {
    return this.#child;
  }

  /** SIGKILL: a crash, no cleanup. */
  async kill9(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  /** SIGTERM and wait for the exit. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}
