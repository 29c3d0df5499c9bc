/** interface_down: oper down while admin up fires; back up, or shut by an admin, clears; stale; no hysteresis band. */
import { describe, expect, it } from 'vitest';
import { ok, target } from '../helpers.js';
import { rig, STALE_MS } from './rig.js';

const sw = target('sw-a');
// the SNMP probe's own labels only: the pipeline attaches target and site
const port = (idx: string, alias: string, oper: number, admin: number) => [
  { metric: 'netmon_interface_oper_up', labels: { if_index: idx, if_name: `Gi0/${idx}`, if_alias: alias }, value: oper },
  { metric: 'netmon_interface_admin_up', labels: { if_index: idx, if_name: `Gi0/${idx}`, if_alias: alias }, value: admin },
];

describe('interface_down', () => {
  it('fires for a port down while administratively up, on the ports `match` selects', () => {
    const r = rig([{ name: 'IfDown', kind: 'interface_down', match: { if_alias: '.+' } }]);
    r.feed((ts) => ok(sw, 'snmp', ts, [...port('1', 'Uplink to DC', 0, 1), ...port('2', 'Shut', 0, 0), ...port('4', '', 0, 1)]));
    const alert = r.only('IfDown');
    expect(alert.labels).toEqual({ alertname: 'IfDown', severity: 'warning', target: 'sw-a', site: 'so-noi-vu', if_index: '1', if_name: 'Gi0/1' }); // if_alias describes, does not identify
    expect(alert.annotations.summary).toBe('Interface Gi0/1 on sw-a is down while administratively up');
  });

  it('has no hold band: the port coming up, or being shut, clears at once', () => {
    const r = rig([{ name: 'IfDown', kind: 'interface_down' }]);
    r.feed((ts) => ok(sw, 'snmp', ts, [...port('1', 'a', 0, 1), ...port('2', 'b', 0, 1)]));
    expect(Object.keys(r.states('if_index'))).toEqual(['IfDown[if_index=1]', 'IfDown[if_index=2]']);
    r.feed((ts) => ok(sw, 'snmp', ts, [...port('1', 'a', 1, 1), ...port('2', 'b', 0, 0)]));
    expect(r.states()).toEqual({});
    expect(r.events('IfDown')).toEqual(['firing', 'firing', 'resolved', 'resolved']);
  });

  it('says nothing without the admin status, and resolves a port that disappeared', () => {
    const r = rig([{ name: 'IfDown', kind: 'interface_down' }]);
    r.feed((ts) => ok(sw, 'snmp', ts, [port('1', 'a', 0, 1)[0]!]));
    expect(r.states()).toEqual({});
    r.feed((ts) => ok(sw, 'snmp', ts, port('1', 'a', 0, 1)));
    expect(r.only('IfDown').state).toBe('firing');
    r.advance(STALE_MS + 1);
    expect(r.states()).toEqual({});
  });
});
