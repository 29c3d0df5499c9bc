/**
 * What a reload changed, in the admin's words: sites, targets, alert rules, uplinks and credentials added,
 * removed or changed, by name and counted ("0 jobs added, 0 removed, 128 unchanged" said nothing when only
 * site names had changed). Credentials are named, never shown.
 */
import { isDeepStrictEqual } from 'node:util';
import type { LoadedConfig } from './model.js';

interface Change {
  added: string[];
  removed: string[];
  changed: string[];
}

const MAX_NAMES = 5;

function compare<T>(before: readonly T[], after: readonly T[], key: (x: T) => string): Change {
  const old = new Map(before.map((x) => [key(x), x]));
  const now = new Map(after.map((x) => [key(x), x]));
  return {
    added: [...now.keys()].filter((k) => !old.has(k)),
    removed: [...old.keys()].filter((k) => !now.has(k)),
    changed: [...now].filter(([k, v]) => old.has(k) && !isDeepStrictEqual(old.get(k), v)).map(([k]) => k),
  };
}

const names = (list: string[]) => (list.length > MAX_NAMES ? `${list.slice(0, MAX_NAMES).join(', ')}, … ${list.length - MAX_NAMES} more` : list.join(', '));

function describe(what: string, c: Change): string | undefined {
  const parts = (['added', 'removed', 'changed'] as const).filter((k) => c[k].length).map((k) => `${c[k].length} ${k} (${names(c[k])})`);
  return parts.length ? `${what}: ${parts.join(', ')}` : undefined;
}

/** `sites: 2 changed (a, b); targets: 1 added (x)`, or `no change to sites, targets, rules, uplinks or credentials`. */
export function describeConfigChange(before: LoadedConfig, after: LoadedConfig): string {
  const sections = [
    describe('sites', compare(before.sites, after.sites, (s) => s.id)),
    describe('targets', compare(before.targets, after.targets, (t) => t.name)),
    describe('rules', compare(before.alerting?.rules ?? [], after.alerting?.rules ?? [], (r) => r.name)),
    describe('uplinks', compare(before.uplinks, after.uplinks, (u) => u.name)),
    describe('credentials', compare([...before.credentials], [...after.credentials], ([k]) => k)),
  ].filter((s): s is string => s !== undefined);
  return sections.length ? sections.join('; ') : 'no change to sites, targets, rules, uplinks or credentials';
}
