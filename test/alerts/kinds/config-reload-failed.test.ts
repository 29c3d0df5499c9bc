/** config_reload_failed: fed by reloadResult, not by probe results; fires with the error, clears on a good reload, never stale. */
import { describe, expect, it } from 'vitest';
import { failed, ProbeError, target } from '../helpers.js';
import { MIN, rig } from './rig.js';

describe('config_reload_failed', () => {
  it('fires on a failed reload with the problems in {{ error }}, stays while nothing reloads, clears on the next good one', () => {
    const r = rig([{ name: 'ReloadFailed', kind: 'config_reload_failed', description: '{{ error }}' }]);
    expect(r.states()).toEqual({}); // netmon runs this config: it loaded
    r.a.reloadResult(false, 'netmon.yaml:3:1: bad');
    expect(r.only('ReloadFailed')).toMatchObject({ state: 'firing', labels: { alertname: 'ReloadFailed', severity: 'warning' }, annotations: { summary: 'The configuration reload failed; netmon keeps running the previous configuration', description: 'netmon.yaml:3:1: bad' } });
    r.feed((ts) => failed(target('sw-a'), 'snmp', ts, new ProbeError('timeout', 'x'))); // probe results say nothing about it
    r.advance(600 * MIN);
    expect(r.only('ReloadFailed').state).toBe('firing');
    r.a.reloadResult(true);
    expect(r.states()).toEqual({});
    expect(r.events('ReloadFailed')).toEqual(['firing', 'resolved']);
  });

  it('keeps at most 1000 characters of the error', () => {
    const r = rig([{ name: 'ReloadFailed', kind: 'config_reload_failed', description: '{{ error }}' }]);
    r.a.reloadResult(false, 'x'.repeat(5000));
    expect(r.only('ReloadFailed').annotations.description).toHaveLength(1000);
  });
});
