/** agent_restarted: sysUpTime under `window` fires (a TimeTicks wrap does not); up longer clears; stale. */
import { describe, expect, it } from 'vitest';
import { ok, target } from '../helpers.js';
import { rig, STALE_MS } from './rig.js';

const sw = target('sw-d');
const uptime = (value: number) => (ts: number) => ok(sw, 'snmp', ts, [{ metric: 'netmon_snmp_agent_uptime_seconds', labels: {}, value }]);

describe('agent_restarted', () => {
  it('fires while the agent has been up less than `window`, clears after; no hold band', () => {
    const r = rig([{ name: 'Restarted', kind: 'agent_restarted', window: '15m', severity: 'info' }]);
    r.feed(uptime(86400 * 30));
    expect(r.states()).toEqual({});
    r.feed(uptime(120));
    expect(r.only('Restarted')).toMatchObject({ severity: 'info', state: 'firing', annotations: { summary: 'The SNMP agent of sw-d restarted 2m ago' } });
    r.feed(uptime(15 * 60));
    expect(r.states()).toEqual({});
  });

  it('a TimeTicks wrap after 497 days is not a restart', () => {
    const r = rig([{ name: 'Restarted', kind: 'agent_restarted' }]);
    r.feed(uptime(2 ** 32 / 100 - 30));
    r.feed(uptime(30));
    r.feed(uptime(90));
    expect(r.states()).toEqual({});
  });

  it('resolves when the agent stops answering (its series stops)', () => {
    const r = rig([{ name: 'Restarted', kind: 'agent_restarted' }]);
    r.feed(uptime(60));
    expect(r.only('Restarted').state).toBe('firing');
    r.advance(STALE_MS + 1);
    expect(r.states()).toEqual({});
  });
});
