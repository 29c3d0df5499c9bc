/** interface_down: a port operationally down while administratively up (someone wants it up). */
import { z } from 'zod';
import { defineKind, ruleCommon } from './kind.js';
import { perSample } from './shared.js';

export const schema = z.strictObject({ kind: z.literal('interface_down'), ...ruleCommon }).describe('ifOperStatus down while ifAdminStatus up');

const port = (labels: Record<string, string>) => labels.if_index ?? labels.if_name ?? '';

export const interfaceDown = defineKind(schema, {
  summary: 'Interface {{ if_name }} on {{ target }} is down while administratively up',
  compile(_r, scope) {
    return (res) => {
      const admin = new Map<string, number>();
      for (const s of res.samples) if (s.metric === 'netmon_interface_admin_up') admin.set(port(s.labels), s.value);
      return perSample(scope, res, 'netmon_interface_oper_up', (s) => {
        const a = admin.get(port(s.labels));
        if (a === undefined) return undefined;
        return { value: s.value, verdict: s.value === 0 && a === 1 ? 'fire' : 'clear' };
      });
    };
  },
});
