/**
 * Profiles → request plan: which scalars to GET, which table columns to walk every cycle ("fast": the
 * metrics' value columns) and which only on the label schedule ("slow": columns read only by fields and
 * labels), and the change indicators that say the slow columns must be re-read. Compiled once per list of
 * profile names and cached: a plan is immutable and shared by every target with the same profiles.
 */
import { ProbeError } from '../../src/types.js';
import { FieldSet, templateOf } from './fields.js';
import { placeholders, type Profile, type ProfileMetric, type ProfileTable } from './profile.js';
import type { ColumnData } from './walk.js';

export type Template = ReturnType<typeof templateOf>;
/** Where a label's value comes from: a column of the row, or a field. */
export type LabelSource = { label: string; column?: string; field?: string };

export interface PlanMetric {
  m: ProfileMetric;
  /** The metric name's {field} template, when it has placeholders. */
  template?: Template;
}

export interface PlanTable {
  t: ProfileTable;
  /** `profile/table`: identity of the table in the label cache and the discontinuity state. */
  key: string;
  fields: FieldSet;
  metrics: PlanMetric[];
  labels: LabelSource[];
  info: LabelSource[];
  /** Columns only fields and labels read: walked on the slow schedule. */
  slow: string[];
}

export interface Plan {
  scalars: ProfileMetric[];
  tables: PlanTable[];
  /** Scalar OIDs GET every cycle; a change re-walks the slow columns. */
  indicators: string[];
  /** The slow columns of every table, deduplicated. */
  slowColumns: string[];
}

const OID_RE = /^\d+(\.\d+)+$/;

export function compilePlan(profiles: readonly Profile[]): Plan {
  const tables: PlanTable[] = [];
  for (const p of profiles) {
    for (const t of p.tables) {
      const fields = new FieldSet(t.fields);
      const src = (entries: [string, string][]): LabelSource[] =>
        entries.map(([label, s]) => (OID_RE.test(s) ? { label, column: s } : { label, field: s }));
      const labels = src(Object.entries(t.labels));
      const info = src(Object.entries(t.info_labels));
      const fast = new Set(t.metrics.flatMap((m) => [m.oid, ...(m.fallback_oid ? [m.fallback_oid] : [])]));
      if (t.discontinuity_oid) fast.add(t.discontinuity_oid);
      const slow = new Set<string>(fields.columns());
      for (const l of [...labels, ...info]) if (l.column) slow.add(l.column);
      for (const c of fast) slow.delete(c);
      tables.push({
        t,
        key: `${p.name}/${t.name}`,
        fields,
        metrics: t.metrics.map((m) => ({ m, template: placeholders(m.metric).length ? templateOf(m.metric) : undefined })),
        labels,
        info,
        slow: [...slow],
      });
    }
  }
  return {
    scalars: profiles.flatMap((p) => p.scalars),
    tables,
    indicators: [...new Set(tables.flatMap((t) => t.t.change_indicators))],
    slowColumns: [...new Set(tables.flatMap((t) => t.slow))],
  };
}

/** A cache of plans by profile list; an unknown profile name is a config error naming the known ones. */
export function planCache(profiles: ReadonlyMap<string, Profile>): (names: readonly string[]) => Plan {
  const plans = new Map<string, Plan>();
  return (names) => {
    const key = names.join(',');
    let plan = plans.get(key);
    if (!plan) {
      const wanted = names.map((name) => {
        const p = profiles.get(name);
        if (!p) throw new ProbeError('config', `unknown SNMP profile ${name}; known: ${[...profiles.keys()].join(', ')}`);
        return p;
      });
      plans.set(key, (plan = compilePlan(wanted)));
    }
    return plan;
  };
}

/** The column a metric is read from: its fallback (32-bit) column once the agent has shown it lacks the main one. */
export function columnOf(m: ProfileMetric, fallback: ReadonlySet<string>): string {
  return m.fallback_oid && fallback.has(m.oid) ? m.fallback_oid : m.oid;
}

/** table key → the row indexes any of its value columns has in `data`. */
export function tableRows(plan: Plan, data: ColumnData, fallback: ReadonlySet<string>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const pt of plan.tables) {
    const rows = new Set<string>();
    for (const { m } of pt.metrics) for (const i of data.get(columnOf(m, fallback))?.keys() ?? []) rows.add(i);
    out.set(pt.key, rows);
  }
  return out;
}
