/**
 * Profiles → request plan: which scalars to GET, which table columns to walk every cycle ("fast": the
 * metrics' value columns) and which only on the label schedule ("slow": columns read only by fields and
 * labels), and the change indicators that say the slow columns must be re-read. Compiled once per list of
 * profile names and cached: a plan is immutable and shared by every target with the same profiles.
 */
import { ProbeError } from '../../src/types.js';
import { FieldSet, templateOf } from './fields.js';
import { placeholders, type Profile, type ProfileMetric, type ProfileTable } from './profile.js';
import type { RawValue } from './walk.js';

type ReadonlyColumns = ReadonlyMap<string, ReadonlyMap<string, RawValue>>;

export type Template = ReturnType<typeof templateOf>;
/** Where a label's value comes from: a column of the row, or a field. */
export type LabelSource = { label: string; column?: string; field?: string };

export interface PlanMetric {
  m: ProfileMetric;
  /** The metric as read from its fallback column (`fallback_scale` applied), for rows that lack `m.oid`. */
  fb?: ProfileMetric;
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
  /** Row-count scalars (ifNumber), GET every cycle to check the tables against. */
  rowCounts: string[];
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
      // A fallback column a field also reads (ifSpeed, for the speed ceiling) stays on the slow schedule:
      // it is walked as a value only for the rows (or agents) that lack the main column.
      for (const m of t.metrics) slow.delete(m.oid);
      if (t.discontinuity_oid) slow.delete(t.discontinuity_oid);
      tables.push({
        t,
        key: `${p.name}/${t.name}`,
        fields,
        metrics: t.metrics.map((m) => ({
          m,
          fb: m.fallback_oid ? { ...m, oid: m.fallback_oid, scale: m.fallback_scale ?? m.scale, max_value: undefined } : undefined,
          template: placeholders(m.metric).length ? templateOf(m.metric) : undefined,
        })),
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
    rowCounts: [...new Set(tables.flatMap((t) => (t.t.row_count_oid ? [t.t.row_count_oid] : [])))],
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

/**
 * Where a row's value of a metric comes from: the main column, else (row by row) the fallback column, so
 * a port with only 32-bit counters on an agent that has 64-bit ones for the others still gets its series.
 */
export function rowValue(pm: PlanMetric, data: ReadonlyColumns, index: string): { value: RawValue; column: string; m: ProfileMetric } | undefined {
  const main = data.get(pm.m.oid)?.get(index);
  if (main !== undefined && main !== null) return { value: main, column: pm.m.oid, m: pm.m };
  if (!pm.fb) return undefined;
  const fb = data.get(pm.fb.oid)?.get(index);
  return fb === undefined || fb === null ? undefined : { value: fb, column: pm.fb.oid, m: pm.fb };
}

/** table key → the row indexes any of its value columns (main or fallback) has in `data`. */
export function tableRows(plan: Plan, data: ReadonlyColumns): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const pt of plan.tables) {
    const rows = new Set<string>();
    for (const { m } of pt.metrics) {
      for (const i of data.get(m.oid)?.keys() ?? []) rows.add(i);
      if (m.fallback_oid) for (const i of data.get(m.fallback_oid)?.keys() ?? []) rows.add(i);
    }
    out.set(pt.key, rows);
  }
  return out;
}
