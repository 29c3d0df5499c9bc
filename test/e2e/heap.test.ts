/**
 * The V8 heap is sized from the configured limits (src/heap.ts, bin/netmon.js): `netmon run` with a
 * limits.series_total too large for the shebang's 1 GB relaunches itself with --max-old-space-size from
 * the config, forwards SIGTERM (clean exit 0) and its child never outlives a SIGKILLed parent; with the
 * default limits nothing is relaunched. Runs the built daemon (`npm run build` first).
 */
import { readFileSync, readdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { heapMegabytes, DEFAULT_LIMITS } from '../../src/limits.js';
import { spawnDaemon, type DaemonChild } from '../kit/proc.js';
import { until } from '../faults/helpers.js';

let closers: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of closers.reverse()) await c();
  closers = [];
});

/** Child PIDs of a process (Linux /proc). */
function children(pid: number): number[] {
  const out: number[] = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const list = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
    if (list) out.push(...list.split(/\s+/).map(Number));
  }
  return out;
}
const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function daemonWith(limits: string): Promise<DaemonChild> {
  const dir = mkdtempSync(join(tmpdir(), 'netmon-heap-'));
  closers.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'netmon.yaml');
  // One target on a port nothing answers: a config with targets, whose polls fail harmlessly.
  writeFileSync(
    file,
    `storage: { path: netmon.db }
${limits}
credentials:
  c: { version: "2c", community: public }
sites:
  - { id: lab, name: Lab, group: datacentre }
targets:
  - { name: sw, address: 127.0.0.1, site: lab, role: switch, snmp: { credential: c, port: 9, interval: 5s, timeout: 1s } }
`,
  );
  const d = await spawnDaemon(file);
  closers.push(() => d.stop());
  return d;
}

describe('heap sized from limits', () => {
  it('heapMegabytes: 256 MB + 4 KB per series; the default fits the shebang 1 GB', () => {
    expect(heapMegabytes({ ...DEFAULT_LIMITS, series_total: 1_000_000 })).toBe(256 + 3907);
    expect(heapMegabytes(DEFAULT_LIMITS)).toBeLessThanOrEqual(1024);
  });

  it('a large series_total relaunches with --max-old-space-size from the config; SIGTERM reaches it, exit 0', async () => {
    const d = await daemonWith('limits: { series_total: 1000000 }');
    const [child] = children(d.pid);
    expect(child).toBeDefined();
    expect(cmdline(child!)).toContain('--max-old-space-size=4163');
    expect(cmdline(child!)).not.toContain('--max-old-space-size=1024');
    expect((await fetch(`${d.url}-/healthy`)).status).toBe(200);
    const r = await d.stop();
    expect(r).toEqual({ code: 0, signal: null });
    expect(alive(child!)).toBe(false);
  });

  it('the relaunched daemon stops when its parent is SIGKILLed (never lingers holding the database)', async () => {
    const d = await daemonWith('limits: { series_total: 1000000 }');
    const [child] = children(d.pid);
    d.child.kill('SIGKILL');
    await d.exited;
    await until('the child to stop', () => !alive(child!), 15_000);
  });

  it('the default limits start the daemon in one process', async () => {
    const d = await daemonWith('');
    expect(children(d.pid).filter((p) => cmdline(p).some((a) => a.endsWith('netmon.js')))).toEqual([]);
  });
});
