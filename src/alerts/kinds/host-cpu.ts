/** host_cpu: mean CPU busy of a server (its utilisation where reported, else the mean load over its CPUs). */
import { z } from 'zod';
import { aboveRule, checkClearBelow, defineKind, ruleCommon } from './kind.js';
import { aboveVerdict, perTarget } from './shared.js';

export const schema = z.strictObject({ kind: z.literal('host_cpu'), ...ruleCommon, ...aboveRule });

export const hostCpu = defineKind(schema, {
  summary: 'CPU of {{ target }} is {{ value | percent }} busy',
  check: checkClearBelow,
  compile(r, scope) {
    return (res) => {
      const direct = res.samples.filter((s) => s.metric === 'netmon_host_cpu_utilization_ratio');
      const cpus = direct.length ? direct : res.samples.filter((s) => s.metric === 'netmon_host_cpu_load_ratio');
      const v = cpus.length ? cpus.reduce((a, s) => a + s.value, 0) / cpus.length : undefined;
      return perTarget(scope, res, v, (x) => aboveVerdict(x, r.above, r.clear_below), r.above);
    };
  },
});
