/** threshold: any gauge above or below a value, `clear` as the hysteresis level; fire, hold, clear, stale. */
import { describe, expect, it } from 'vitest';
import { ok, target } from '../helpers.js';
import { rig, STALE_MS } from './rig.js';

const sw = target('sw-e');
const g = (metric: string, value: number, labels: Record<string, string> = {}) => ({ metric, labels, value });

describe('threshold', () => {
  it('above: fires past the threshold on the selected series, holds down to `clear`, clears under it, goes stale', () => {
    const r = rig([{ name: 'Hot', kind: 'threshold', metric: 'netmon_temperature_celsius', above: 5, clear: 3, match: { sensor: 'cpu' } }]);
    r.feed((ts) => ok(sw, 'snmp', ts, [g('netmon_temperature_celsius', 6, { sensor: 'cpu' }), g('netmon_temperature_celsius', 9, { sensor: 'psu' })]));
    expect(r.states('sensor')).toEqual({ 'Hot[sensor=cpu]': 'firing' });
    expect(r.only('Hot').annotations.summary).toBe('netmon_temperature_celsius of sw-e is 6 (threshold 5)');
    r.feed((ts) => ok(sw, 'snmp', ts, [g('netmon_temperature_celsius', 4, { sensor: 'cpu' })]));
    expect(r.only('Hot').state).toBe('firing');
    r.feed((ts) => ok(sw, 'snmp', ts, [g('netmon_temperature_celsius', 2, { sensor: 'cpu' })]));
    expect(r.states()).toEqual({});
    r.feed((ts) => ok(sw, 'snmp', ts, [g('netmon_temperature_celsius', 7, { sensor: 'cpu' })]));
    r.advance(STALE_MS + 1);
    expect(r.states()).toEqual({});
  });

  it('below: fires under the threshold, holds up to `clear`, clears above it', () => {
    const r = rig([{ name: 'Cold', kind: 'threshold', metric: 'netmon_fan_rpm', below: 1000, clear: 1500 }]);
    r.feed((ts) => ok(sw, 'snmp', ts, [g('netmon_fan_rpm', 1200)]));
    expect(r.states()).toEqual({});
    r.feed((ts) => ok(sw, 'snmp', ts, [g('netmon_fan_rpm', 900)]));
    expect(r.only('Cold').state).toBe('firing');
    r.feed((ts) => ok(sw, 'snmp', ts, [g('netmon_fan_rpm', 1200)]));
    expect(r.only('Cold').state).toBe('firing');
    r.feed((ts) => ok(sw, 'snmp', ts, [g('netmon_fan_rpm', 1600)]));
    expect(r.states()).toEqual({});
  });
});
