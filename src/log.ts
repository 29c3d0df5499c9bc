/**
 * Logs (pino) on stderr: JSON lines for journald, files and pipes; readable lines (src/log-format.ts) when
 * stderr is a terminal. `NETMON_LOG_FORMAT=json|pretty` overrides the choice. The level is `--log-level`,
 * else `NETMON_LOG_LEVEL`, else info. Credential fields are redacted by path as a second line of defence:
 * the first is that no code logs a credential object at all.
 */
import pino from 'pino';
import { prettyStream } from './log-format.js';

export type Logger = pino.Logger;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const SECRET_KEYS = ['community', 'auth_key', 'priv_key', 'authKey', 'privKey', 'credential', 'password', 'authorization'];

function pretty(): boolean {
  const format = process.env.NETMON_LOG_FORMAT;
  return format === 'pretty' || (format !== 'json' && process.stderr.isTTY === true);
}

export function createLogger(level = process.env.NETMON_LOG_LEVEL ?? 'info'): Logger {
  return pino(
    {
      level,
      base: { service: 'netmon' },
      redact: { paths: [...SECRET_KEYS, ...SECRET_KEYS.map((k) => `*.${k}`)], censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    pretty() ? prettyStream() : pino.destination({ fd: 2, sync: false }),
  );
}
