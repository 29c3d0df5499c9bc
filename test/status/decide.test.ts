/** The status decisions, table-driven: signals in, state and reasons out; then the module over real results. */
import { describe, expect, it } from 'vitest';
import { decideSite, decideTarget, snmpVerdict, type Decision, type Signals, type SnmpVerdict } from '../../src/status/decide.js';
import { StatusModule } from '../../src/status/index.js';
import type { Reachability, PingReason } from '../../src/status/reachability.js';
import { loadConfigText } from './helpers.js';
import { ProbeError, type Sample, type Target } from '../../src/types.js';
import type { ProbeResult } from '../../src/scheduler.js';
import { buildTargets } from '../../src/config/model.js';
import { Exporter } from '../../src/exporter.js';
import { Pipeline } from '../../src/pipeline.js';

const NOW = 1_800_000_000_000;
const FRESH = 130_000; // 2 × 60 s + 10 s
const ping = (state: Reachability, reasons: PingReason[] = [], age = 0): Signals['ping'] => ({ verdict: { state, reasons }, at: NOW - age, freshMs: FRESH });
const snmp = (verdict: SnmpVerdict, age = 0): Signals['snmp'] => ({ verdict, at: NOW - age, freshMs: FRESH });

describe('decideTarget', () => {
  const cases: [string, Signals, Decision][] = [
    ['nothing yet', {}, { state: 'unknown', reasons: ['no_data'] }],
    ['ping up, SNMP ok', { ping: ping('up'), snmp: snmp('ok') }, { state: 'up', reasons: [] }],
    ['ping down', { ping: ping('down', ['ping_down']), snmp: snmp('ok') }, { state: 'down', reasons: ['ping_down'] }],
    ['ping down, SNMP silent', { ping: ping('down', ['ping_down']), snmp: snmp('silent') }, { state: 'down', reasons: ['ping_down', 'snmp_silent'] }],
    ['ping up, SNMP silent', { ping: ping('up'), snmp: snmp('silent') }, { state: 'degraded', reasons: ['snmp_silent'] }],
    ['no ping configured, SNMP silent', { snmp: snmp('silent') }, { state: 'down', reasons: ['snmp_silent'] }],
    ['no ping configured, SNMP ok', { snmp: snmp('ok') }, { state: 'up', reasons: [] }],
    ['SNMP auth failure, no ping: misconfigured, never down', { snmp: snmp('auth') }, { state: 'degraded', reasons: ['snmp_auth'] }],
    ['SNMP auth failure, ping up', { ping: ping('up'), snmp: snmp('auth') }, { state: 'degraded', reasons: ['snmp_auth'] }],
    ['SNMP protocol error', { ping: ping('up'), snmp: snmp('error') }, { state: 'degraded', reasons: ['snmp_error'] }],
    ['ping degraded by loss and latency', { ping: ping('degraded', ['loss', 'latency']), snmp: snmp('ok') }, { state: 'degraded', reasons: ['loss', 'latency'] }],
    ['ping degraded, SNMP silent', { ping: ping('degraded', ['loss']), snmp: snmp('silent') }, { state: 'degraded', reasons: ['loss', 'snmp_silent'] }],
    ['ping only, up', { ping: ping('up') }, { state: 'up', reasons: [] }],
    ['ping stale (2 intervals + timeout passed), SNMP silent: decided on SNMP alone', { ping: ping('down', ['ping_down'], FRESH + 1), snmp: snmp('silent') }, { state: 'down', reasons: ['snmp_silent'] }],
    ['ping stale, SNMP ok', { ping: ping('down', ['ping_down'], FRESH + 1), snmp: snmp('ok') }, { state: 'up', reasons: [] }],
    ['everything stale', { ping: ping('up', [], FRESH + 1), snmp: snmp('ok', FRESH + 1) }, { state: 'unknown', reasons: ['no_data'] }],
    ['exactly at the freshness limit', { ping: ping('up', [], FRESH) }, { state: 'up', reasons: [] }],
  ];
  it.each(cases)('%s', (_name, signals, expected) => {
    expect(decideTarget(signals, NOW)).toEqual(expected);
  });
});

describe('decideSite: the worst of its targets', () => {
  const up: Decision = { state: 'up', reasons: [] };
  const unknown: Decision = { state: 'unknown', reasons: ['no_data'] };
  const cases: [string, Decision[], Decision][] = [
    ['no targets', [], unknown],
    ['all unknown', [unknown, unknown], unknown],
    ['unknown targets do not pull a site down', [up, unknown], up],
    ['one degraded', [up, { state: 'degraded', reasons: ['latency'] }], { state: 'degraded', reasons: ['latency'] }],
    ['down beats degraded; reasons of both', [{ state: 'degraded', reasons: ['snmp_auth'] }, { state: 'down', reasons: ['ping_down'] }], { state: 'down', reasons: ['snmp_auth', 'ping_down'] }],
  ];
  it.each(cases)('%s', (_name, targets, expected) => {
    expect(decideSite(targets)).toEqual(expected);
  });
});

