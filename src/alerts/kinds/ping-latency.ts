/** ping_latency: the median round-trip time of one burst, thresholds written as durations. */
import { z } from 'zod';
import { duration } from '../../config/primitives.js';
import { checkClearBelow, defineKind, ruleCommon } from './kind.js';
import { aboveVerdict, perSample } from './shared.js';

export const schema = z.strictObject({
  kind: z.literal('ping_latency'),
  ...ruleCommon,
  above: duration.describe('median round-trip time above which the alert fires, e.g. 150ms'),
  clear_below: duration.optional(),
});

export const pingLatency = defineKind(schema, {
  summary: 'Latency to {{ target }} ({{ site_name }}) is {{ value | ms }} (threshold {{ threshold | ms }})',
  check: checkClearBelow,
  compile(r, scope) {
    // The config says milliseconds, the samples seconds.
    const fire = r.above / 1000;
    const clear = (r.clear_below ?? r.above) / 1000;
    return (res) => perSample(scope, res, 'netmon_ping_rtt_median_seconds', (s) => ({ value: s.value, verdict: aboveVerdict(s.value, fire, clear), threshold: fire }));
  },
});
