/** Live: real fping against loopback addresses. Needs root (or fping with cap_net_raw) and fping. */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPingProbe, PING_METRICS } from '../../probes/icmp/index.js';
import type { ProbeSpec, Target } from '../../src/types.js';
import { requireTool } from '../helpers/requireTool.js';

const spec: ProbeSpec = { kind: 'ping', intervalMs: 1000, timeoutMs: 500, options: { count: 5 } };
const target = (name: string, address = name): Target => ({ name, address, site: 'lab', role: 'server', labels: {}, probes: [spec] });
const value = (samples: { metric: string; value: number; labels: Record<string, string> }[], metric: string, q?: string) =>
  samples.find((s) => s.metric === metric && (q === undefined || s.labels['smoke_quantile'] === q))?.value;

const ok = requireTool({ root: true, commands: ['fping'] }, 'ICMP live loopback tests');

describe.runIf(ok)('ping probe on loopback (fping)', () => {
  let dir: string;
  let wrapper: string;
  beforeAll(() => {
    // A wrapper that logs each start, to prove a cycle is ONE fping process.
    dir = mkdtempSync(join(tmpdir(), 'netmon-fping-'));
    wrapper = join(dir, 'fping');
    writeFileSync(wrapper, `#!/bin/sh\necho "$@" >> ${dir}/calls\nexec fping "$@"\n`);
    chmodSync(wrapper, 0o755);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('IPv4, IPv6 and a name in one fping: all answer, loss 0, up; a bad name fails only itself', async () => {
    const probe = createPingProbe({ fpingPath: wrapper });
    expect(probe.method).toBe('fping');
    const names = ['127.0.0.1', '127.20.1.1', '127.20.1.2', '::1'];
    const items = [...names.map((n) => target(n)), target('lo-by-name', 'localhost'), target('ghost', 'nonexistent.invalid')].map((t) => ({ target: t, spec }));
    const t0 = Date.now();
    const res = await probe.runMany(items, AbortSignal.timeout(10_000));
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n')).toHaveLength(1);
    expect(readFileSync(join(dir, 'calls'), 'utf8')).toMatch(/-t 500\b/);
    expect(res.errors.get('ghost')).toMatchObject({ name: 'ProbeError', reason: 'config' });
    for (const n of [...names, 'lo-by-name']) {
      const s = res.get(n)!;
      expect(s, n).toBeDefined();
      expect(value(s, 'netmon_ping_sent_packets')).toBe(5);
      expect(value(s, 'netmon_ping_received_packets')).toBe(5);
      expect(value(s, 'netmon_ping_loss_ratio')).toBe(0);
      expect(value(s, 'netmon_ping_reachability_state')).toBeUndefined(); // decided by the status module, not here
      const min = value(s, 'netmon_ping_rtt_min_seconds')!;
      const med = value(s, 'netmon_ping_rtt_median_seconds')!;
      const max = value(s, 'netmon_ping_rtt_max_seconds')!;
      expect(min).toBeGreaterThan(0);
      expect(min).toBeLessThanOrEqual(value(s, 'netmon_ping_rtt_quantile_seconds', '0.1')!);
      expect(med).toBeLessThanOrEqual(max);
      expect(max).toBeLessThan(0.05);
      for (const x of s) {
        // Only the probe's own labels: target and site are added at the fan-out.
        const { smoke_quantile: _q, ...own } = x.labels;
        expect(own).toEqual({ method: 'fping' });
        expect(x.type).toBe('gauge');
        expect(x.unit && x.help).toBeTruthy();
        expect(PING_METRICS[x.metric]).toBeDefined();
      }
      expect(res.results.get(n)!.stats.sorted).toHaveLength(5);
    }
  });

  it('run() for one target; abort stops fping and rejects with a ProbeError', async () => {
    const probe = createPingProbe();
    const s = await probe.run(target('127.0.0.1'), spec, AbortSignal.timeout(5000));
    expect(value(s, 'netmon_ping_loss_ratio')).toBe(0);
    await expect(probe.run(target('ghost', 'nonexistent.invalid'), spec, AbortSignal.timeout(5000))).rejects.toMatchObject({ reason: 'config' });
    const slow: ProbeSpec = { ...spec, intervalMs: 20_000, options: { count: 10 } };
    const t0 = Date.now();
    await expect(probe.run(target('127.0.0.1'), slow, AbortSignal.timeout(300))).rejects.toMatchObject({ reason: 'timeout' });
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});

describe('fallbacks (no root needed)', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('fping missing: a clear warning, TCP-connect fallback, method="tcp"', async () => {
    const logs: string[] = [];
    const probe = createPingProbe({ fpingPath: '/nonexistent/fping', pingPath: '/nonexistent/ping', tcpPort: port, log: (l, m) => logs.push(`${l}: ${m}`) });
    expect(probe.method).toBe('tcp');
    expect(logs.join('\n')).toMatch(/warn: fping not found.*TCP connect/);
    // 127.0.0.1 accepts; 127.0.0.2 refuses (RST): both prove the host answers
    const res = await probe.runMany([target('127.0.0.1'), target('127.0.0.2')].map((t) => ({ target: t, spec: { ...spec, options: { count: 3 } } })), AbortSignal.timeout(5000));
    for (const n of ['127.0.0.1', '127.0.0.2']) {
      const s = res.get(n)!;
      expect(value(s, 'netmon_ping_received_packets')).toBe(3);
      expect(s.every((x) => x.labels['method'] === 'tcp')).toBe(true);
    }
  });
});
