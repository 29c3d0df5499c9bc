/** Shared bits of the fault tests: tmpfs mounts that are always unmounted, synthetic samples, logs. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sample } from '../../src/types.js';

export interface Tmpfs {
  dir: string;
  remount(opts: string): void;
  /** Unmount and delete the mount point; safe to call twice. */
  cleanup(): void;
}

export function mountTmpfs(size: string): Tmpfs {
  const dir = mkdtempSync(join(tmpdir(), 'netmon-tmpfs-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`mount tmpfs: ${r.stderr}`);
  }
  let mounted = true;
  return {
    dir,
    remount(opts) {
      const x = spawnSync('mount', ['-o', `remount,${opts}`, dir], { encoding: 'utf8' });
      if (x.status !== 0) throw new Error(`remount ${opts}: ${x.stderr}`);
    },
    cleanup() {
      if (mounted) {
        const u = spawnSync('umount', [dir], { encoding: 'utf8' });
        if (u.status !== 0) spawnSync('umount', ['-l', dir]);
        mounted = false;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `series` counters, one sample each at time `ts`. */
export function round(ts: number, series: number, base = 0): Sample[] {
  const out: Sample[] = [];
  for (let k = 0; k < series; k++) {
    out.push({ metric: 'fault_bytes_total', labels: { target: `t${k}` }, value: base + ts / 1000 + k, ts, type: 'counter' });
  }
  return out;
}

export interface LogLine {
  level: string;
  obj: unknown;
  msg?: string;
}

export function captureLog(): { lines: LogLine[]; info(o: unknown, m?: string): void; warn(o: unknown, m?: string): void; error(o: unknown, m?: string): void } {
  const lines: LogLine[] = [];
  return {
    lines,
    info: (obj, msg) => lines.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => lines.push({ level: 'error', obj, msg }),
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until(what: string, fn: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
