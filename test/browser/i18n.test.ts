/**
 * The dashboard's Vietnamese is complete: every key has a Vietnamese text of its own (not the English one
 * copied), with the same {placeholders}; every key the dashboard builds at run time from an API value
 * (states, reasons, groups, problem kinds, rule kinds, directions) exists in both languages; and no chart
 * label is an English literal outside the dictionaries. Runs in Node on the dashboard's own module.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AlertRuleKind, Direction, ProblemKind, SiteGroup, SiteState } from '../../src/http/contract.js';
import { ROOT } from '../../src/paths.js';

/** Words that are the same in both languages. */
const SAME_IN_BOTH = new Set(['cpu']);

const STATES = ['up', 'degraded', 'down', 'unknown'] as const satisfies readonly SiteState[];
const GROUPS = ['datacentre', 'provincial', 'district', 'ward'] as const satisfies readonly SiteGroup[];
const REASONS = ['ping_down', 'snmp_silent', 'snmp_auth', 'snmp_error', 'loss', 'latency', 'no_data'];
/** Problem kinds the dashboard words itself (`alert` shows the alert's text). */
const PROBLEMS = ['site_down', 'site_degraded', 'uplink_saturated', 'interface_down', 'optical_low', 'optical_high', 'server'] as const satisfies readonly ProblemKind[];
/** Rule kinds whose default summary the dashboard translates (the others keep the configured text). */
const RULES = ['uplink_utilization', 'interface_down', 'site_unreachable', 'ping_loss', 'ping_latency', 'optical_rx_low', 'optical_rx_drop', 'host_cpu', 'host_memory', 'host_disk', 'probe_failing', 'agent_restarted', 'config_reload_failed'] as const satisfies readonly AlertRuleKind[];
const DIRECTIONS = ['in', 'out'] as const satisfies readonly Direction[];

type Dict = Record<string, string>;
// Not a static import: the module is compiled for the DOM by the dashboard's tsconfig, not this one.
const I18N = join(ROOT, 'dashboard', 'src', 'i18n.ts');
const load = async (): Promise<{ en: Dict; vi: Dict }> => ((await import(I18N)) as { dicts: { en: Dict; vi: Dict } }).dicts;
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('dashboard translations', () => {
  it('every key has its own Vietnamese text, with the same placeholders', async () => {
    const { en, vi } = await load();
    expect(Object.keys(vi).sort()).toEqual(Object.keys(en).sort());
    const untranslated = Object.keys(en).filter((k) => !vi[k]?.trim() || (vi[k] === en[k] && !SAME_IN_BOTH.has(en[k].toLowerCase())));
    expect(untranslated).toEqual([]);
    expect(Object.keys(en).filter((k) => placeholders(en[k]!).join() !== placeholders(vi[k]!).join())).toEqual([]);
  });

  it('has every key the dashboard builds from API values', async () => {
    const { en, vi } = await load();
    const wanted = [...STATES.map((s) => `state_${s}`), ...GROUPS.map((g) => `group_${g}`), ...REASONS.map((r) => `reason_${r}`), ...PROBLEMS.map((p) => `p_${p}`), ...RULES.map((r) => `a_${r}`), ...DIRECTIONS];
    expect(wanted.filter((k) => !(k in en) || !(k in vi))).toEqual([]);
  });

  it('no chart or legend label is an English literal outside the dictionaries', () => {
    const dir = join(ROOT, 'dashboard', 'src');
    const literal = /\blabel:\s*['"`][A-Za-z]/;
    const found = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && f !== 'i18n.ts')
      .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').map((line, i) => [`${f}:${i + 1}`, line] as const))
      .filter(([, line]) => literal.test(line))
      .map(([where, line]) => `${where}: ${line.trim()}`);
    expect(found).toEqual([]);
  });
});
