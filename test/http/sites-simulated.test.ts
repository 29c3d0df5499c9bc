/**
 * Site state on the simulated network. A simulated device's ping goes to a loopback address that netmon's
 * own machine answers, so it proves nothing about the simulated site: when the simulator cuts the flapping
 * site's fibre (its agent goes silent), the site is down, not "degraded because ping still answers".
 * On a real network, ping answering while SNMP is silent stays degraded.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSnmpProbe } from '../../probes/snmp/index.js';
import { loadConfig } from '../../src/config/loader.js';
import { buildTargets, type LoadedConfig } from '../../src/config/model.js';
import { siteSummaries } from '../../src/http/sites.js';
import { LiveState } from '../../src/live.js';
import { Pipeline } from '../../src/pipeline.js';
import type { ProbeResult } from '../../src/scheduler.js';
import { startSimulator } from '../../src/simulator/index.js';
import { ProbeError, type ProbeKindName, type Sample, type Target } from '../../src/types.js';
import type { SnmpSpec } from '../../probes/snmp/kind.js';
import { makeRefnetConfig } from '../kit/refnet.js';
import { CONFIG } from './api-fixture.js';

const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

function fixtureConfig(simulated: boolean): LoadedConfig {
  const dir = mkdtempSync(join(tmpdir(), 'netmon-sites-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'netmon.yaml'), CONFIG.replace('simulate: { enabled: false }', `simulate: { enabled: ${simulated} }`));
  return loadConfig(join(dir, 'netmon.yaml'));
}

/** Feed a probe result through the pipeline (which adds netmon_probe_success) into a LiveState. */
function feed(live: LiveState, t: Target, kind: ProbeKindName, ts: number, samples: Omit<Sample, 'ts' | 'type'>[], error?: ProbeError): void {
  const p = new Pipeline();
  p.subscribe('live', (r) => live.accept(r));
  const spec = t.probes.find((x) => x.kind === kind)!;
  p.publish({ target: t, kind, spec, samples: samples.map((s) => ({ ...s, ts, type: 'gauge' as const })), error, scheduledAt: ts, startedAt: ts, durationMs: 0 });
}
const pingUp = (t: string) => [
  { metric: 'netmon_ping_reachability_state', labels: { target: t, method: 'fping' }, value: 2 },
  { metric: 'netmon_ping_loss_ratio', labels: { target: t, method: 'fping' }, value: 0 },
  { metric: 'netmon_ping_rtt_median_seconds', labels: { target: t, method: 'fping' }, value: 0.00005 },
];

describe('site state when ping answers and SNMP does not', () => {
  const state = (simulated: boolean, error: ProbeError) => {
    const config = fixtureConfig(simulated);
    const t = buildTargets(config).find((x) => x.name === 'sw-vy-da')!;
    const live = new LiveState();
    const now = Date.now();
    feed(live, t, 'ping', now, pingUp(t.name));
    feed(live, t, 'snmp', now, [], error);
    const s = siteSummaries(config, live, now).find((x) => x.id === 'phuong-vy-da')!;
    return `${s.state}:${s.reasons.join('+')}`;
  };

  it('a real network: degraded (the device answers ping; its agent does not)', () => {
    expect(state(false, new ProbeError('timeout', 'no answer'))).toBe('degraded:snmp_failed');
  });
  it('a simulated device whose agent is silent: down (its ping is the loopback)', () => {
    expect(state(true, new ProbeError('timeout', 'no answer'))).toBe('down:snmp_failed');
  });
  it('a simulated device that answers with an error (wrong credential): degraded, it is there', () => {
    expect(state(true, new ProbeError('auth', 'wrong community'))).toBe('degraded:snmp_failed');
  });
});

describe('the simulator’s flapping site', () => {
  it('is down while its fibre is cut and up again after, deterministically (injected clock, real SNMP over UDP)', async () => {
    let clock = Date.UTC(2024, 9, 15, 1, 0, 0);
    // Each copy of the reference network takes a random 127.N block; another test file may hold the same one.
    let config: LoadedConfig | undefined;
    let sim: Awaited<ReturnType<typeof startSimulator>> | undefined;
    for (let attempt = 0; !sim; attempt++) {
      const refnet = makeRefnetConfig();
      cleanups.push(() => refnet.cleanup());
      config = loadConfig(refnet.file);
      config.defaults.snmp.timeout = 300; // a silent agent costs 300 ms, not 2 s × 2
      config.defaults.snmp.retries = 0;
      try {
        sim = await startSimulator(config, { now: () => clock });
      } catch (e) {
        if (attempt >= 3 || !/EADDRINUSE/.test(String(e))) throw e;
      }
    }
    cleanups.push(() => sim!.close());
    const probe = createSnmpProbe({ now: () => clock });
    cleanups.push(() => probe.close?.());
    const flap = sim.scenarios.flapping!;
    const t = buildTargets(config!).find((x) => x.name === flap.target)!;
    const st = sim.state(flap.target)!;
    const live = new LiveState();

    const poll = async () => {
      const spec = t.probes.find((p): p is SnmpSpec => p.kind === 'snmp')!;
      let samples: Sample[] = [];
      let error: ProbeError | undefined;
      try {
        samples = await probe.run(t, spec, AbortSignal.timeout(5000));
      } catch (e) {
        error = e instanceof ProbeError ? e : new ProbeError('internal', String(e));
      }
      const p = new Pipeline();
      p.subscribe('live', (r: ProbeResult) => live.accept(r));
      p.publish({ target: t, kind: 'snmp', spec, samples, error, scheduledAt: clock, startedAt: clock, durationMs: 0 });
      feed(live, t, 'ping', clock, pingUp(t.name)); // loopback: ping always answers
      const s = siteSummaries(config!, live, clock).find((x) => x.id === flap.site)!;
      return { state: s.state, reasons: s.reasons, error: error?.reason ?? null };
    };

    while (st.linkDown(clock)) clock += 10_000;
    expect(await poll()).toEqual({ state: 'up', reasons: [], error: null });
    while (!st.linkDown(clock)) clock += 10_000;
    clock += 10_000;
    expect(await poll()).toEqual({ state: 'down', reasons: ['snmp_failed'], error: 'timeout' });
    while (st.linkDown(clock)) clock += 10_000;
    clock += 10_000;
    expect(await poll()).toEqual({ state: 'up', reasons: [], error: null });
  }, 60_000);
});
