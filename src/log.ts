/**
 * Structured logs (pino, JSON lines on stderr). Credential fields are redacted by path as a second line
 * of defence: the first is that no code logs a credential object at all.
 */
import pino from 'pino';

export type Logger = pino.Logger;

const SECRET_KEYS = ['community', 'auth_key', 'priv_key', 'authKey', 'privKey', 'credential', 'password', 'authorization'];

export function createLogger(level = process.env.NETMON_LOG_LEVEL ?? 'info'): Logger {
  return pino(
    {
      level,
      base: { service: 'netmon' },
      redact: { paths: [...SECRET_KEYS, ...SECRET_KEYS.map((k) => `*.${k}`)], censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    pino.destination({ fd: 2, sync: false }),
  );
}
