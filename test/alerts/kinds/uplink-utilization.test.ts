/** uplink_utilization: fire above, hold between clear_below and above, clear below, stale; uplink and direction filters. */
import { describe, expect, it } from 'vitest';
import { ok, target } from '../helpers.js';
import { MIN, rig, STALE_MS } from './rig.js';

const core = target('dc-core', 'ttdl');
// derived by the pipeline's uplink deriver: the uplink's own labels
const util = (value: number, direction = 'in', uplink = 'international') => ({ metric: 'netmon_uplink_utilization_ratio', labels: { uplink, direction }, value });
const RULE = { name: 'Saturated', kind: 'uplink_utilization', above: 0.9, clear_below: 0.8 };

describe('uplink_utilization', () => {
  it('fires above `above`, holds between the two levels, clears below `clear_below`', () => {
    const r = rig([RULE]);
    r.feed((ts) => ok(core, 'snmp', ts, [util(0.85)]));
    expect(r.states()).toEqual({}); // in the band, not firing before: stays inactive
    r.feed((ts) => ok(core, 'snmp', ts, [util(0.94)]));
    const alert = r.only('Saturated');
    expect(alert.state).toBe('firing');
    expect(alert.labels).toEqual({ alertname: 'Saturated', severity: 'warning', uplink: 'international', direction: 'in', target: 'dc-core', site: 'ttdl' });
    expect(alert.annotations.summary).toBe('Uplink Internet quốc tế 2 Mbps (in) at 94% of its capacity (threshold 90%)');
    for (const v of [0.85, 0.81, 0.9]) {
      r.advance(MIN);
      r.feed((ts) => ok(core, 'snmp', ts, [util(v)]));
      expect(r.only('Saturated').state).toBe('firing');
    }
    r.advance(MIN);
    r.feed((ts) => ok(core, 'snmp', ts, [util(0.79)]));
    expect(r.states()).toEqual({});
    expect(r.events('Saturated')).toEqual(['firing', 'resolved']);
  });

  it('resolves when the series stops arriving', () => {
    const r = rig([RULE]);
    r.feed((ts) => ok(core, 'snmp', ts, [util(0.95), util(0.95, 'out')]));
    r.advance(STALE_MS - 1000);
    r.feed((ts) => ok(core, 'snmp', ts, [util(0.95, 'out')]));
    expect(r.states('direction')).toEqual({ 'Saturated[direction=in]': 'firing', 'Saturated[direction=out]': 'firing' });
    r.advance(2000); // `in` unseen for longer than its stale period
    expect(r.states('direction')).toEqual({ 'Saturated[direction=out]': 'firing' });
  });

  it('watches only the uplinks and directions it names', () => {
    const r = rig([{ ...RULE, uplinks: ['international'], directions: ['out'] }]);
    r.feed((ts) => ok(core, 'snmp', ts, [util(0.99, 'in'), util(0.99, 'out'), util(0.99, 'out', 'domestic')]));
    expect(r.states('uplink', 'direction')).toEqual({ 'Saturated[uplink=international,direction=out]': 'firing' });
  });
});