describe('snmpVerdict', () => {
  it.each([
    [undefined, 'ok'],
    [new ProbeError('timeout', 'x'), 'silent'],
    [new ProbeError('unreachable', 'x'), 'silent'],
    [new ProbeError('auth', 'x'), 'auth'],
    [new ProbeError('protocol', 'x'), 'error'],
    [new ProbeError('internal', 'x'), 'error'],
  ] as const)('%s → %s', (error, verdict) => {
    expect(snmpVerdict(error)).toBe(verdict);
  });
});

describe('StatusModule over probe results', () => {
  const config = loadConfigText(`
sites:
  - { id: far, name: Far, group: ward }
  - { id: dc, name: DC, group: datacentre }
credentials: { sim: { version: 2c, community: public } }
targets:
  - { name: sw-far, address: 127.0.0.2, site: far, role: fibre, labels: { building: A }, snmp: { credential: sim }, ping: {} }
  - { name: srv, address: 127.0.0.3, site: dc, role: server, snmp: { credential: sim } }
`);
  const T = new Map(buildTargets(config).map((t) => [t.name, t]));
  let clock = NOW;
  const run = (status: StatusModule, t: Target, kind: 'ping' | 'snmp', samples: Omit<Sample, 'ts' | 'type'>[], error?: ProbeError): Sample[] => {
    clock += 20_000; // ping and SNMP both run every 60 s: interleaved, neither goes stale
    const res: ProbeResult = { target: t, kind, spec: t.probes.find((p) => p.kind === kind)!, samples: samples.map((s) => ({ ...s, ts: clock, type: 'gauge' })), error, scheduledAt: clock, startedAt: clock, durationMs: 10 };
    return status.derive(res);
  };
  const cycle = (loss: number, medianS?: number) => [
    { metric: 'netmon_ping_loss_ratio', labels: { method: 'udp' }, value: loss },
    ...(medianS === undefined ? [] : [{ metric: 'netmon_ping_rtt_median_seconds', labels: { method: 'udp' }, value: medianS }]),
  ];
  const value = (ss: Sample[], metric: string) => ss.find((s) => s.metric === metric)?.value;
  const reasons = (ss: Sample[], metric: string) => ss.filter((s) => s.metric === metric).map((s) => s.labels.reason);

  it('emits target, site and ping states with full labels, from one decision', () => {
    const status = new StatusModule(() => config);
    const far = T.get('sw-far')!;
    const s = run(status, far, 'ping', cycle(0, 0.004));
    expect(s.find((x) => x.metric === 'netmon_target_state')).toMatchObject({ value: 2, labels: { target: 'sw-far', site: 'far', site_group: 'ward', building: 'A' }, ts: clock + 10 });
    expect(s.find((x) => x.metric === 'netmon_site_state')).toMatchObject({ value: 2, labels: { site: 'far', site_group: 'ward' } });
    expect(s.find((x) => x.metric === 'netmon_ping_reachability_state')).toMatchObject({ value: 2, labels: { target: 'sw-far', method: 'udp' } });
    expect(reasons(s, 'netmon_target_state_reason_info')).toEqual([]);
    // SNMP answering, then silent twice (hysteresis) with ping up: degraded, never down
    expect(value(run(status, far, 'snmp', []), 'netmon_target_state')).toBe(2);
    expect(value(run(status, far, 'snmp', [], new ProbeError('timeout', 'no answer')), 'netmon_target_state')).toBe(2);
    const d = run(status, far, 'snmp', [], new ProbeError('timeout', 'no answer'));
    expect(value(d, 'netmon_target_state')).toBe(1);
    expect(reasons(d, 'netmon_target_state_reason_info')).toEqual(['snmp_silent']);
    expect(reasons(d, 'netmon_site_state_reason_info')).toEqual(['snmp_silent']);
    expect(status.site('far', clock + 10)).toMatchObject({ state: 'degraded', reasons: ['snmp_silent'] });
    // the ping result now carries the same decision
    expect(value(run(status, far, 'ping', cycle(0, 0.004)), 'netmon_target_state')).toBe(1);
  });

  it("two results of one site's targets finishing in the same millisecond give the site's series distinct times", () => {
    const config2 = loadConfigText(`
sites: [{ id: dc, name: DC, group: datacentre }]
credentials: { sim: { version: 2c, community: public } }
targets:
  - { name: a, address: 127.0.0.2, site: dc, role: server, snmp: { credential: sim } }
  - { name: b, address: 127.0.0.3, site: dc, role: server, snmp: { credential: sim } }
`);
    const [a, b] = buildTargets(config2);
    const status = new StatusModule(() => config2);
    const at = (t: Target, ts: number) => {
      const res: ProbeResult = { target: t, kind: 'snmp', spec: t.probes[0]!, samples: [], scheduledAt: ts, startedAt: ts, durationMs: 0 };
      return status.derive(res).filter((x) => x.metric === 'netmon_site_state').map((x) => x.ts);
    };
    const t0 = NOW + 1000;
    expect(at(a!, t0)).toEqual([t0]);
    expect(at(b!, t0)).toEqual([t0 + 1]); // the same millisecond: one later, not a second value at t0
    expect(at(a!, t0 - 5)).toEqual([t0 + 2]); // published out of order: still after the last
    expect(at(b!, t0 + 500)).toEqual([t0 + 500]);
  });

  it('SNMP-only target: silent → down, auth failure → degraded; stale → unknown without a state sample', () => {
    const status = new StatusModule(() => config);
    const srv = T.get('srv')!;
    expect(value(run(status, srv, 'snmp', [], new ProbeError('timeout', 'x')), 'netmon_target_state')).toBe(0);
    run(status, srv, 'snmp', [], new ProbeError('auth', 'wrong key'));
    const a = run(status, srv, 'snmp', [], new ProbeError('auth', 'wrong key'));
    expect(value(a, 'netmon_target_state')).toBe(1);
    expect(reasons(a, 'netmon_target_state_reason_info')).toEqual(['snmp_auth']);
    expect(status.target('srv', clock + 10 + 2 * 60_000 + 2_000 + 1)).toMatchObject({ state: 'unknown', reasons: ['no_data'] });
    expect(status.site('dc', clock + 10 + 2 * 60_000 + 2_000 + 1)).toMatchObject({ state: 'unknown', reasons: ['no_data'] });
  });

  it('a ping probe that cannot run says nothing; one whose echoes cannot be sent (no route) says down', () => {
    const status = new StatusModule(() => config);
    const far = T.get('sw-far')!;
    const s = run(status, far, 'ping', [], new ProbeError('internal', 'fping crashed'));
    expect(value(s, 'netmon_target_state')).toBeUndefined();
    expect(reasons(s, 'netmon_target_state_reason_info')).toEqual(['no_data']);
    expect(value(run(status, far, 'ping', [], new ProbeError('unreachable', 'fping: No route to host')), 'netmon_target_state')).toBe(0);
  });
});

