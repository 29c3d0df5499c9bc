/**
 * Shared helpers of the daemon benchmarks (load, soak, daemon) and the daemon-level fault tests: run the
 * compiled CLI as a child on a config, read its CPU and RSS from /proc, scrape a metric from /metrics.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../src/paths.js';

const TICKS = 100; // USER_HZ on Linux
const PAGE = 4096;

/** CPU seconds (user + system) and resident memory of a process, from /proc/PID/stat. */
export function procStat(pid: number): { cpuS: number; rssBytes: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuS = (Number(fields[11]) + Number(fields[12])) / TICKS; // utime + stime
  const rssBytes = Number(fields[21]) * PAGE;
  return { cpuS, rssBytes };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Sum of every sample of a metric family (all label sets) on /metrics. */
export function metricSum(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(name) && (line[name.length] === ' ' || line[name.length] === '{')) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  return sum;
}

/** The value of one sample (first match) of a metric, or undefined. */
export function metricValue(text: string, name: string, labelMatch = ''): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(name) && (line[name.length] === ' ' || line[name.length] === '{') && line.includes(labelMatch)) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

export async function scrape(url: string): Promise<string> {
  return (await fetch(`${url}metrics`)).text();
}

export async function metric(url: string, name: string): Promise<number> {
  return metricSum(await scrape(url), name);
}

export interface DaemonChild {
  child: ChildProcess;
  pid: number;
  url: string;
  /** stderr so far (JSON log lines). */
  stderr(): string;
  /** stdout so far. */
  stdout(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code and signal. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: string | null }>;
  exited: Promise<{ code: number | null; signal: string | null }>;
}

/** The node flags of bin/netmon.js's shebang (`#!/usr/bin/env -S node FLAGS`): the V8 settings the daemon is deployed with. */
function daemonNodeFlags(): string[] {
  const first = readFileSync(join(ROOT, 'bin', 'netmon.js'), 'utf8').split('\n', 1)[0]!;
  const m = /^#!.*?\bnode\b(.*)$/.exec(first);
  return m ? m[1]!.split(/\s+/).filter(Boolean) : [];
}

/** `node FLAGS bin/netmon.js run --config FILE --port 0` (run `npm run build` first); resolves once it prints its URL. */
export async function spawnDaemon(configFile: string, opts: { env?: Record<string, string>; nodeArgs?: string[]; startTimeoutMs?: number } = {}): Promise<DaemonChild> {
  const child = spawn(process.execPath, [...daemonNodeFlags(), ...(opts.nodeArgs ?? []), join(ROOT, 'bin', 'netmon.js'), 'run', '--config', configFile, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NETMON_LOG_LEVEL: 'info', ...opts.env },
  });
  let err = '';
  child.stderr.on('data', (d) => {
    err += d;
    if (err.length > 2_000_000) err = err.slice(-1_000_000);
  });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let out = '';
  child.stdout.on('data', (d) => {
    if (out.length < 1_000_000) out += d;
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`daemon did not start within ${opts.startTimeoutMs ?? 60_000} ms:\n${err.slice(-3000)}`));
    }, opts.startTimeoutMs ?? 60_000);
    child.stdout.on('data', () => {
      const m = /Dashboard: (https?:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`daemon exited early (${code ?? signal}):\n${err.slice(-3000)}`));
    });
  });
  return {
    child,
    pid: child.pid!,
    url,
    stderr: () => err,
    stdout: () => out,
    exited,
    async stop(graceMs = 6000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const r = await exited;
      clearTimeout(t);
      return r;
    },
  };
}

/** Least-squares slope of y over x. */
export function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** SIGTERM a child this test started (SIGKILL after 3 s), wait until it exited, then remove its scratch dir. */
export async function stopChild(child: ChildProcess, exited: Promise<void>, dir?: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(t);
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
}
