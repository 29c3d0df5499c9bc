/** host_cpu: utilisation where reported, else the mean load over CPUs; fire, hold, clear, stale. */
import { describe, expect, it } from 'vitest';
import { ok, target } from '../helpers.js';
import { rig, STALE_MS } from './rig.js';

const srv = target('srv-db', 'ttdl', { service: 'portal' });
const load = (...v: number[]) => v.map((value, i) => ({ metric: 'netmon_host_cpu_load_ratio', labels: { cpu: String(i + 1) }, value }));

describe('host_cpu', () => {
  it('fires on the mean load over CPUs, holds in the band, clears under clear_below, goes stale', () => {
    const r = rig([{ name: 'Cpu', kind: 'host_cpu', above: 0.9, clear_below: 0.7 }]);
    r.feed((ts) => ok(srv, 'snmp', ts, load(0.99, 0.7))); // mean 0.845: in the band, not firing
    expect(r.states()).toEqual({});
    r.feed((ts) => ok(srv, 'snmp', ts, load(0.99, 0.95)));
    const alert = r.only('Cpu');
    expect(alert.annotations.summary).toBe('CPU of srv-db is 97% busy');
    expect(alert.labels).toEqual({ alertname: 'Cpu', severity: 'warning', target: 'srv-db', site: 'ttdl', service: 'portal' });
    r.feed((ts) => ok(srv, 'snmp', ts, load(0.8, 0.8)));
    expect(r.only('Cpu').state).toBe('firing');
    r.feed((ts) => ok(srv, 'snmp', ts, load(0.5, 0.6)));
    expect(r.states()).toEqual({});
    r.feed((ts) => ok(srv, 'snmp', ts, load(1, 1)));
    r.advance(STALE_MS + 1);
    expect(r.states()).toEqual({});
  });

  it('prefers the utilisation ratio (host probe) to per-CPU load', () => {
    const r = rig([{ name: 'Cpu', kind: 'host_cpu', above: 0.9 }]);
    r.feed((ts) => ok(srv, 'host', ts, [{ metric: 'netmon_host_cpu_utilization_ratio', labels: {}, value: 0.5 }, ...load(1, 1)]));
    expect(r.states()).toEqual({});
  });
});
