/** agent_restarted: an SNMP agent's sysUpTime is below `window` (it restarted), a TimeTicks wrap excepted. */
import { z } from 'zod';
import { duration } from '../../config/primitives.js';
import { defineKind, ruleCommon } from './kind.js';
import { perSample } from './shared.js';

export const schema = z.strictObject({
  kind: z.literal('agent_restarted'),
  ...ruleCommon,
  window: duration.prefault('15m').describe('fires when sysUpTime went back, until the agent has been up this long'),
});

/** sysUpTime is TimeTicks (1/100 s) in 32 bits: it wraps after 497 days. */
const TICKS_MAX_SECONDS = 2 ** 32 / 100;

export const agentRestarted = defineKind(schema, {
  summary: 'The SNMP agent of {{ target }} restarted {{ value | duration }} ago',
  compile(r, scope) {
    const windowS = r.window / 1000;
    // A sysUpTime that wrapped is not a restart: remembered per target until it passes the window.
    const wrapped = new Map<string, boolean>();
    const last = new Map<string, number>();
    return (res) =>
      perSample(scope, res, 'netmon_snmp_agent_uptime_seconds', (s) => {
        const key = res.target.name;
        const prev = last.get(key);
        last.set(key, s.value);
        if (prev !== undefined && prev > TICKS_MAX_SECONDS - 86_400 && s.value < prev) wrapped.set(key, true);
        if (s.value >= windowS) wrapped.delete(key);
        const restarted = s.value < windowS && !wrapped.get(key);
        return { value: s.value, verdict: restarted ? 'fire' : 'clear', threshold: windowS };
      });
  },
});
