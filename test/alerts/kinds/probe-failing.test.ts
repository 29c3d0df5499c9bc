/** probe_failing: a failed run (an error, so netmon_probe_success 0) fires; a successful one clears; `probes` filters; stale. */
import { describe, expect, it } from 'vitest';
import { failed, ok, ProbeError, target } from '../helpers.js';
import { rig, STALE_MS } from './rig.js';

const sw = target('sw-d');

describe('probe_failing', () => {
  it('fires with the reason of the failure and clears on the next successful run, still saying why it failed', () => {
    const r = rig([{ name: 'ProbeFail', kind: 'probe_failing' }]);
    r.feed((ts) => ok(sw, 'snmp', ts, []));
    expect(r.states()).toEqual({});
    r.feed((ts) => failed(sw, 'snmp', ts, new ProbeError('timeout', 'no answer')));
    const alert = r.only('ProbeFail');
    expect(alert.labels).toEqual({ alertname: 'ProbeFail', severity: 'warning', target: 'sw-d', site: 'so-noi-vu', probe: 'snmp' });
    expect(alert.annotations.summary).toBe('The snmp probe of sw-d is failing (timeout)');
    r.feed((ts) => failed(sw, 'snmp', ts, new ProbeError('auth', 'wrong community')));
    expect(r.only('ProbeFail').annotations.summary).toBe('The snmp probe of sw-d is failing (auth)');
    r.feed((ts) => ok(sw, 'snmp', ts, []));
    expect(r.states()).toEqual({});
    expect(r.a.history({ rule: 'ProbeFail', events: ['resolved'], limit: 10 })).toMatchObject([{ summary: 'The snmp probe of sw-d is failing (auth)' }]);
  });

  it('watches only the probes it names, one alert per probe; a probe no longer run goes stale', () => {
    const r = rig([{ name: 'ProbeFail', kind: 'probe_failing', probes: ['ping', 'host'] }]);
    r.feed((ts) => failed(sw, 'snmp', ts, new ProbeError('timeout', 'x')));
    r.feed((ts) => failed(sw, 'ping', ts, new ProbeError('internal', 'fping missing')));
    expect(r.states('probe')).toEqual({ 'ProbeFail[probe=ping]': 'firing' });
    r.advance(STALE_MS + 1);
    expect(r.states()).toEqual({});
  });
});
