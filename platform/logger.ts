/**
 * The one pino root logger: JSON to stdout, pretty only on a TTY. Parts get
 * `logger.child({ component })`. Secrets are redacted by path.
 */
import { createRequire } from 'node:module';
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export const REDACT_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  '*.password',
  '*.token',
  '*.secret',
  'password',
  'token',
  'secret',
];

/**
 * The root logger. Pretty lines (pino-pretty, in a worker thread) when asked
 * for and pino-pretty is installed; JSON otherwise.
 */
export function createLogger(options: {
  level: LevelWithSilent;
  /** @defaultValue whether stdout is a terminal */
  pretty?: boolean;
  /** @defaultValue `riverwatch` */
  name?: string;
}): Logger {
  const prettyTarget = (options.pretty ?? process.stdout.isTTY === true) ? prettyTransportPath() : undefined;
  return pino({
    name: options.name ?? 'riverwatch',
    level: options.level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    ...(prettyTarget ? { transport: { target: prettyTarget, options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } } : {}),
  });
}

/**
 * Where pino-pretty is, or undefined when it is not installed: it is a
 * devDependency, so a production install (`npm ci --omit=dev`, the image)
 * logs JSON even on a terminal instead of failing to start the transport.
 */
export function prettyTransportPath(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve('pino-pretty');
  } catch {
    return undefined;
  }
}

/** A logger that writes nothing, for tests and benchmarks. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
