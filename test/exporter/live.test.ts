/**
 * The exporter end to end: the daemon runs the shipped reference network (simulated, a temp copy of
 * config/netmon.yaml with short intervals and storage in a temp dir); (1) its live /metrics passes
 * `promtool check metrics` with no output at all; (2) a real Prometheus scrapes it and its PromQL bit rate
 * of the domestic uplink agrees with netmon's own API for the same window.
 * Needs Debian's `prometheus` package (prometheus, promtool); skips loudly without it, fails in CI.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../src/paths.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../../src/daemon.js';
import { buildTargets } from '../../src/config/model.js';
import { requireTool } from '../helpers/requireTool.js';
import { freeUdpPort, promQuery, promtoolCheckMetrics, shippedConfigExists, startPrometheus, tempShippedConfig, waitFor } from './helpers.js';

const haveTools = requireTool({ commands: ['promtool', 'prometheus'] }, 'live exporter tests with a real Prometheus (apt-get install prometheus)');
if (haveTools && !shippedConfigExists()) {
  const msg = 'live exporter tests: config/netmon.yaml or config/targets/ missing';
  if (process.env.CI === 'true') throw new Error(msg);
  console.warn(`\n${'!'.repeat(78)}\n!!! SKIPPED ${msg}\n${'!'.repeat(78)}\n`);
}

const DC_CORE_INTERVAL_S = 2;

describe.runIf(haveTools && shippedConfigExists())('live /metrics of the reference network', () => {
  let daemon: Daemon;
  let dir: string;
  let domesticPort: string;

  beforeAll(async () => {
    const cfg = tempShippedConfig({ dcCoreInterval: `${DC_CORE_INTERVAL_S}s`, interval: '10s', snmpPort: await freeUdpPort() });
    dir = cfg.dir;
    const { startDaemon } = await import('../../src/daemon.js');
    const { createLogger } = await import('../../src/log.js');
    daemon = await startDaemon({ configFile: cfg.file, log: createLogger('error'), port: 0 });
    const domestic = daemon.config().uplinks.find((u) => u.name === 'domestic');
    if (!domestic) throw new Error('config/netmon.yaml has no uplink named domestic');
    domesticPort = domestic.interface;
    // dc-core answered at least twice (a rate needs two polls).
    await waitFor(
      'dc-core results',
      async () => {
        const o = (await (await fetch(new URL('api/v1/overview', daemon.url))).json()) as { uplinks: { name: string; in_bps: number | null }[] };
        return o.uplinks.find((u) => u.name === 'domestic')?.in_bps != null ? true : undefined;
      },
      30_000,
    );
  }, 60_000);

  afterAll(async () => {
    await daemon?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('(1) promtool check metrics finds nothing at all in the live exposition', async () => {
    // Wait until every configured probe of every target (the 10 s ones too) has run once, so every probe
    // kind is in the output: each run leaves a netmon_probe_success{target, probe} series.
    const expected = buildTargets(daemon.config()).flatMap((t) => t.probes.map((p) => `${t.name}/${p.kind}`));
    expect(expected.length).toBeGreaterThan(0);
    await waitFor(
      'a result of every configured probe',
      async () => {
        const seen = new Set(
          (await (await fetch(new URL('metrics', daemon.url))).text())
            .split('\n')
            .filter((l) => l.startsWith('netmon_probe_success{'))
            .map((l) => `${/[{,]target="([^"]*)"/.exec(l)?.[1]}/${/[{,]probe="([^"]*)"/.exec(l)?.[1]}`),
        );
        return expected.every((k) => seen.has(k)) || undefined;
      },
      30_000,
    );
    const res = await fetch(new URL('metrics', daemon.url));
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4; charset=utf-8/);
    const body = Buffer.from(await res.arrayBuffer());
    const text = body.toString('utf8');
    expect(text).toMatch(new RegExp(`^netmon_interface_receive_bytes_total\\{[^}]*if_name="${domesticPort.replace(/\//g, '\\/')}"[^}]*target="dc-core"`, 'm'));
    expect(text).toContain('netmon_probe_success{');
    expect(text).toContain('netmon_config_last_reload_successful 1');
    const r = promtoolCheckMetrics(body);
    const problems = [...new Set(r.output.split('\n').filter(Boolean))];
    expect(problems).toEqual([]);
    expect(r.status).toBe(0);
  }, 40_000);

  it('(2) a real Prometheus scrapes netmon; its rate() of the domestic uplink agrees with netmon’s API', async () => {
    const u = new URL(daemon.url);
    const prom = await startPrometheus(u.host);
    try {
      // The scrape works (a parse error would show here as lastError and up == 0).
      await waitFor(
        'a healthy scrape',
        async () => {
          const t = (await (await fetch(`${prom.url}/api/v1/targets`)).json()) as { data: { activeTargets: { health: string; lastError: string }[] } };
          const a = t.data.activeTargets[0];
          if (a?.lastError) throw new Error(`scrape error: ${a.lastError}`);
          return a?.health === 'up' ? true : undefined;
        },
        15_000,
      );
      const WINDOW_S = 30;
      const sel = `netmon_interface_receive_bytes_total{target="dc-core",if_name="${domesticPort}"}`;
      // Wait until Prometheus holds a full window of samples of the port, plus a margin for netmon's store
      // to have committed the same polls.
      await waitFor(
        'a full rate window in Prometheus',
        async () => Number((await promQuery(prom.url, `count_over_time(${sel}[${WINDOW_S + 5}s])`))[0]?.value[1] ?? 0) >= WINDOW_S + 3 || undefined,
        60_000,
        1000,
      );
      const at = Date.now() - 4_000;
      const q = await promQuery(prom.url, `rate(${sel}[${WINDOW_S}s]) * 8`, at);
      expect(q).toHaveLength(1);
      const promBps = Number(q[0]!.value[1]);

      // netmon's own figure for the same window: the bytes the counter grew by in (at - window, at].
      const api = new URL(`api/v1/uplinks/domestic/traffic`, daemon.url);
      api.searchParams.set('from', String(at - WINDOW_S * 1000));
      api.searchParams.set('to', String(at));
      const t = (await (await fetch(api)).json()) as { in: { stats: { volume_bytes: number } | null; series: { mean: number[] } | null } };
      expect(t.in.stats).not.toBeNull();
      const netmonBps = (t.in.stats!.volume_bytes * 8) / WINDOW_S;

      console.info(`domestic in over ${WINDOW_S} s: Prometheus rate()*8 = ${(promBps / 1e6).toFixed(3)} Mbit/s, netmon API = ${(netmonBps / 1e6).toFixed(3)} Mbit/s`);
      expect(promBps).toBeGreaterThan(0);
      // Same counter, same window: they differ only at the window's edges (which poll falls inside it, and
      // Prometheus extrapolates to the edges; one 2 s poll is 1/15 of the window): within 20 %.
      expect(Math.abs(promBps - netmonBps)).toBeLessThanOrEqual(Math.max(0.2 * netmonBps, 50_000));

      // Every query of the shipped Grafana dashboard is valid PromQL (the real Prometheus parses it).
      const dash = JSON.parse(readFileSync(join(ROOT, 'config', 'grafana', 'netmon.json'), 'utf8')) as { panels: { title: string; targets?: { expr: string }[] }[] };
      const exprs = dash.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ title: p.title, expr: t.expr })));
      expect(exprs.length).toBeGreaterThan(10);
      for (const { title, expr } of exprs) {
        const concrete = expr
          .replaceAll('$__rate_interval', '10s')
          .replaceAll('$interface', domesticPort)
          .replaceAll('$optical_target', '.*')
          .replaceAll('$target', 'dc-core');
        await expect(promQuery(prom.url, concrete), `panel "${title}": ${concrete}`).resolves.toBeInstanceOf(Array);
      }
    } catch (err) {
      console.error(`prometheus log:\n${prom.log()}`);
      throw err;
    } finally {
      await prom.stop();
    }
  }, 90_000);
});
