/** probe_failing: a probe's runs fail (`netmon_probe_success` 0, made by the pipeline from the run's error). */
import { z } from 'zod';
import { defineKind, ruleCommon } from './kind.js';
import { perSample } from './shared.js';

export const schema = z.strictObject({
  kind: z.literal('probe_failing'),
  ...ruleCommon,
  probes: z.array(z.enum(['snmp', 'ping', 'host'])).optional().describe('probe kinds; all if absent'),
});

export const probeFailing = defineKind(schema, {
  summary: 'The {{ probe }} probe of {{ target }} is failing ({{ reason }})',
  compile(r, scope) {
    const kinds = r.probes ? new Set<string>(r.probes) : null;
    // The reason of the last failure per target and probe: a successful run has none, and the summary of
    // the alert it resolves should still say why it was failing.
    const lastReason = new Map<string, string>();
    return (res) => {
      if (kinds && !kinds.has(res.kind)) return [];
      const key = `${res.target.name}\u0000${res.kind}`;
      if (res.error) lastReason.set(key, res.error.reason);
      const reason = lastReason.get(key) ?? '';
      return perSample(scope, res, 'netmon_probe_success', (s) => ({ value: s.value, verdict: s.value === 0 ? 'fire' : 'clear', threshold: 1, vars: { reason } }));
    };
  },
});
