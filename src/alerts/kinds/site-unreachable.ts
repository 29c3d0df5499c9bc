/**
 * site_unreachable: the status module (src/status/) decided a target is down. It emits, in the result of
 * every probe run of the target, `netmon_target_state` (0 down, 1 degraded, 2 up; nothing while unknown)
 * and one `netmon_target_state_reason_info{reason}` per active reason. The rule reads that decision and
 * nothing else, so the alert, the site tiles, /api/v1/sites and /api/v1/problems never disagree.
 */
import { z } from 'zod';
import { defineKind, ruleCommon } from './kind.js';
import { perTarget } from './shared.js';

export const schema = z.strictObject({ kind: z.literal('site_unreachable'), ...ruleCommon }).describe('the target is down (netmon_target_state 0), as on the dashboard');

const DOWN = 0;

export const siteUnreachable = defineKind(schema, {
  summary: 'Site {{ site_name }} ({{ target }}) is unreachable',
  compile(_r, scope) {
    return (res) => {
      const own = (metric: string) => res.samples.filter((s) => s.metric === metric && s.labels.target === res.target.name);
      const state = own('netmon_target_state')[0];
      // unknown (no decision yet), or a value this rule does not know: no word on the instance
      if (!state || ![0, 1, 2].includes(state.value)) return [];
      const reasons = own('netmon_target_state_reason_info')
        .filter((s) => s.value === 1 && s.labels.reason)
        .map((s) => s.labels.reason!)
        .join(', ');
      // The instance is the target (as before the status module), so fingerprints stored in SQLite still match.
      // `via` is the template variable of earlier versions, kept so existing summaries still render.
      return perTarget(scope, res, state.value === DOWN ? 1 : 0, (v) => (v === 1 ? 'fire' : 'clear'), 1, { reasons, via: reasons });
    };
  },
});
