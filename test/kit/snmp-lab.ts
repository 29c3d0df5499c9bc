/**
 * Benchmark plumbing shared by bench/snmp.ts and bench/snmp-scale.ts (in test/kit/ with the
 * snmpd helper it uses): a network namespace full of veth
 * interfaces with Debian snmpd instances inside, the measuring half of the benchmark re-executed inside
 * the namespace (so all SNMP traffic stays on the namespace's loopback), and cleanup in `finally`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSnmpd, type Snmpd } from './snmpd.js';

export function sh(cmd: string[], input?: string): string {
  const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8', input, timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${cmd.join(' ')}: ${r.stderr || r.error?.message}`);
  return r.stdout;
}

export function missing(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  for (const c of ['ip', 'snmpd', 'snmpbulkwalk']) if (spawnSync('sh', ['-c', `command -v ${c}`]).status !== 0) return `needs ${c}`;
  return undefined;
}

export interface Lab {
  ns: string;
  interfaces: number;
  agents: Snmpd[];
}

/** Create a namespace with `pairs` veth pairs (2 × pairs interfaces + lo) and `agents` snmpd instances in it. */
export async function withLab<T>(o: { pairs: number; agents: number; basePort?: number }, body: (lab: Lab) => Promise<T>): Promise<T> {
  const ns = `netmon-bench-${process.pid}`;
  const agents: Snmpd[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'netmon-bench-'));
  try {
    sh(['ip', 'netns', 'add', ns]);
    sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    const batch = join(dir, 'links');
    writeFileSync(batch, Array.from({ length: o.pairs }, (_, i) => `link add va${i} type veth peer name vb${i}\n`).join(''));
    sh(['ip', '-n', ns, '-batch', batch]);
    const base = o.basePort ?? 20000 + Math.floor(Math.random() * 20000);
    for (let i = 0; i < o.agents; i++) agents.push(await startSnmpd({ port: base + i, prefix: ['ip', 'netns', 'exec', ns] }));
    const interfaces = Number(sh(['ip', '-n', ns, '-o', 'link', 'show']).trim().split('\n').length);
    return await body({ ns, interfaces, agents });
  } finally {
    await Promise.allSettled(agents.map((a) => a.stop()));
    spawnSync('ip', ['netns', 'del', ns]);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Run this script again inside the namespace with `--inner ARGS`; resolves with its last stdout line. */
export function runInner(ns: string, script: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', script, '--inner', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(t);
      const last = out.trim().split('\n').pop() ?? '';
      if (code === 0) resolve(last);
      else reject(new Error(`inner benchmark exited with ${code}: ${out.slice(-2000)}`));
    });
  });
}

/** CPU seconds used by waited-for children of this process (from /proc/self/stat, 10 ms resolution). */
export function childrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields after the comm: state(0) ... cutime is field 16 of stat (index 13 here), cstime 17 (index 14)
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export const round = (x: number, digits = 3) => Number(x.toFixed(digits));
