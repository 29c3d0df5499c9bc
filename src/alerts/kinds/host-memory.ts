/** host_memory: the share of a server's memory that is not available (1 − available / total). */
import { z } from 'zod';
import { aboveRule, checkClearBelow, defineKind, ruleCommon } from './kind.js';
import { aboveVerdict, perTarget } from './shared.js';

export const schema = z.strictObject({ kind: z.literal('host_memory'), ...ruleCommon, ...aboveRule });

export const hostMemory = defineKind(schema, {
  summary: 'Memory of {{ target }} is {{ value | percent }} used',
  check: checkClearBelow,
  compile(r, scope) {
    return (res) => {
      const total = res.samples.find((s) => s.metric === 'netmon_host_memory_total_bytes')?.value;
      const avail = res.samples.find((s) => s.metric === 'netmon_host_memory_available_bytes')?.value;
      const v = total && avail !== undefined ? Math.min(1, Math.max(0, 1 - avail / total)) : undefined;
      return perTarget(scope, res, v, (x) => aboveVerdict(x, r.above, r.clear_below), r.above);
    };
  },
});
