/**
 * What a rule kind module is: its config schema (one member of the `alerting.rules` union), its default
 * summary, optional cross-field checks, and `compile`, which turns one configured rule into a function from
 * a probe result to observations. The state machine (../engine.ts) does the rest. The fields every rule
 * shares are here too, so each kind's schema reads `kind`, the common fields, then its own.
 */
import { z } from 'zod';
import { duration, name } from '../../config/primitives.js';
import type { ProbeResult } from '../../scheduler.js';
import type { Observation } from '../types.js';
import type { RuleScope } from './shared.js';

const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'expected a Prometheus label name (letters, digits, `_`)');
const regexString = z.string().refine((s) => {
  try {
    new RegExp(`^(?:${s})$`);
    return true;
  } catch {
    return false;
  }
}, 'expected a valid regular expression');
const labelMatchers = z.record(labelName, regexString).default({});
const ratio = z.number().min(0).max(1);

/** Fields of every rule. Optional (no default) where `alerting.defaults` fills them in. */
export const ruleCommon = {
  name: name.describe('alert name (the `alertname` label); unique among rules'),
  severity: z.enum(['critical', 'warning', 'info']).optional().describe('`severity` label; alerting.defaults.severity if absent'),
  for: duration.optional().describe('how long the condition must hold before the alert fires (pending until then)'),
  keep_firing_for: duration.optional().describe('how long a firing alert keeps firing after its condition cleared (stops flapping)'),
  labels: z.record(labelName, z.string()).default({}).describe('extra labels on the alert (routing in Alertmanager)'),
  summary: z.string().optional().describe('one-line text; {{ label }}, {{ value }}, {{ threshold }}, {{ site_name }}, filters | percent | round | ms | dbm'),
  description: z.string().optional().describe('longer text, same template syntax as summary'),
  match: labelMatchers.describe('only series whose labels fully match these regular expressions (missing label = "")'),
  exclude: labelMatchers.describe('skip series whose labels fully match all of these regular expressions'),
};

/** `above` / `clear_below` of the ratio rules. */
export const aboveRule = {
  above: ratio.describe('fires above this ratio (0-1)'),
  clear_below: ratio.optional().describe('a firing alert clears only below this (hysteresis); default `above`'),
};

/** Reports a problem with a rule's field (the config loader points at rules[i].key). */
export type Complain = (key: string, message: string) => void;

/** The hysteresis level must be on the clear side of the firing one. */
export function checkClearBelow(r: { above: number; clear_below?: number | undefined }, bad: Complain): void {
  if (r.clear_below !== undefined && r.clear_below > r.above) bad('clear_below', 'must not be greater than `above`');
}

export type Observe = (result: ProbeResult) => Observation[];

/** The schema of one rule kind: a strict object whose `kind` is a literal. */
export type RuleSchema = z.ZodObject<{ kind: z.ZodLiteral<string> } & typeof ruleCommon>;

export interface RuleKind<S extends RuleSchema = RuleSchema> {
  readonly kind: z.output<S>['kind'];
  readonly schema: S;
  /** The summary of a rule that sets none (English; the dashboard translates it by kind). */
  readonly summary: string;
  /** Checks across fields that the schema cannot express. */
  check?(rule: z.output<S>, bad: Complain): void;
  compile(rule: z.output<S>, scope: RuleScope): Observe;
}

export function defineKind<S extends RuleSchema>(schema: S, spec: Omit<RuleKind<S>, 'kind' | 'schema'>): RuleKind<S> {
  return { kind: schema.shape.kind.value, schema, ...spec };
}
