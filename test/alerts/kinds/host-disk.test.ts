/** host_disk: used / size per filesystem or hrStorage disk row (RAM rows skipped); fire, hold, clear, stale. */
import { describe, expect, it } from 'vitest';
import { ok, target } from '../helpers.js';
import { rig, STALE_MS } from './rig.js';

const srv = target('srv-db', 'ttdl');
const storage = (index: string, name: string, type: string, size: number, used: number) => [
  { metric: 'netmon_host_storage_size_bytes', labels: { storage_index: index, storage: name, storage_type: type }, value: size },
  { metric: 'netmon_host_storage_used_bytes', labels: { storage_index: index, storage: name, storage_type: type }, value: used },
];
const fs = (mountpoint: string, size: number, used: number) => [
  { metric: 'netmon_host_filesystem_size_bytes', labels: { mountpoint }, value: size },
  { metric: 'netmon_host_filesystem_used_bytes', labels: { mountpoint }, value: used },
];

describe('host_disk', () => {
  it('fires per disk row of hrStorage, never for RAM; holds in the band; clears; goes stale', () => {
    const r = rig([{ name: 'Disk', kind: 'host_disk', above: 0.85, clear_below: 0.75 }]);
    r.feed((ts) => ok(srv, 'snmp', ts, [...storage('31', '/var', 'fixed_disk', 1000, 900), ...storage('1', 'Physical memory', 'ram', 1000, 999)]));
    const alert = r.only('Disk');
    expect(alert.annotations.summary).toBe('Disk /var of srv-db is 90% full');
    expect(alert.labels).toMatchObject({ target: 'srv-db', storage_index: '31', storage: '/var' });
    r.feed((ts) => ok(srv, 'snmp', ts, storage('31', '/var', 'fixed_disk', 1000, 800)));
    expect(r.only('Disk').state).toBe('firing');
    r.feed((ts) => ok(srv, 'snmp', ts, storage('31', '/var', 'fixed_disk', 1000, 700)));
    expect(r.states()).toEqual({});
    r.feed((ts) => ok(srv, 'snmp', ts, storage('31', '/var', 'fixed_disk', 1000, 990)));
    r.advance(STALE_MS + 1);
    expect(r.states()).toEqual({});
  });

  it('reads the filesystems of the host probe, each its own alert', () => {
    const r = rig([{ name: 'Disk', kind: 'host_disk', above: 0.85 }]);
    r.feed((ts) => ok(srv, 'host', ts, [...fs('/', 100, 95), ...fs('/home', 100, 10), ...fs('/boot', 0, 0)]));
    expect(r.states('mountpoint')).toEqual({ 'Disk[mountpoint=/]': 'firing' });
    expect(r.only('Disk').annotations.summary).toBe('Disk / of srv-db is 95% full');
  });
});
