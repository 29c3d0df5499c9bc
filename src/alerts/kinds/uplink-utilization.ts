/** uplink_utilization: an internet uplink's traffic against its contracted capacity, one alert per uplink and direction. */
import { z } from 'zod';
import { name } from '../../config/primitives.js';
import { aboveRule, checkClearBelow, defineKind, ruleCommon } from './kind.js';
import { aboveVerdict, perSample } from './shared.js';

export const schema = z.strictObject({
  kind: z.literal('uplink_utilization'),
  ...ruleCommon,
  ...aboveRule,
  uplinks: z.array(name).optional().describe('uplink names; all uplinks if absent'),
  directions: z.array(z.enum(['in', 'out'])).min(1).default(['in', 'out']).describe('one alert per uplink and direction'),
});

export const uplinkUtilization = defineKind(schema, {
  summary: 'Uplink {{ uplink_name }} ({{ direction }}) at {{ value | percent }} of its capacity (threshold {{ threshold | percent }})',
  check: checkClearBelow,
  compile(r, scope) {
    const wanted = r.uplinks ? new Set(r.uplinks) : null;
    return (res) =>
      perSample(scope, res, 'netmon_uplink_utilization_ratio', (s) => {
        const u = s.labels.uplink ?? '';
        if ((wanted && !wanted.has(u)) || !r.directions.includes(s.labels.direction as 'in' | 'out')) return undefined;
        const display = scope.uplinks.find((x) => x.name === u)?.display_name ?? u;
        return { value: s.value, verdict: aboveVerdict(s.value, r.above, r.clear_below), threshold: r.above, vars: { uplink_name: display } };
      });
  },
});
