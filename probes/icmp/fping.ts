/** fping: where it is, which arguments a cycle gets, and one bounded run of it. */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { abortReason } from '../abort.js';

export interface PlanOptions {
  /** Fraction of the cycle the N echoes are spread over (default 0.5, see planCycle). */
  spread?: number;
  /** Upper bound of fping -i, the gap between any two packets sent (default 10 ms, fping's own default). */
  maxPacketIntervalMs?: number;
  /** Lower bound of -i so a big batch never becomes a burst (default 0.1 ms = 10,000 packets/s). */
  minPacketIntervalMs?: number;
  /** Lower bound of -p, the period between echoes to one target (default 20 ms). */
  minPeriodMs?: number;
}

export interface FpingPlan {
  count: number;
  /** -p: period between echoes to one target. */
  periodMs: number;
  /** -t: reply timeout of one echo; replies later than this count as lost. */
  timeoutMs: number;
  /** -i: gap between any two packets fping sends. */
  packetIntervalMs: number;
  /** When fping should be done; after that it gets SIGINT and prints what it has. */
  expectedMs: number;
}

/**
 * Why these numbers: Smokeping-style, the N echoes of a cycle are spread over `spread` (½) of the
 * interval, so slow drifts within the cycle are sampled and the run, plus its last timeout, still
 * ends well before the next cycle starts (no self-overlap). -i is chosen so one round over all hosts
 * takes at most half a period: the round never stretches -p, while packets stay evenly paced
 * (at 1,000 hosts and a 1.5 s period: 0.75 ms, ~1,300 packets/s).
 */
export function planCycle(count: number, cycleMs: number, timeoutMs: number, hosts: number, o: PlanOptions = {}): FpingPlan {
  const spread = o.spread ?? 0.5;
  const maxI = o.maxPacketIntervalMs ?? 10;
  const minI = o.minPacketIntervalMs ?? 0.1;
  const minP = o.minPeriodMs ?? 20;
  const n = Math.max(1, Math.floor(count));
  let period = n > 1 ? Math.floor((spread * cycleMs) / n) : Math.floor(spread * cycleMs);
  // The last echo's timeout must also fit: (n-1)·p + t ≤ 90 % of the cycle.
  if (n > 1 && (n - 1) * period + timeoutMs > 0.9 * cycleMs) period = Math.floor((0.9 * cycleMs - timeoutMs) / (n - 1));
  period = Math.max(minP, period);
  const i = Math.min(maxI, Math.max(minI, (period * 0.5) / Math.max(1, hosts)));
  const packetIntervalMs = Math.round(i * 1000) / 1000;
  const expectedMs = (n - 1) * period + timeoutMs + hosts * packetIntervalMs;
  return { count: n, periodMs: period, timeoutMs: Math.max(1, Math.round(timeoutMs)), packetIntervalMs, expectedMs };
}

/** Targets go on stdin (-f -): no ARG_MAX worry at 10,000 hosts. -B 1 -r 0 as Smokeping: no backoff, no retries. */
export function fpingArgs(p: FpingPlan): string[] {
  return ['-C', String(p.count), '-q', '-B', '1', '-r', '0', '-t', String(p.timeoutMs), '-p', String(p.periodMs), '-i', String(p.packetIntervalMs), '-f', '-'];
}

export function findExecutable(nameOrPath: string): string | undefined {
  const candidates = nameOrPath.includes('/')
    ? [nameOrPath]
    : [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/bin', '/sbin', '/bin'].filter(Boolean).map((d) => join(d, nameOrPath));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      /* next */
    }
  }
  return undefined;
}

export interface FpingRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** True when we had to interrupt it (deadline or abort). */
  interrupted: boolean;
}

/**
 * One fping process. At the deadline it gets SIGINT, on which fping prints the summary of what it
 * sent so far (those echoes are not counted as lost); SIGKILL 1 s later if it still lingers.
 * An abort signal does the same and rejects.
 */
export function runFping(path: string, args: string[], hosts: string[], deadlineMs: number, signal?: AbortSignal): Promise<FpingRun> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const child = spawn(path, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let interrupted = false;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = () => {
      if (interrupted || child.exitCode !== null) return;
      interrupted = true;
      child.kill('SIGINT');
      killTimer = setTimeout(() => child.kill('SIGKILL'), 1000);
    };
    const deadline = setTimeout(stop, deadlineMs);
    const onAbort = () => stop();
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => {}); // fping may exit before reading all of stdin
    child.stdin.end(hosts.join('\n') + '\n');
    child.on('error', (e) => {
      clearTimeout(deadline);
      signal?.removeEventListener('abort', onAbort);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(deadline);
      if (killTimer) clearTimeout(killTimer);
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) return reject(abortReason(signal));
      resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), interrupted });
    });
  });
}
