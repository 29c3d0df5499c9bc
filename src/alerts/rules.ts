/**
 * Rules from the config, compiled to functions from a probe result to observations. What a kind reads and
 * what identifies its instances is in its module (kinds/); here is what every rule shares: `match` /
 * `exclude`, the defaults, the summary.
 */
import type { AlertingConfig, AlertRuleConfig } from '../config/schema.js';
import type { ProbeResult } from '../scheduler.js';
import { kindOf } from './kinds/index.js';
import type { KindContext } from './kinds/shared.js';
import type { Observation, Severity } from './types.js';

export interface CompiledRule {
  name: string;
  kind: AlertRuleConfig['kind'];
  severity: Severity;
  forMs: number;
  keepFiringForMs: number;
  labels: Record<string, string>;
  summary: string;
  description: string;
  config: AlertRuleConfig;
  observe(result: ProbeResult): Observation[];
  /** Whether the rule's `match`/`exclude` select a series with these labels (a missing label is ""). */
  selects(labels: Record<string, string>): boolean;
}

function compileMatchers(m: Record<string, string>): [string, RegExp][] {
  return Object.entries(m).map(([k, re]) => [k, new RegExp(`^(?:${re})$`)]);
}

export function compileRule(r: AlertRuleConfig, cfg: AlertingConfig, ctx: KindContext): CompiledRule {
  const match = compileMatchers(r.match);
  const exclude = compileMatchers(r.exclude);
  const selects = (labels: Record<string, string>) =>
    match.every(([k, re]) => re.test(labels[k] ?? '')) && !(exclude.length > 0 && exclude.every(([k, re]) => re.test(labels[k] ?? '')));
  const siteName = (id: string) => ctx.sites.find((s) => s.id === id)?.name ?? id;
  const kind = kindOf(r.kind);
  return {
    name: r.name,
    kind: r.kind,
    severity: r.severity ?? cfg.defaults.severity,
    forMs: r.for ?? cfg.defaults.for,
    keepFiringForMs: r.keep_firing_for ?? cfg.defaults.keep_firing_for,
    labels: r.labels,
    summary: r.summary ?? kind.summary,
    description: r.description ?? '',
    config: r,
    observe: kind.compile(r, { ...ctx, ruleName: r.name, selects, siteName }),
    selects,
  };
}
