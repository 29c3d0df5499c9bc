/**
 * A port whose ifAlias changes keeps its chart (issue #24, item 9), through the real daemon (in-process),
 * net-snmp's agent on loopback UDP (test/kit/if-device.ts) and the real API: the change makes a new series
 * (labels are identity, as documented), and /api/v1/targets/:t/interfaces/:i/traffic and
 * /api/v1/uplinks/:u/traffic follow the newest series of the same ifIndex and draw the history across it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon } from '../../src/daemon.js';
import type { InterfaceTrafficResponse, UplinkTrafficResponse } from '../../src/http/contract.js';
import { advance, ifModule, makeDevice } from '../kit/if-device.js';
import { startModuleAgent } from '../kit/snmp-agent.js';
import { until } from '../faults/helpers.js';

let closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.reverse()) await c();
  closers = [];
});

const MBPS = 8_000_000; // 1 MB/s on every port

describe('interface identity across an ifAlias change', () => {
  it('the traffic routes follow the newest series of the ifIndex and draw the history across the change', async () => {
    const d = makeDevice(2, 1000);
    const agent = await startModuleAgent(ifModule(d));
    closers.push(() => agent.close());
    // Traffic flows in real time: the device's counters advance every 100 ms (stopped with the test).
    let last = Date.now();
    const traffic = setInterval(() => {
      const now = Date.now();
      advance(d, now - last, MBPS);
      last = now;
    }, 100);
    closers.push(() => clearInterval(traffic));
    const dir = mkdtempSync(join(tmpdir(), 'netmon-identity-'));
    closers.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'netmon.yaml');
    writeFileSync(
      file,
      `storage: { path: netmon.db }
credentials:
  c: { version: "2c", community: public }
sites:
  - { id: lab, name: Lab, group: datacentre }
uplinks:
  - { name: isp, target: sw, interface: ge-0/0/0, capacity: 1Gbps }
targets:
  - name: sw
    address: 127.0.0.1
    site: lab
    role: switch
    snmp: { credential: c, port: ${agent.port}, interval: 1s, timeout: 500ms, retries: 0, replace_default_profiles: true, profiles: [if-mib] }
`,
    );
    const daemon = await startDaemon({ configFile: file, log: pino({ level: 'silent' }), port: 0 });
    closers.push(() => daemon.stop());
    const from = Date.now() - 1000;
    const get = async <T>(path: string): Promise<T> => (await (await fetch(`${daemon.url}api/v1/${path}from=${from}&to=${Date.now()}&points=500`)).json()) as T;
    const port = () => get<InterfaceTrafficResponse>('targets/sw/interfaces/1/traffic?');
    const uplink = () => get<UplinkTrafficResponse>('uplinks/isp/traffic?');
    const buckets = (r: { in?: { series: { ts: number[]; mean: number[] } | null } }, after = 0) => (r.in?.series?.ts ?? []).filter((t) => t > after).length;

    await until('traffic before the change', async () => buckets(await port()) >= 3, 20_000);
    // The operator edits the port's description. (netmon re-reads labels every 15 minutes, or when a change
    // indicator moves: ifTableLastChange stands in for the refresh here.)
    d.ifaces[0]!.alias = 'to ISP, new circuit';
    d.lastChange += 100;
    const changedAt = Date.now();
    await until('traffic after the change', async () => buckets(await port(), changedAt + 1000) >= 3, 20_000);

    const r = await port();
    expect(r.if_alias).toBe('to ISP, new circuit');
    expect(buckets(r)).toBeGreaterThan(buckets(r, changedAt));
    expect(buckets(r, changedAt + 1000)).toBeGreaterThanOrEqual(3);
    // The rate is continuous across the change: ~8 Mbit/s on both sides, no gap to zero, no spike.
    const means = r.in.series!.mean.filter((v) => v > 0);
    for (const v of means) expect(v).toBeGreaterThan(0.5 * MBPS);
    for (const v of means) expect(v).toBeLessThan(2 * MBPS);
    expect(r.in.stats!.volume_bytes).toBeGreaterThan(0);

    const u = await uplink();
    expect(buckets(u, changedAt + 1000)).toBeGreaterThanOrEqual(3);
    expect(buckets(u)).toBeGreaterThan(buckets(u, changedAt));
  });
});
