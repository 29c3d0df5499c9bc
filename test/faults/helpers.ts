/** Shared bits of the fault tests: tmpfs mounts that are always unmounted, synthetic samples, logs. */
import { afterEach } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
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

/** Take the free space of the filesystem holding `dir` (up to `maxBytes`) with a file; returns its path (unlink it to give the space back). */
export function fill(dir: string, maxBytes = Number.MAX_SAFE_INTEGER, name = 'filler'): string {
  const file = join(dir, name);
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024, 0xaa);
  try {
    for (let n = 0; n < maxBytes; n += chunk.length) writeSync(fd, chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    closeSync(fd);
  }
  return file;
}

/**
 * Another process (node + better-sqlite3) takes the write lock of a SQLite file (BEGIN IMMEDIATE), as a
 * sqlite3 shell or a backup tool would; resolves once it holds it. release() commits, closes and waits for
 * the process to exit; with `holdMs` it lets go by itself after that long, and release() only waits for it.
 */
export function holdWriteLock(file: string, holdMs?: number): Promise<{ pid: number; release(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const code = `const D=require('better-sqlite3');const d=new D(process.argv[1]);d.exec('BEGIN IMMEDIATE');console.log('locked');
const end=()=>{d.exec('COMMIT');d.close();process.exit(0)};process.stdin.on('data',end);process.stdin.on('end',end);${holdMs === undefined ? '' : `setTimeout(end,${holdMs});`}`;
    const child = spawn(process.execPath, ['-e', code, file], { stdio: ['pipe', 'pipe', 'inherit'] });
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.stdout.once('data', () =>
      resolve({
        pid: child.pid!,
        release: async () => {
          if (holdMs === undefined && child.exitCode === null) child.stdin.end('go\n');
          await exited;
        },
      }),
    );
    child.once('error', reject);
    void exited.then(() => reject(new Error('the lock holder exited before it held the lock')));
  });
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

/**
 * Cleanups run after each test, newest first, each one whatever the others do (an unmount after a failed
 * stop): `const cleanups = cleanupAfterEach();` then `cleanups.push(() => ...)`.
 */
export function cleanupAfterEach(): (() => void)[] {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    while (cleanups.length) {
      try {
        cleanups.pop()!();
      } catch {
        /* keep cleaning */
      }
    }
  });
  return cleanups;
}
