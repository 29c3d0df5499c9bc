/** host_memory: 1 − available / total; fire, hold, clear, stale. */
import { describe, expect, it } from 'vitest';
import { ok, target } from '../helpers.js';
import { rig, STALE_MS } from './rig.js';

const srv = target('srv-db', 'ttdl');
const mem = (total: number, available: number) => [
  { metric: 'netmon_host_memory_total_bytes', labels: {}, value: total },
  { metric: 'netmon_host_memory_available_bytes', labels: {}, value: available },
];

describe('host_memory', () => {
  it('fires above `above`, holds in the band, clears under clear_below, goes stale', () => {
    const r = rig([{ name: 'Mem', kind: 'host_memory', above: 0.9, clear_below: 0.8 }]);
    r.feed((ts) => ok(srv, 'snmp', ts, mem(100, 15)));
    expect(r.states()).toEqual({});
    r.feed((ts) => ok(srv, 'snmp', ts, mem(100, 5)));
    expect(r.only('Mem').annotations.summary).toBe('Memory of srv-db is 95% used');
    r.feed((ts) => ok(srv, 'snmp', ts, mem(100, 15)));
    expect(r.only('Mem').state).toBe('firing');
    r.feed((ts) => ok(srv, 'snmp', ts, mem(100, 50)));
    expect(r.states()).toEqual({});
    r.feed((ts) => ok(srv, 'snmp', ts, mem(100, 0)));
    r.advance(STALE_MS + 1);
    expect(r.states()).toEqual({});
  });

  it('has no word without both figures', () => {
    const r = rig([{ name: 'Mem', kind: 'host_memory', above: 0.1 }]);
    r.feed((ts) => ok(srv, 'snmp', ts, [mem(100, 0)[0]!]));
    r.feed((ts) => ok(srv, 'snmp', ts, mem(0, 0)));
    expect(r.states()).toEqual({});
  });
});
