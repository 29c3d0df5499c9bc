/**
 * config_reload_failed: the last configuration (re)load failed. Not observed in probe results: the daemon
 * reports each reload (Alerting.reloadResult), which feeds `reloadObservation` to the rules of this kind.
 */
import { z } from 'zod';
import type { Observation } from '../types.js';
import { defineKind, ruleCommon } from './kind.js';

export const schema = z.strictObject({ kind: z.literal('config_reload_failed'), ...ruleCommon });

export const configReloadFailed = defineKind(schema, {
  summary: 'The configuration reload failed; netmon keeps running the previous configuration',
  compile: () => () => [],
});

/** The one instance (no labels) of a reload's outcome; `{{ error }}` holds the problems, cut to 1000 characters. */
export function reloadObservation(ok: boolean, message: string, ts: number): Observation {
  return { labels: {}, value: ok ? 0 : 1, verdict: ok ? 'clear' : 'fire', ts, threshold: 1, vars: { error: message.slice(0, 1000) } };
}
