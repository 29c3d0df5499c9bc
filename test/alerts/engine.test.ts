/** Rules and the state machine on synthetic probe results: pending/for, hysteresis, keep_firing_for, staleness, restart. */
import { afterEach, describe, expect, it } from 'vitest';
import { Alerting } from '../../src/alerts/index.js';
import { renderTemplate } from '../../src/alerts/template.js';
import { configWith, ProbeError, result, target, tempDir } from './helpers.js';

const T0 = Date.UTC(2024, 9, 15, 1, 0, 0);
const MIN = 60_000;
let clock = T0;
const open: { a: Alerting; cleanup?: () => void }[] = [];

function make(alerting: unknown, dir = tempDir()) {
  const a = new Alerting({ config: configWith(alerting, dir.dir), now: () => clock, tickMs: 0 });
  open.push({ a, cleanup: dir.cleanup });
  return { a, dir };
}

afterEach(async () => {
  for (const { a, cleanup } of open.splice(0)) {
    await a.close();
    cleanup?.();
  }
  clock = T0;
});

const core = target('dc-core', 'ttdl');
const util = (v: number, direction = 'in') => ({ metric: 'netmon_uplink_utilization_ratio', labels: { uplink: 'international', direction }, value: v });
const events = (a: Alerting, rule?: string) =>
  a
    .history({ rule, limit: 1000 })
    .reverse()
    .map((e) => e.event);

describe('state machine', () => {
  it('goes pending, fires after `for`, and with a clear threshold does not flap at the threshold', () => {
    const { a } = make({ rules: [{ name: 'UplinkSaturated', kind: 'uplink_utilization', above: 0.9, clear_below: 0.8, for: '5m', severity: 'critical' }] });
    const feed = (v: number) => {
      a.accept(result(core, 'snmp', clock, [util(v)]));
      clock += MIN;
    };
    feed(0.95);
    expect(a.alerts()[0]).toMatchObject({ state: 'pending', alertname: 'UplinkSaturated', severity: 'critical' });
    for (let i = 0; i < 4; i++) feed(0.93);
    expect(a.alerts()[0]!.state).toBe('pending');
    feed(0.94); // 5 minutes after the first
    expect(a.alerts()[0]!.state).toBe('firing');
    expect(a.alerts()[0]!.labels).toMatchObject({ uplink: 'international', direction: 'in', target: 'dc-core', site: 'ttdl' });
    expect(a.alerts()[0]!.annotations.summary).toBe('Uplink Internet quốc tế 2 Mbps (in) at 94% of its capacity (threshold 90%)');
    // hovering around the firing threshold, above the clear threshold: keeps firing
    for (const v of [0.89, 0.91, 0.85, 0.9, 0.82, 0.95]) feed(v);
    expect(a.alerts()[0]!.state).toBe('firing');
    feed(0.79);
    expect(a.alerts()).toEqual([]);
    expect(events(a)).toEqual(['pending', 'firing', 'resolved']);
  });

  it('a pending alert whose condition clears goes back to inactive', () => {
    const { a } = make({ rules: [{ name: 'U', kind: 'uplink_utilization', above: 0.9, for: '5m' }] });
    a.accept(result(core, 'snmp', clock, [util(0.95)]));
    clock += MIN;
    a.accept(result(core, 'snmp', clock, [util(0.5)]));
    expect(a.alerts()).toEqual([]);
    expect(events(a)).toEqual(['pending', 'inactive']);
  });

  it('`for: 1m` with a 60 s interval fires on the second bad sample even if it comes a little early', () => {
    const { a } = make({ rules: [{ name: 'U', kind: 'uplink_utilization', above: 0.9, for: '1m' }] });
    a.accept(result(core, 'snmp', clock, [util(0.95)]));
    clock += MIN - 300;
    a.accept(result(core, 'snmp', clock, [util(0.95)]));
    expect(a.alerts()[0]!.state).toBe('firing');
  });

  it('keep_firing_for holds a firing alert through short clears, by sample and by tick', () => {
    const { a } = make({ rules: [{ name: 'U', kind: 'uplink_utilization', above: 0.9, keep_firing_for: '10m' }] });
    a.accept(result(core, 'snmp', clock, [util(0.95)]));
    expect(a.alerts()[0]!.state).toBe('firing');
    clock += 3 * MIN;
    a.accept(result(core, 'snmp', clock, [util(0.5)]));
    clock += 3 * MIN;
    a.accept(result(core, 'snmp', clock, [util(0.95)])); // back before keep_firing_for ran out
    clock += 5 * MIN;
    a.accept(result(core, 'snmp', clock, [util(0.5)]));
    a.tick();
    expect(a.alerts()[0]!.state).toBe('firing');
    clock += 5 * MIN + 1; // 10 min after the last bad sample, no new sample: the tick resolves it
    a.tick();
    expect(a.alerts()).toEqual([]);
    expect(events(a)).toEqual(['firing', 'resolved']);
  });

  it('resolves an alert whose series stopped arriving (stale), and one whose rule was removed', () => {
    const { a, dir } = make({ rules: [{ name: 'U', kind: 'uplink_utilization', above: 0.9 }] });
    a.accept(result(core, 'snmp', clock, [util(0.95), util(0.97, 'out')]));
    expect(a.alerts()).toHaveLength(2);
    clock += 3 * MIN + 2001;
    a.accept(result(core, 'snmp', clock, [util(0.97, 'out')]));
    a.tick();
    expect(a.alerts().map((x) => x.labels.direction)).toEqual(['out']);
    a.reconfigure(configWith({ rules: [] }, dir.dir));
    expect(events(a, 'U').slice(-1)).toEqual(['resolved']);
    expect(a.alerts()).toEqual([]);
  });

  it('survives a restart: state and history come back, nothing restarts', async () => {
    const dir = tempDir();
    const rules = { rules: [{ name: 'U', kind: 'uplink_utilization', above: 0.9, for: '2m' }] };
    const first = new Alerting({ config: configWith(rules, dir.dir), now: () => clock, tickMs: 0 });
    first.accept(result(core, 'snmp', clock, [util(0.95)]));
    clock += 2 * MIN;
    first.accept(result(core, 'snmp', clock, [util(0.96)]));
    const before = first.alerts()[0]!;
    expect(before.state).toBe('firing');
    await first.close();
    clock += 5 * MIN; // down for 5 minutes: longer than the series' stale period, which must not count
    const { a } = make(rules, dir);
    a.tick();
    expect(a.alerts()[0]).toMatchObject({ state: 'firing', starts_at: before.starts_at, fingerprint: before.fingerprint });
    clock += MIN;
    a.accept(result(core, 'snmp', clock, [util(0.97)]));
    expect(a.alerts()[0]).toMatchObject({ state: 'firing', starts_at: before.starts_at });
    expect(events(a)).toEqual(['pending', 'firing']);
  });
});

