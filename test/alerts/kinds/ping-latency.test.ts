/** ping_latency: thresholds as durations against the median RTT in seconds; fire, hold, clear, stale. */
import { describe, expect, it } from 'vitest';
import { ok, target } from '../helpers.js';
import { rig, STALE_MS } from './rig.js';

const sw = target('sw-a');
const rtt = (value: number) => ({ metric: 'netmon_ping_rtt_median_seconds', labels: { method: 'fping' }, value });

describe('ping_latency', () => {
  it('fires above `above`, holds between the levels, clears below `clear_below`, and goes stale', () => {
    const r = rig([{ name: 'Slow', kind: 'ping_latency', above: '150ms', clear_below: '100ms' }]);
    r.feed((ts) => ok(sw, 'ping', ts, [rtt(0.12)]));
    expect(r.states()).toEqual({});
    r.feed((ts) => ok(sw, 'ping', ts, [rtt(0.2)]));
    expect(r.only('Slow').annotations.summary).toBe('Latency to sw-a (Sở Nội vụ) is 200 ms (threshold 150 ms)');
    r.feed((ts) => ok(sw, 'ping', ts, [rtt(0.12)]));
    expect(r.only('Slow').state).toBe('firing');
    r.feed((ts) => ok(sw, 'ping', ts, [rtt(0.09)]));
    expect(r.states()).toEqual({});
    r.feed((ts) => ok(sw, 'ping', ts, [rtt(0.3)]));
    r.advance(STALE_MS + 1);
    expect(r.states()).toEqual({});
  });

  it('without `clear_below` clears under `above`', () => {
    const r = rig([{ name: 'Slow', kind: 'ping_latency', above: '150ms' }]);
    r.feed((ts) => ok(sw, 'ping', ts, [rtt(0.16)]));
    expect(r.only('Slow').state).toBe('firing');
    r.feed((ts) => ok(sw, 'ping', ts, [rtt(0.149)]));
    expect(r.states()).toEqual({});
  });
});
