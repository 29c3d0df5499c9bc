/**
 * Issue 15: "is this site up?" has one answer. The simulator's flapping site is driven through a fibre cut
 * and back, polled by the real SNMP probe and the real ping probe (UDP echo to the simulated site, real
 * packets), every result published through a real Pipeline into the status module, live state, exporter,
 * store and alert engine; at every step the tile (the site summary the dashboard renders), /api/v1/sites,
 * /api/v1/sites/ID, the overview counts, /api/v1/problems, /metrics and the alert must say the same thing.
 *
 * The alert is a `threshold` rule on netmon_target_state < 0.5: what CONTRACT.md says `site_unreachable`
 * becomes (fires exactly when netmon_target_state is 0). The simulator's clock is injected only to choose
 * when the fibre is cut; probes, results and the API run on real time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPingProbe } from '../../probes/icmp/index.js';
import { createSnmpProbe } from '../../probes/snmp/index.js';
import { Alerting } from '../../src/alerts/index.js';
import { loadConfig } from '../../src/config/loader.js';
import { buildTargets, type LoadedConfig } from '../../src/config/model.js';
import { alerting as alertingSchema } from '../../src/config/schema.js';
import { siteSummaries } from '../../src/domain/sites.js';
import { Exporter } from '../../src/exporter.js';
import { createApp } from '../../src/http/app.js';
import { LiveState } from '../../src/live.js';
import { Pipeline } from '../../src/pipeline.js';
import { Scheduler, type ProbeResult } from '../../src/scheduler.js';
import type { ProbeSet } from '../../probes/registry.js';
import { probeSet } from '../kit/specs.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { StatusModule } from '../../src/status/index.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import type { Target } from '../../src/types.js';
import { makeRefnetConfig } from '../kit/refnet.js';
import type { SnmpSpec } from '../../probes/snmp/kind.js';

const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

let simClock = Date.UTC(2024, 9, 15, 1, 0, 0);
let config: LoadedConfig;
let sim: Simulator;
let url: string;
let status: StatusModule;
let live: LiveState;
let alerting: Alerting;
let target: Target;
let publish: (r: ProbeResult) => void;
const probes: Partial<ProbeSet> = {};

beforeAll(async () => {
  // Each copy of the reference network takes its own 127.N block; another test file may hold the same ports.
  for (let attempt = 0; !sim; attempt++) {
    const refnet = makeRefnetConfig();
    cleanups.push(() => refnet.cleanup());
    config = loadConfig(refnet.file);
    try {
      sim = await startSimulator(config, { now: () => simClock });
    } catch (e) {
      if (attempt >= 3 || !/EADDRINUSE/.test(String(e))) throw e;
    }
  }
  cleanups.push(() => sim.close());
  const flap = sim.scenarios.flapping!;
  const t = buildTargets(config).find((x) => x.name === flap.target)!;
  // Quick cycles: a silent agent costs 300 ms, a ping burst ~0.4 s. Freshness (2 intervals + timeout) stays
  // well above a test step.
  const snmpSpec = t.probes.find((p): p is SnmpSpec => p.kind === 'snmp')!;
  target = {
    ...t,
    probes: [
      { ...snmpSpec, timeoutMs: 300, options: { ...snmpSpec.options, retries: 0 } },
      { kind: 'ping', intervalMs: 5000, timeoutMs: 200, options: { count: 3 } },
    ],
  };
  probes.snmp = createSnmpProbe();
  probes.ping = createPingProbe({ udpEcho: (x) => sim.echoPort(x.address), spread: 0.05 });
  cleanups.push(() => probes.snmp?.close?.());

  const dir = mkdtempSync(join(tmpdir(), 'netmon-flap-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const store: Store = openStore(join(dir, 'netmon.db'), { jobs: false });
  cleanups.push(() => store.close());
  live = new LiveState();
  status = new StatusModule(() => config);
  const exporter = new Exporter();
  alerting = new Alerting({
    config: { ...config, alerting: alertingSchema.parse({ rules: [{ name: 'TargetDown', kind: 'site_unreachable', severity: 'critical' }] }) },
    dbPath: join(dir, 'alerts.db'),
    tickMs: 0,
  });
  cleanups.push(() => alerting.close());
  const pipeline = new Pipeline((name, err) => {
    throw new Error(`consumer ${name} failed: ${String(err)}`);
  });
  pipeline.derive(status.derive);
  pipeline.subscribe('store', (r) => store.write(r.samples));
  pipeline.subscribe('exporter', (r) => exporter.accept(r));
  pipeline.subscribe('live', (r) => live.accept(r));
  pipeline.subscribe('alerts', (r) => alerting.accept(r));
  publish = (r) => pipeline.publish(r);

  const app = createApp({ config: () => config, store: () => store, live, status, version: 'test', exporter, alerting, alerts: alerting, ready: () => true, log: (err) => console.error(err) });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  cleanups.push(() => new Promise<void>((r) => {
    server.closeAllConnections();
    server.close(() => r());
  }));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}, 60_000);

/** One poll of each probe of the flapping target, through the real scheduler (run once) to the pipeline. */
async function step(): Promise<void> {
  const scheduler = new Scheduler(probeSet(probes), { maxConcurrency: 4, onResult: publish });
  scheduler.setTargets([target]);
  await scheduler.runOnce(target.name);
}

