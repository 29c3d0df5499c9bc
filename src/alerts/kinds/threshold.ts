/** threshold: any gauge crossing a value, above or below, with an optional clearing level. */
import { z } from 'zod';
import { defineKind, ruleCommon } from './kind.js';
import { aboveVerdict, belowVerdict, perSample } from './shared.js';

export const schema = z.strictObject({
  kind: z.literal('threshold'),
  ...ruleCommon,
  metric: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'expected a metric name'),
  above: z.number().optional(),
  below: z.number().optional(),
  clear: z.number().optional().describe('value at which a firing alert clears (hysteresis); default the threshold'),
});

export const threshold = defineKind(schema, {
  summary: '{{ metric }} of {{ target }} is {{ value }} (threshold {{ threshold }})',
  check(r, bad) {
    if ((r.above === undefined) === (r.below === undefined)) bad('above', 'set exactly one of `above` and `below`');
    else if (r.clear !== undefined && (r.above !== undefined ? r.clear > r.above : r.clear < r.below!)) bad('clear', 'must be on the clear side of the threshold');
  },
  compile(r, scope) {
    const fire = r.above ?? r.below!;
    const judge = r.above !== undefined ? aboveVerdict : belowVerdict;
    return (res) => perSample(scope, res, r.metric, (s) => ({ value: s.value, verdict: judge(s.value, fire, r.clear ?? fire), threshold: fire, vars: { metric: r.metric } }));
  },
});
