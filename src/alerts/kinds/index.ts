/**
 * The rule kinds: kind → module. Adding a kind means one module in this folder (schema, default summary,
 * observe logic; see kind.ts) and one line in this table. The config schema composes `alerting.rules`
 * from it (src/config/schema.ts), rules.ts compiles configured rules with it.
 */
import type { z } from 'zod';
import { agentRestarted } from './agent-restarted.js';
import { configReloadFailed } from './config-reload-failed.js';
import { hostCpu } from './host-cpu.js';
import { hostDisk } from './host-disk.js';
import { hostMemory } from './host-memory.js';
import { interfaceDown } from './interface-down.js';
import type { Complain, RuleKind } from './kind.js';
import { opticalRxDrop } from './optical-rx-drop.js';
import { opticalRxLow } from './optical-rx-low.js';
import { pingLatency } from './ping-latency.js';
import { pingLoss } from './ping-loss.js';
import { probeFailing } from './probe-failing.js';
import { siteUnreachable } from './site-unreachable.js';
import { threshold } from './threshold.js';
import { uplinkUtilization } from './uplink-utilization.js';

/** The table's type checks that every key is its module's kind. */
const table = <T extends { [K in keyof T]: { kind: K } }>(t: T): T => t;

// The order is the order of the kinds in the JSON Schema (and editors' completion lists).
export const KINDS = table({
  uplink_utilization: uplinkUtilization,
  interface_down: interfaceDown,
  site_unreachable: siteUnreachable,
  ping_loss: pingLoss,
  ping_latency: pingLatency,
  optical_rx_low: opticalRxLow,
  optical_rx_drop: opticalRxDrop,
  host_cpu: hostCpu,
  host_memory: hostMemory,
  host_disk: hostDisk,
  probe_failing: probeFailing,
  agent_restarted: agentRestarted,
  config_reload_failed: configReloadFailed,
  threshold,
});

type Module = (typeof KINDS)[keyof typeof KINDS];
export type RuleKindName = keyof typeof KINDS;
/** A configured rule of any kind (the same type as AlertRuleConfig in the config schema). */
export type AnyRuleConfig = z.output<Module['schema']>;

/** The members of the `alerting.rules` discriminated union. */
export function alertRuleKinds(): [Module['schema'], ...Module['schema'][]] {
  const [first, ...rest] = Object.values(KINDS).map((k) => k.schema);
  return [first!, ...rest];
}

/** The module of a rule's kind, typed for rules of any kind (each module only ever sees rules of its own). */
export function kindOf(kind: RuleKindName): RuleKind<Module['schema']> {
  return KINDS[kind];
}

/** Cross-field checks of a rule (the config loader reports them at rules[i].key). */
export function checkAlertRule(rule: AnyRuleConfig, bad: Complain): void {
  kindOf(rule.kind).check?.(rule, bad);
}
