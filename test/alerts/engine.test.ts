/** The state machine on probe results: pending/for, hysteresis, keep_firing_for, staleness, restart (each rule kind: kinds/*.test.ts). */
import { afterEach, describe, expect, it } from 'vitest';
import { Alerting } from '../../src/alerts/index.js';
import { renderTemplate } from '../../src/alerts/template.js';
import { configWith, ok, target, tempDir } from './helpers.js';

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
      a.accept(ok(core, 'snmp', clock, [util(v)]));
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
    a.accept(ok(core, 'snmp', clock, [util(0.95)]));
    clock += MIN;
    a.accept(ok(core, 'snmp', clock, [util(0.5)]));
    expect(a.alerts()).toEqual([]);
    expect(events(a)).toEqual(['pending', 'inactive']);
  });

  it('`for: 1m` with a 60 s interval fires on the second bad sample even if it comes a little early', () => {
    const { a } = make({ rules: [{ name: 'U', kind: 'uplink_utilization', above: 0.9, for: '1m' }] });
    a.accept(ok(core, 'snmp', clock, [util(0.95)]));
    clock += MIN - 300;
    a.accept(ok(core, 'snmp', clock, [util(0.95)]));
    expect(a.alerts()[0]!.state).toBe('firing');
  });

  it('keep_firing_for holds a firing alert through short clears, by sample and by tick', () => {
    const { a } = make({ rules: [{ name: 'U', kind: 'uplink_utilization', above: 0.9, keep_firing_for: '10m' }] });
    a.accept(ok(core, 'snmp', clock, [util(0.95)]));
    expect(a.alerts()[0]!.state).toBe('firing');
    clock += 3 * MIN;
    a.accept(ok(core, 'snmp', clock, [util(0.5)]));
    clock += 3 * MIN;
    a.accept(ok(core, 'snmp', clock, [util(0.95)])); // back before keep_firing_for ran out
    clock += 5 * MIN;
    a.accept(ok(core, 'snmp', clock, [util(0.5)]));
    a.tick();
    expect(a.alerts()[0]!.state).toBe('firing');
    clock += 5 * MIN + 1; // 10 min after the last bad sample, no new sample: the tick resolves it
    a.tick();
    expect(a.alerts()).toEqual([]);
    expect(events(a)).toEqual(['firing', 'resolved']);
  });

  it('resolves an alert whose series stopped arriving (stale), and one whose rule was removed', () => {
    const { a, dir } = make({ rules: [{ name: 'U', kind: 'uplink_utilization', above: 0.9 }] });
    a.accept(ok(core, 'snmp', clock, [util(0.95), util(0.97, 'out')]));
    expect(a.alerts()).toHaveLength(2);
    clock += 3 * MIN + 2001;
    a.accept(ok(core, 'snmp', clock, [util(0.97, 'out')]));
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
    first.accept(ok(core, 'snmp', clock, [util(0.95)]));
    clock += 2 * MIN;
    first.accept(ok(core, 'snmp', clock, [util(0.96)]));
    const before = first.alerts()[0]!;
    expect(before.state).toBe('firing');
    await first.close();
    clock += 5 * MIN; // down for 5 minutes: longer than the series' stale period, which must not count
    const { a } = make(rules, dir);
    a.tick();
    expect(a.alerts()[0]).toMatchObject({ state: 'firing', starts_at: before.starts_at, fingerprint: before.fingerprint });
    clock += MIN;
    a.accept(ok(core, 'snmp', clock, [util(0.97)]));
    expect(a.alerts()[0]).toMatchObject({ state: 'firing', starts_at: before.starts_at });
    expect(events(a)).toEqual(['pending', 'firing']);
  });
});

describe('templates', () => {
  it('renders labels, values and filters, Prometheus syntax included', () => {
    const v = { target: 'sw-a', value: 0.934, rtt: 0.0123, dbm: -8.04, up: 93784 };
    expect(renderTemplate('{{ target }} {{ value | percent }} {{$value|round:2}} {{ $labels.target }}', v)).toBe('sw-a 93.4% 0.93 sw-a');
    expect(renderTemplate('{{ rtt | ms }} {{ dbm | dbm }} {{ up | duration }} [{{ nope }}]', v)).toBe('12.3 ms -8 dBm 1d 2h []');
  });
});