const get = async (path: string): Promise<any> => {
  const res = await fetch(`${url}${path}`);
  expect(res.status, path).toBe(200);
  return path === '/metrics' ? res.text() : res.json();
};

const VALUE = { down: 0, degraded: 1, up: 2 } as const;

/** Everything that says whether the site is up, read once. */
async function views(site: string) {
  const tile = siteSummaries(config, live, status).find((s) => s.id === site)!;
  const [sites, detail, overview, problems, metrics] = await Promise.all([get('/api/v1/sites'), get(`/api/v1/sites/${site}`), get('/api/v1/overview'), get('/api/v1/problems'), get('/metrics')]);
  const lines = (metrics as string).split('\n');
  const line = lines.find((l) => l.startsWith('netmon_target_state{') && l.includes(`target="${target.name}"`));
  const metricReasons = (prefix: string, match: string) => lines.filter((l) => l.startsWith(`${prefix}{`) && l.includes(match)).map((l) => /reason="([^"]+)"/.exec(l)![1]).sort().join('+');
  const firing = alerting.alerts().filter((a) => a.state === 'firing' && a.labels.target === target.name).map((a) => a.alertname);
  const mine = (problems.problems as any[]).filter((p) => p.site === site);
  return {
    tile: `${tile.state}:${tile.reasons.join('+')}`,
    sites: ((s) => `${s.state}:${s.reasons.join('+')}`)((sites.sites as any[]).find((s) => s.id === site)),
    detail: `${detail.state}:${detail.reasons.join('+')}`,
    target: `${detail.targets.find((x: any) => x.name === target.name).state}`,
    overviewDown: overview.sites.down as number,
    metric: line ? Number(line.split(' ').at(-1)) : null,
    metricReasons: metricReasons('netmon_target_state_reason_info', `target="${target.name}"`),
    siteMetricReasons: metricReasons('netmon_site_state_reason_info', `site="${site}"`),
    alert: firing,
    problems: mine.map((p) => (p.source === 'alert' ? `alert:${p.alert.alertname}` : p.kind)).sort(),
  };
}

/** Poll until every view agrees with the tile (deadline 5 s); return them. */
async function agreed(site: string) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const v = await views(site);
    const state = v.tile.split(':')[0] as keyof typeof VALUE;
    const expected = {
      tile: v.tile,
      sites: v.tile,
      detail: v.tile,
      target: state,
      overviewDown: state === 'down' ? 1 : 0,
      metric: VALUE[state],
      metricReasons: v.tile.split(':')[1]!.split('+').filter(Boolean).sort().join('+'), // the site has this one target
      siteMetricReasons: v.tile.split(':')[1]!.split('+').filter(Boolean).sort().join('+'),
      alert: state === 'down' ? ['TargetDown'] : [],
      // A down site is the SiteUnreachable alert itself (the rule watches it, so no threshold twin).
      problems: state === 'down' ? ['alert:TargetDown'] : state === 'degraded' ? ['site_degraded'] : [],
    };
    if (JSON.stringify(v) === JSON.stringify(expected) || Date.now() > deadline) {
      expect(v).toEqual(expected);
      return v;
    }
  }
}

describe('the flapping site through a fibre cut', () => {
  it('tile, /sites, /sites/ID, overview, /problems, /metrics and the alert agree at every step, with hysteresis', async () => {
    const flap = sim.scenarios.flapping!;
    const link = sim.state(flap.target)!;
    const seen: string[] = [];
    const run = async (n: number) => {
      for (let i = 0; i < n; i++) {
        await step();
        seen.push((await agreed(flap.site)).tile);
      }
    };

    while (link.linkDown(simClock)) simClock += 10_000;
    await run(2);
    while (!link.linkDown(simClock)) simClock += 10_000;
    simClock += 10_000; // inside the cut, which lasts 150 simulated seconds
    await run(3);
    while (link.linkDown(simClock)) simClock += 10_000;
    await run(2);
    // The agent stops answering while the site still answers ping (here: a community it drops): degraded, not down.
    const right = target;
    const snmpSpec = right.probes.find((p): p is SnmpSpec => p.kind === 'snmp')!;
    const wrong: SnmpSpec = { ...snmpSpec, options: { ...snmpSpec.options, credential: { version: '2c', community: 'not-the-community' } } };
    target = { ...right, probes: right.probes.map((p) => (p === snmpSpec ? wrong : p)) };
    await run(2);
    target = right;
    await run(2);

    expect(seen).toEqual([
      'up:', 'up:', // answering
      'up:', // cut: one silent cycle of each probe is not enough (hysteresis)
      'down:ping_down+snmp_silent', 'down:ping_down+snmp_silent',
      'down:ping_down+snmp_silent', // back: one good cycle is not enough either
      'up:',
      'up:', 'degraded:snmp_silent', // SNMP silent twice while ping answers
      'degraded:snmp_silent', 'up:',
    ]);
    // The ping was real UDP echo to the simulated site, not ICMP to the loopback.
    expect(live.find('netmon_ping_loss_ratio', { target: target.name })[0]?.labels.method).toBe('udp');
  }, 60_000);
});
