/** ping_loss: fire above, hold between the levels, clear below clear_below, stale. */
import { describe, expect, it } from 'vitest';
import { ok, target } from '../helpers.js';
import { MIN, rig, STALE_MS } from './rig.js';

const sw = target('sw-a');
const loss = (value: number) => ({ metric: 'netmon_ping_loss_ratio', labels: { method: 'fping' }, value });

describe('ping_loss', () => {
  it('fires above `above`, holds in the band, clears below `clear_below`, and goes stale', () => {
    const r = rig([{ name: 'Loss', kind: 'ping_loss', above: 0.2, clear_below: 0.05 }]);
    r.feed((ts) => ok(sw, 'ping', ts, [loss(0.1)]));
    expect(r.states()).toEqual({});
    r.feed((ts) => ok(sw, 'ping', ts, [loss(0.3)]));
    const alert = r.only('Loss');
    expect(alert.labels).toEqual({ alertname: 'Loss', severity: 'warning', target: 'sw-a', site: 'so-noi-vu' }); // `method` describes
    expect(alert.annotations.summary).toBe('Packet loss to sw-a (Sở Nội vụ) is 30%');
    r.advance(MIN);
    r.feed((ts) => ok(sw, 'ping', ts, [loss(0.1)]));
    expect(r.only('Loss').state).toBe('firing');
    r.feed((ts) => ok(sw, 'ping', ts, [loss(0)]));
    expect(r.states()).toEqual({});
    r.feed((ts) => ok(sw, 'ping', ts, [loss(1)]));
    r.advance(STALE_MS + 1);
    expect(r.states()).toEqual({});
    expect(r.events('Loss')).toEqual(['firing', 'resolved', 'firing', 'resolved']);
  });
});