describe('the exposition of the states', () => {
  it('is current after failed polls too: an SNMP-only target whose agent falls silent shows 0, and a cleared reason goes at once', async () => {
    const config = loadConfigText(`
sites: [{ id: dc, name: DC, group: datacentre }]
credentials: { sim: { version: 2c, community: public } }
targets: [{ name: srv, address: 127.0.0.3, site: dc, role: server, snmp: { credential: sim } }]
`);
    const t = buildTargets(config)[0]!;
    let clock = Date.now();
    const exporter = new Exporter({ now: () => clock });
    const status = new StatusModule(() => config);
    const p = new Pipeline();
    p.derive(status.derive);
    p.subscribe('exporter', (r) => exporter.accept(r));
    const poll = (error?: ProbeError) => {
      clock += 60_000;
      p.publish({ target: t, kind: 'snmp', spec: t.probes[0]!, samples: [], error, scheduledAt: clock, startedAt: clock, durationMs: 5 });
    };
    const exposed = async () => (await exporter.render()).toString().split('\n').filter((l: string) => l.startsWith("netmon_target_state") || l.startsWith("netmon_site_state"));
    poll();
    expect(await exposed()).toEqual(expect.arrayContaining(['netmon_target_state{site="dc",site_group="datacentre",target="srv"} 2', 'netmon_site_state{site="dc",site_group="datacentre"} 2']));
    poll(new ProbeError('timeout', 'x'));
    poll(new ProbeError('timeout', 'x'));
    expect(await exposed()).toEqual(expect.arrayContaining([
      'netmon_target_state{site="dc",site_group="datacentre",target="srv"} 0',
      'netmon_target_state_reason_info{reason="snmp_silent",site="dc",site_group="datacentre",target="srv"} 1',
      'netmon_site_state_reason_info{reason="snmp_silent",site="dc",site_group="datacentre"} 1',
    ]));
    poll();
    poll();
    const back = await exposed();
    expect(back).toContain('netmon_target_state{site="dc",site_group="datacentre",target="srv"} 2');
    expect(back.filter((l: string) => l.includes('reason='))).toEqual([]);
  });
});
