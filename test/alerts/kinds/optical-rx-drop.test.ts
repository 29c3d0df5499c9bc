/** optical_rx_drop: drop_db below its own baseline fires; the hysteresis band holds; loss of signal is ignored; stale. */
import { describe, expect, it } from 'vitest';
import { ok, target } from '../helpers.js';
import { rig } from './rig.js';

const sw = target('sw-c');
const HOUR = 3_600_000;
/** An hourly poll: the series stays fresh between the polls (stale after 3 h and the timeout). */
const okHourly = (ts: number, samples: Parameters<typeof ok>[3]) => ok(sw, 'snmp', ts, samples, HOUR);
const rx = (value: number) => ({ metric: 'netmon_optical_rx_power_dbm', labels: { if_index: '1', if_name: 'Gi0/1' }, value });

describe('optical_rx_drop', () => {
  it('fires once Rx is drop_db below the best hourly mean of the window (a slowly dying link)', () => {
    const r = rig([{ name: 'RxDrop', kind: 'optical_rx_drop', drop_db: 3, baseline_window: '7d' }]);
    for (let day = 0; day <= 5; day += 0.25) {
      r.feed((ts) => ok(sw, 'snmp', ts, [rx(-8 - day)], 6 * HOUR));
      expect(r.a.alerts().length > 0).toBe(day >= 3);
      r.advance(6 * HOUR);
    }
    expect(r.only('RxDrop').annotations.summary).toMatch(/^Fibre Rx power on sw-c Gi0\/1 \(Sở Nội vụ\) fell 5 dB below its baseline of -8 dBm: -13 dBm$/);
  });

  it('holds within hysteresis_db of the drop, clears above it, ignores loss of signal, goes stale', () => {
    const r = rig([{ name: 'RxDrop', kind: 'optical_rx_drop', drop_db: 3, hysteresis_db: 1 }]);
    r.feed((ts) => okHourly(ts, [rx(-8)]));
    r.advance(HOUR);
    r.feed((ts) => okHourly(ts, [rx(-11.5)]));
    expect(r.only('RxDrop').state).toBe('firing');
    r.advance(HOUR);
    r.feed((ts) => okHourly(ts, [rx(-10.5)])); // 2.5 dB below: within the band
    expect(r.only('RxDrop').state).toBe('firing');
    r.advance(HOUR);
    r.feed((ts) => okHourly(ts, [rx(-9.5)])); // 1.5 dB below: clear
    expect(r.states()).toEqual({});
    r.feed((ts) => okHourly(ts, [rx(-40)])); // no light: optical_rx_low's business
    expect(r.states()).toEqual({});
    r.feed((ts) => okHourly(ts, [rx(-12)]));
    expect(r.only('RxDrop').state).toBe('firing');
    r.advance(3 * HOUR + 2001);
    expect(r.states()).toEqual({});
  });
});
