/** optical_rx_low: a transceiver's Rx power below its own alarm/warning level where it reports one, else a fixed level. */
import { z } from 'zod';
import { defineKind, ruleCommon } from './kind.js';
import { belowVerdict, perSample, rowKey } from './shared.js';

export const schema = z.strictObject({
  kind: z.literal('optical_rx_low'),
  ...ruleCommon,
  below_dbm: z.number().min(-60).max(20).optional().describe('fires below this Rx power (dBm)'),
  device_threshold: z.enum(['low_alarm', 'low_warning']).optional().describe("use the transceiver's own threshold where it reports one (else below_dbm)"),
  hysteresis_db: z.number().min(0).max(10).default(0.5).describe('a firing alert clears only this many dB above the threshold'),
});

export const opticalRxLow = defineKind(schema, {
  summary: 'Fibre Rx power on {{ target }} {{ if_name }} ({{ site_name }}) is {{ value | dbm }}, below {{ threshold | dbm }}',
  check(r, bad) {
    if (r.below_dbm === undefined && r.device_threshold === undefined) bad('below_dbm', 'set below_dbm, device_threshold, or both');
  },
  compile(r, scope) {
    const thresholdMetric = r.device_threshold ? `netmon_optical_rx_power_${r.device_threshold}_dbm` : null;
    return (res) => {
      const device = new Map<string, number>();
      if (thresholdMetric) for (const s of res.samples) if (s.metric === thresholdMetric) device.set(rowKey(s.labels), s.value);
      return perSample(scope, res, 'netmon_optical_rx_power_dbm', (s) => {
        const thr = device.get(rowKey(s.labels)) ?? r.below_dbm;
        if (thr === undefined) return undefined;
        return { value: s.value, verdict: belowVerdict(s.value, thr, thr + r.hysteresis_db), threshold: thr };
      });
    };
  },
});
