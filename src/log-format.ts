/**
 * pino's JSON lines made readable for a person at a terminal: `07:10:01.123 INFO  netmon started url=… targets=127`.
 * Journald, files and pipes keep the JSON (one object per line, for machines). Redaction has already happened:
 * pino serialises (with secrets censored) before this sees the line.
 */
import { Writable } from 'node:stream';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };
const COLOURS: Record<number, string> = { 10: '90', 20: '36', 30: '32', 40: '33', 50: '31', 60: '35' };
const SKIP = new Set(['level', 'time', 'msg', 'service', 'pid', 'hostname']);

function value(v: unknown): string {
  if (typeof v === 'string') return /[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v;
  return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
}

/** One JSON log line → one human line; a line that is not JSON passes through unchanged. */
export function formatLogLine(line: string, colour: boolean): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const level = typeof o.level === 'number' ? o.level : 30;
  const time = typeof o.time === 'string' ? o.time.slice(11, 23) : '';
  const name = LEVELS[level] ?? String(level);
  const tag = colour ? `\x1b[${COLOURS[level] ?? '0'}m${name}\x1b[0m` : name;
  const fields = Object.entries(o)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${k}=${value(v)}`)
    .join(' ');
  return `${time} ${tag} ${typeof o.msg === 'string' ? o.msg : ''}${fields ? `  ${fields}` : ''}`;
}

/** A stream pino can write to that prints formatted lines to `out`. */
export function prettyStream(out: NodeJS.WriteStream = process.stderr): Writable {
  const colour = out.isTTY && !process.env.NO_COLOR;
  let rest = '';
  return new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      const lines = (rest + String(chunk)).split('\n');
      rest = lines.pop() ?? '';
      for (const l of lines) if (l) out.write(formatLogLine(l, colour) + '\n');
      cb();
    },
    final(cb) {
      if (rest) out.write(formatLogLine(rest, colour) + '\n');
      cb();
    },
  });
}
