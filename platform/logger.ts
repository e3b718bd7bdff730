/**
 * The one pino root logger: JSON to stdout, pretty only on a TTY. Parts get
 * `logger.child({ component })`. Secrets are redacted by path.
 */
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

export function createLogger(options: { level: LevelWithSilent; pretty?: boolean; name?: string }): Logger {
  const pretty = options.pretty ?? process.stdout.isTTY === true;
  return pino({
    name: options.name ?? 'riverwatch',
    level: options.level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } } : {}),
  });
}

/** A logger that writes nothing, for tests and benchmarks. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
