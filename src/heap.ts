/**
 * The V8 heap sized from the configured limits (src/limits.ts): `netmon run` needs room for
 * `limits.series_total` series (heapMegabytes). bin/netmon.js calls relaunchWithHeap() first: when the
 * running heap limit (its shebang's --max-old-space-size, or the operator's flag) is smaller, it starts the
 * same command again in a child with --max-old-space-size raised, forwards signals to it and exits with
 * its status; the child stops cleanly if this process dies (its IPC channel closes).
 *
 * Only `limits.series_total` is read here, from the main file alone, without validation: a broken config
 * is the daemon's to report (file, line, never a value), so anything unreadable means "no relaunch".
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { parse } from 'yaml';
import { DEFAULT_LIMITS, heapMegabytes, limitsSchema } from './limits.js';
import { DEFAULT_CONFIG } from './paths.js';

const MARK = 'NETMON_HEAP_SIZED';
const FLAG = /^--max-old-space-size(=|$)/;

/** The config file a `netmon run ...` command line names (default: the installation's). */
function configOf(args: readonly string[]): string {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-c' || a === '--config') return resolve(args[i + 1] ?? DEFAULT_CONFIG);
    if (a.startsWith('--config=')) return resolve(a.slice('--config='.length));
  }
  return DEFAULT_CONFIG;
}

/** The heap (MB) `netmon run` with these arguments needs, or undefined for other commands / unreadable configs. */
export function neededHeapMb(args: readonly string[]): number | undefined {
  if (args[0] !== 'run') return undefined;
  try {
    const doc = parse(readFileSync(configOf(args), 'utf8')) as { limits?: unknown } | null;
    const limits = limitsSchema.safeParse(doc?.limits);
    return heapMegabytes(limits.success ? limits.data : DEFAULT_LIMITS);
  } catch {
    return undefined;
  }
}

/** True if this process handed over to a child with a large enough heap (then the caller must do nothing). */
export function relaunchWithHeap(): boolean {
  if (process.env[MARK]) {
    // We are that child: stop cleanly when the parent is gone (SIGKILLed), never linger holding the database.
    if (process.connected) {
      process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
      process.channel?.unref();
    }
    return false;
  }
  const args = process.argv.slice(2);
  const need = neededHeapMb(args);
  const have = getHeapStatistics().heap_size_limit / 2 ** 20;
  if (need === undefined || have >= need) return false;
  const child = spawn(process.execPath, [...process.execArgv.filter((a) => !FLAG.test(a)), `--max-old-space-size=${need}`, process.argv[1]!, ...args], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, [MARK]: String(need) },
  });
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2'] as const) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
  return true;
}
