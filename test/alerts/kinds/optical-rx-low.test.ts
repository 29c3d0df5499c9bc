/** optical_rx_low: below the transceiver's own threshold where reported (else below_dbm); clears hysteresis_db above it; stale. */
import { describe, expect, it } from 'vitest';
import { ok, target } from '../helpers.js';
import { rig, STALE_MS } from './rig.js';

const sw = target('sw-b');
const l = (idx: string) => ({ if_index: idx, if_name: `Te${idx}` });
const RULE = { name: 'RxLow', kind: 'optical_rx_low', device_threshold: 'low_alarm', below_dbm: -25, hysteresis_db: 1 };

describe('optical_rx_low', () => {
  it("uses the transceiver's threshold where it has one, else below_dbm; fires, holds within the hysteresis, clears above it", () => {
    const r = rig([RULE]);
    const feed = (rx1: number, rx2: number) =>
      r.feed((ts) =>
        ok(sw, 'snmp', ts, [
          { metric: 'netmon_optical_rx_power_dbm', labels: l('1'), value: rx1 },
          { metric: 'netmon_optical_rx_power_low_alarm_dbm', labels: l('1'), value: -20 },
          { metric: 'netmon_optical_rx_power_dbm', labels: l('2'), value: rx2 }, // no thresholds reported
        ]),
      );
    feed(-21, -24);
    expect(r.a.alerts().map((x) => [x.labels.if_index, x.annotations.summary])).toEqual([['1', 'Fibre Rx power on sw-b Te1 (Sở Nội vụ) is -21 dBm, below -20 dBm']]);
    feed(-19.5, -26); // port 1 within 1 dB above its threshold: holds
    expect(r.states('if_index')).toEqual({ 'RxLow[if_index=1]': 'firing', 'RxLow[if_index=2]': 'firing' });
    feed(-18.9, -24.5); // port 1 clear; port 2 holds (-24.5 is within 1 dB of -25)
    expect(r.states('if_index')).toEqual({ 'RxLow[if_index=2]': 'firing' });
    r.advance(STALE_MS + 1);
    expect(r.states()).toEqual({});
  });

  it('without a threshold of either kind has no word', () => {
    const r = rig([{ name: 'RxLow', kind: 'optical_rx_low', device_threshold: 'low_warning' }]);
    r.feed((ts) => ok(sw, 'snmp', ts, [{ metric: 'netmon_optical_rx_power_dbm', labels: l('1'), value: -40 }]));
    expect(r.states()).toEqual({});
  });
});
