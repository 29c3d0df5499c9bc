/** ping_loss: the share of echoes lost in one burst. */
import { z } from 'zod';
import { aboveRule, checkClearBelow, defineKind, ruleCommon } from './kind.js';
import { aboveVerdict, perSample } from './shared.js';

export const schema = z.strictObject({ kind: z.literal('ping_loss'), ...ruleCommon, ...aboveRule });

export const pingLoss = defineKind(schema, {
  summary: 'Packet loss to {{ target }} ({{ site_name }}) is {{ value | percent }}',
  check: checkClearBelow,
  compile(r, scope) {
    return (res) => perSample(scope, res, 'netmon_ping_loss_ratio', (s) => ({ value: s.value, verdict: aboveVerdict(s.value, r.above, r.clear_below), threshold: r.above }));
  },
});
