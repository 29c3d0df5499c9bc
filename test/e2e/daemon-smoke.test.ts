/**
 * The daemon as a user runs it: the compiled CLI as a child process on the shipped reference network
 * (simulated), scraped over HTTP, then stopped with SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../src/paths.js';
import { makeRefnetConfig, type RefnetConfig } from '../kit/refnet.js';

let cfg: RefnetConfig;
let child: ChildProcess;
let url: string;
let stderr = '';

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; daemon stderr:\n${stderr.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  cfg = makeRefnetConfig({ dcCoreInterval: '2s' });
  child = spawn(process.execPath, [join(ROOT, 'bin', 'netmon.js'), 'run', '--config', cfg.file, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NETMON_LOG_LEVEL: 'info' },
  });
  child.stderr!.on('data', (d) => (stderr += d));
  let stdout = '';
  url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      stdout += d;
      const m = /Dashboard: (http:\/\/\S+)/.exec(stdout);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`daemon exited early with ${code}:\n${stderr}`)));
  });
}, 60_000);

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  cfg?.cleanup();
});

describe('netmon run (child process, reference network)', () => {
  it('answers health and readiness', async () => {
    expect((await fetch(`${url}-/healthy`)).status).toBe(200);
    await waitFor('readiness', async () => ((await fetch(`${url}-/ready`)).status === 200 ? true : undefined), 30_000);
  });

  it('exports the uplink counters polled over SNMP from the simulator', async () => {
    const body = await waitFor(
      'dc-core interface counters on /metrics',
      async () => {
        const text = await (await fetch(`${url}metrics`)).text();
        return /netmon_interface_receive_bytes_total\{[^}]*target="dc-core"/.test(text) ? text : undefined;
      },
      30_000,
    );
    expect(body).toMatch(/# TYPE netmon_interface_receive_bytes_total counter/);
    expect(body).toMatch(/netmon_probe_success\{[^}]*probe="snmp"[^}]*target="dc-core"[^}]*\} 1/);
    expect(body).toMatch(/^netmon_build_info\{/m);
  });

  it('serves both uplinks through the JSON API with rates once two polls are in', async () => {
    const traffic = await waitFor(
      'uplink rates',
      async () => {
        const j = (await (await fetch(`${url}api/v1/uplinks/international/traffic?range=1h`)).json()) as {
          capacity_bps: number;
          in: { series: { mean: number[] } | null };
        };
        return j.in.series && j.in.series.mean.length > 0 ? j : undefined;
      },
      30_000,
    );
    expect(traffic.capacity_bps).toBe(2e6);
    for (const v of traffic.in.series!.mean) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(2e6 * 1.05);
    }
    const overview = (await (await fetch(`${url}api/v1/overview`)).json()) as { simulated: boolean; uplinks: { name: string; capacity_bps: number }[] };
    expect(overview.simulated).toBe(true);
    expect(overview.uplinks.map((u) => [u.name, u.capacity_bps])).toEqual([
      ['domestic', 100e6],
      ['international', 2e6],
    ]);
  });

  it('stops cleanly on SIGTERM within 5 s', async () => {
    const t0 = Date.now();
    child.kill('SIGTERM');
    const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
    expect(signal).toBeNull();
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(stderr).toMatch(/"msg":"stopped"/);
  });
});
