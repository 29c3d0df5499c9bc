/**
 * site_unreachable follows the status module: fires exactly when a result carries netmon_target_state 0
 * for its target, clears on 1 (degraded) or 2 (up), has no word without it; reasons go to {{ reasons }}.
 */
import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../../src/alerts/engine.js';
import { alerting as alertingSchema } from '../../../src/config/schema.js';
import { failed, ok, ProbeError, target, targetState } from '../helpers.js';
import { MIN, rig, STALE_MS } from './rig.js';

const sw = target('sw-so-noi-vu', 'so-noi-vu', { site_group: 'provincial' });
const RULE = { name: 'SiteDown', kind: 'site_unreachable', description: 'reasons: {{ reasons }}' };
const reach = (value: number) => ({ metric: 'netmon_ping_reachability_state', labels: { method: 'fping' }, value });

describe('site_unreachable', () => {
  it('fires on state 0 from any probe of the target, with the reasons; clears on degraded and on up', () => {
    const r = rig([RULE]);
    r.feed((ts) => ok(sw, 'ping', ts, [reach(2), ...targetState(sw, 2)]));
    expect(r.states()).toEqual({});
    r.feed((ts) => failed(sw, 'snmp', ts, new ProbeError('timeout', 'no answer'), targetState(sw, 0, ['ping_down', 'snmp_silent'])));
    const alert = r.only('SiteDown');
    expect(alert).toMatchObject({ state: 'firing', value: 1, annotations: { summary: 'Site Sở Nội vụ (sw-so-noi-vu) is unreachable', description: 'reasons: ping_down, snmp_silent' } });
    r.advance(MIN);
    r.feed((ts) => ok(sw, 'ping', ts, [reach(1), ...targetState(sw, 1, ['loss'])])); // degraded is not down: no hold band
    expect(r.states()).toEqual({});
    r.feed((ts) => ok(sw, 'ping', ts, [reach(0), ...targetState(sw, 0, ['ping_down'])]));
    expect(r.only('SiteDown').annotations.description).toBe('reasons: ping_down');
    r.feed((ts) => ok(sw, 'snmp', ts, targetState(sw, 2)));
    expect(r.states()).toEqual({});
    expect(r.events('SiteDown')).toEqual(['firing', 'resolved', 'firing', 'resolved']);
  });

  it('the instance is the target, as before the status module: same labels, same fingerprint', () => {
    const r = rig([{ ...RULE, severity: 'critical', labels: { team: 'noc' } }]);
    r.feed((ts) => ok(sw, 'ping', ts, targetState(sw, 0, ['ping_down'])));
    const labels = { alertname: 'SiteDown', severity: 'critical', team: 'noc', target: 'sw-so-noi-vu', site: 'so-noi-vu', site_group: 'provincial' };
    expect(r.only('SiteDown').labels).toEqual(labels); // no `reason`: reasons describe, they do not identify
    expect(r.only('SiteDown').fingerprint).toBe(fingerprint(labels));
  });

  it('says nothing without a decision (unknown): a firing alert keeps firing until the series goes stale', () => {
    const r = rig([RULE]);
    // the signals the rule read before the status module no longer count on their own
    r.feed((ts) => failed(sw, 'snmp', ts, new ProbeError('timeout', 'no answer')));
    r.feed((ts) => ok(sw, 'ping', ts, [reach(0)]));
    expect(r.states()).toEqual({});
    r.feed((ts) => ok(sw, 'ping', ts, [reach(0), ...targetState(sw, 0, ['ping_down'])]));
    r.advance(MIN);
    r.feed((ts) => ok(sw, 'ping', ts, [reach(0)]));
    expect(r.only('SiteDown').state).toBe('firing');
    r.advance(STALE_MS + 1);
    expect(r.states()).toEqual({});
  });

  it("reads only its own target's state, and honours match/exclude", () => {
    const other = target('sw-other');
    const r = rig([{ ...RULE, exclude: { site_group: 'ward' } }]);
    r.feed((ts) => ok(sw, 'ping', ts, targetState(other, 0, ['ping_down'])));
    expect(r.states()).toEqual({});
    const ward = target('sw-ward', 'so-noi-vu', { site_group: 'ward' });
    r.feed((ts) => ok(ward, 'ping', ts, targetState(ward, 0, ['ping_down'])));
    expect(r.states()).toEqual({});
  });

  it('`via` is gone from the config: the rule cannot disagree with the tile', () => {
    expect(() => alertingSchema.parse({ rules: [{ name: 'X', kind: 'site_unreachable', via: 'ping' }] })).toThrow(/via/);
  });
});