describe('rule kinds', () => {
  it('interface down while admin up, with label matchers', () => {
    const { a } = make({ rules: [{ name: 'IfDown', kind: 'interface_down', match: { if_alias: '.+' } }] });
    const t = target('sw-a');
    const port = (idx: string, alias: string, oper: number, admin: number) => [
      { metric: 'netmon_interface_oper_up', labels: { target: 'sw-a', site: 'so-noi-vu', if_index: idx, if_name: `Gi0/${idx}`, if_alias: alias }, value: oper },
      { metric: 'netmon_interface_admin_up', labels: { target: 'sw-a', site: 'so-noi-vu', if_index: idx, if_name: `Gi0/${idx}`, if_alias: alias }, value: admin },
    ];
    a.accept(result(t, 'snmp', clock, [...port('1', 'Uplink to DC', 0, 1), ...port('2', 'Shut', 0, 0), ...port('4', '', 0, 1)]));
    expect(a.alerts().map((x) => x.labels.if_name)).toEqual(['Gi0/1']);
    expect(a.alerts()[0]!.labels.if_alias).toBeUndefined(); // descriptive labels stay out of the identity
    expect(a.alerts()[0]!.annotations.summary).toBe('Interface Gi0/1 on sw-a is down while administratively up');
  });

  it('site unreachable: SNMP timeouts or ping down (via any), not auth failures', () => {
    const { a } = make({ rules: [{ name: 'SiteDown', kind: 'site_unreachable' }, { name: 'SiteDownAll', kind: 'site_unreachable', via: 'all' }] });
    const t = target('sw-so-noi-vu');
    const ping = (state: number) => result(t, 'ping', clock, [{ metric: 'netmon_ping_reachability_state', labels: { target: t.name, method: 'fping' }, value: state }]);
    const snmp = (err?: ProbeError) => result(t, 'snmp', clock, [], err);
    a.accept(ping(2));
    a.accept(snmp(new ProbeError('auth', 'wrong community')));
    expect(a.alerts()).toEqual([]);
    a.accept(snmp(new ProbeError('timeout', 'no answer')));
    expect(a.alerts().map((x) => x.alertname)).toEqual(['SiteDown']);
    expect(a.alerts()[0]!.annotations.summary).toBe('Site Sở Nội vụ (sw-so-noi-vu) is unreachable');
    a.accept(ping(0));
    expect(a.alerts().map((x) => x.alertname).sort()).toEqual(['SiteDown', 'SiteDownAll']);
    a.accept(snmp());
    a.accept(ping(2));
    expect(a.alerts()).toEqual([]);
  });

  it('optical Rx below the transceiver threshold (else a fixed one), with hysteresis', () => {
    const { a } = make({ rules: [{ name: 'RxLow', kind: 'optical_rx_low', device_threshold: 'low_alarm', below_dbm: -25, hysteresis_db: 1 }] });
    const t = target('sw-b');
    const l = (idx: string) => ({ target: 'sw-b', site: 'so-noi-vu', if_index: idx, if_name: `Te${idx}` });
    const feed = (rx1: number, rx2: number) =>
      a.accept(
        result(t, 'snmp', clock, [
          { metric: 'netmon_optical_rx_power_dbm', labels: l('1'), value: rx1 },
          { metric: 'netmon_optical_rx_power_low_alarm_dbm', labels: l('1'), value: -20 },
          { metric: 'netmon_optical_rx_power_dbm', labels: l('2'), value: rx2 }, // no thresholds reported
        ]),
      );
    feed(-21, -24);
    expect(a.alerts().map((x) => [x.labels.if_index, x.annotations.summary])).toEqual([['1', 'Fibre Rx power on sw-b Te1 (Sở Nội vụ) is -21 dBm, below -20 dBm']]);
    feed(-19.5, -26);
    expect(a.alerts().map((x) => x.labels.if_index).sort()).toEqual(['1', '2']);
    feed(-18.9, -24.5);
    expect(a.alerts().map((x) => x.labels.if_index)).toEqual(['2']);
  });

  it('optical Rx fallen below its own baseline', () => {
    const { a } = make({ rules: [{ name: 'RxDrop', kind: 'optical_rx_drop', drop_db: 3, baseline_window: '7d' }] });
    const t = target('sw-c');
    for (let day = 0; day <= 5; day += 0.25) {
      a.accept(result(t, 'snmp', clock, [{ metric: 'netmon_optical_rx_power_dbm', labels: { target: 'sw-c', site: 'so-noi-vu', if_index: '1', if_name: 'Gi0/1' }, value: -8 - day }]));
      const firing = a.alerts().length > 0;
      expect(firing).toBe(day >= 3);
      clock += 6 * 3600_000;
    }
    expect(a.alerts()[0]!.annotations.summary).toMatch(/fell 5 dB below its baseline of -8 dBm: -13 dBm/);
  });

  it('server CPU, memory and disk from the SNMP profiles and the host probe', () => {
    const { a } = make({
      rules: [
        { name: 'Cpu', kind: 'host_cpu', above: 0.9 },
        { name: 'Mem', kind: 'host_memory', above: 0.9 },
        { name: 'Disk', kind: 'host_disk', above: 0.85 },
      ],
    });
    const srv = target('srv-db', 'ttdl', { service: 'portal' });
    const base = { target: 'srv-db', site: 'ttdl' };
    a.accept(
      result(srv, 'snmp', clock, [
        { metric: 'netmon_host_cpu_load_ratio', labels: { ...base, cpu: '1' }, value: 0.99 },
        { metric: 'netmon_host_cpu_load_ratio', labels: { ...base, cpu: '2' }, value: 0.95 },
        { metric: 'netmon_host_memory_total_bytes', labels: base, value: 100 },
        { metric: 'netmon_host_memory_available_bytes', labels: base, value: 20 },
        { metric: 'netmon_host_storage_size_bytes', labels: { ...base, storage_index: '31', storage: '/var', storage_type: 'fixed_disk' }, value: 1000 },
        { metric: 'netmon_host_storage_used_bytes', labels: { ...base, storage_index: '31', storage: '/var', storage_type: 'fixed_disk' }, value: 900 },
        { metric: 'netmon_host_storage_size_bytes', labels: { ...base, storage_index: '1', storage: 'Physical memory', storage_type: 'ram' }, value: 1000 },
        { metric: 'netmon_host_storage_used_bytes', labels: { ...base, storage_index: '1', storage: 'Physical memory', storage_type: 'ram' }, value: 999 },
      ]),
    );
    const got = Object.fromEntries(a.alerts().map((x) => [x.alertname, x.annotations.summary]));
    expect(got).toEqual({ Cpu: 'CPU of srv-db is 97% busy', Disk: 'Disk /var of srv-db is 90% full' });
    expect(a.alerts().find((x) => x.alertname === 'Cpu')!.labels.service).toBe('portal');
  });

  it('probe failing and SNMP agent restarted', () => {
    const { a } = make({ rules: [{ name: 'ProbeFail', kind: 'probe_failing', probes: ['snmp'] }, { name: 'Restarted', kind: 'agent_restarted', window: '15m', severity: 'info' }] });
    const t = target('sw-d');
    const up = (s: number) => result(t, 'snmp', clock, [{ metric: 'netmon_snmp_agent_uptime_seconds', labels: { target: 'sw-d', site: 'so-noi-vu' }, value: s }, { metric: 'netmon_probe_success', labels: { target: 'sw-d', site: 'so-noi-vu', probe: 'snmp' }, value: 1 }]);
    a.accept(up(86400 * 30));
    expect(a.alerts()).toEqual([]);
    a.accept(result(t, 'snmp', clock, [{ metric: 'netmon_probe_success', labels: { target: 'sw-d', site: 'so-noi-vu', probe: 'snmp' }, value: 0 }], new ProbeError('timeout', 'x')));
    expect(a.alerts()[0]!.annotations.summary).toBe('The snmp probe of sw-d is failing (timeout)');
    a.accept(up(120));
    expect(a.alerts().map((x) => [x.alertname, x.severity, x.annotations.summary])).toEqual([['Restarted', 'info', 'The SNMP agent of sw-d restarted 2m ago']]);
    a.accept(up(16 * 60));
    expect(a.alerts()).toEqual([]);
    // a TimeTicks wrap after 497 days is not a restart
    a.accept(up(2 ** 32 / 100 - 30));
    a.accept(up(30));
    expect(a.alerts()).toEqual([]);
  });

  it('config reload failed, from the daemon hook', () => {
    const { a } = make({ rules: [{ name: 'ReloadFailed', kind: 'config_reload_failed', description: '{{ error }}' }] });
    a.reloadResult(false, 'netmon.yaml:3:1: bad');
    expect(a.alerts()[0]).toMatchObject({ alertname: 'ReloadFailed', state: 'firing', annotations: { description: 'netmon.yaml:3:1: bad' } });
    a.reloadResult(true);
    expect(a.alerts()).toEqual([]);
  });

  it('generic threshold rule', () => {
    const { a } = make({ rules: [{ name: 'Errors', kind: 'threshold', metric: 'netmon_probe_duration_seconds', above: 5, clear: 3, match: { probe: 'snmp' } }] });
    const t = target('sw-e');
    const d = (probe: string, v: number) => ({ metric: 'netmon_probe_duration_seconds', labels: { target: 'sw-e', site: 'so-noi-vu', probe }, value: v });
    a.accept(result(t, 'snmp', clock, [d('snmp', 6), d('ping', 9)]));
    expect(a.alerts().map((x) => x.labels.probe)).toEqual(['snmp']);
    a.accept(result(t, 'snmp', clock, [d('snmp', 4)]));
    expect(a.alerts()).toHaveLength(1);
    a.accept(result(t, 'snmp', clock, [d('snmp', 2)]));
    expect(a.alerts()).toHaveLength(0);
  });
});

describe('templates', () => {
  it('renders labels, values and filters, Prometheus syntax included', () => {
    const v = { target: 'sw-a', value: 0.934, rtt: 0.0123, dbm: -8.04, up: 93784 };
    expect(renderTemplate('{{ target }} {{ value | percent }} {{$value|round:2}} {{ $labels.target }}', v)).toBe('sw-a 93.4% 0.93 sw-a');
    expect(renderTemplate('{{ rtt | ms }} {{ dbm | dbm }} {{ up | duration }} [{{ nope }}]', v)).toBe('12.3 ms -8 dBm 1d 2h []');
  });
});
