/**
 * SNMP profiles: vendor MIB knowledge as data. A profile (probes/profiles/NAME.yaml) says which OIDs
 * to read, how to scale them and which netmon metric each becomes. Adding a vendor means adding a file.
 *
 * Format (see probes/profiles/README.md for the full reference and examples):
 *   scalars: [metric]                     GET every cycle
 *   tables:
 *     - name, index_label?                table rows; the index label carries the row index
 *       fields: {name: field}             named per-row values: a column of this row, a column of another
 *                                         row (lookups such as entAliasMapping), an index arc, a constant,
 *                                         mapped / regex-matched / tested values, first_of fallbacks
 *       labels: {label: OID | field}      labels on every series of the row
 *       info_labels, info_metric          descriptive labels on one `*_info` series per row
 *       filter: [{field, in | not_in | present}]  rows failing a filter produce nothing
 *       change_indicators: [OID]          scalars GET every cycle; a change re-walks the label columns
 *       discontinuity_oid: OID            per-row column; a change resets the row's counters
 *       row_count_oid: OID                scalar with the table's row count (ifNumber); a mismatch = partial
 *       metrics: [metric]                 value columns, walked every cycle
 * Columns used only by fields and labels are "slow": walked on the label schedule (and when a change
 * indicator, a reboot or an unknown row says the table changed), not every cycle.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { PROFILES_DIR } from '../../src/paths.js';

const oid = z.string().regex(/^\d+(\.\d+)+$/, 'a numeric OID such as 1.3.6.1.2.1.2.2.1.10');
const snake = z.string().regex(/^[a-z_][a-z0-9_]*$/, 'snake_case');
/** A metric name; may contain {field} placeholders filled per row (e.g. netmon_optical_{direction}_power_dbm). */
const metricName = z.string().regex(/^[a-z_][a-z0-9_]*(\{[a-z_][a-z0-9_]*\}[a-z0-9_]*)*$/, 'a snake_case Prometheus metric name, optionally with {field} placeholders');
const scalarValue = z.union([z.string(), z.number()]);

export interface FieldSpec {
  column?: string;
  row?: string;
  index_arc?: number;
  value?: string | number;
  oid_last_arc?: boolean;
  nonzero?: boolean;
  max?: number;
  multiply?: number;
  map?: Record<string, string | number>;
  match?: { regex: string; value: string | number }[];
  any_below?: { columns: string[]; value: number; ignore?: number[] };
  then?: string | number;
  else?: string | number;
  first_of?: FieldSpec[];
  default?: string | number;
}

const fieldSpec: z.ZodType<FieldSpec> = z.lazy(() =>
  z
    .strictObject({
      /** Read this column... */
      column: oid.optional(),
      /** ...at this row instead of the current one: a template over {index}, {1} {2}... (index arcs) and {field}. */
      row: z.string().optional(),
      /** The n-th arc (1-based) of the row's own index. */
      index_arc: z.number().int().min(1).optional(),
      /** A constant. */
      value: scalarValue.optional(),
      /** The column holds an OID (a RowPointer such as entAliasMappingIdentifier): keep its last arc. */
      oid_last_arc: z.boolean().optional(),
      /** Treat 0 as "no value" (so first_of falls through, e.g. ifHighSpeed 0 → ifSpeed). */
      nonzero: z.boolean().optional(),
      /** Treat a number above this as "no value" (an implausible reading, e.g. a negative Gauge32 read as 2^32 - 1). */
      max: z.number().optional(),
      multiply: z.number().optional(),
      /** Raw value (as text) → value; values missing from the map give no value (or `default`). */
      map: z.record(z.string(), scalarValue).optional(),
      /** Text value → the value of the first case-insensitive regex that matches. */
      match: z.array(z.strictObject({ regex: z.string(), value: scalarValue })).optional(),
      /** Test: `then` if any of these columns (this row) is below `value` (ignoring `ignore`), else `else`. */
      any_below: z.strictObject({ columns: z.array(oid).min(1), value: z.number(), ignore: z.array(z.number()).optional() }).optional(),
      then: scalarValue.optional(),
      else: scalarValue.optional(),
      /** The first alternative that yields a value. */
      first_of: z.array(fieldSpec).optional(),
      default: scalarValue.optional(),
    })
    .superRefine((f, ctx) => {
      const kinds = [f.column, f.index_arc, f.value, f.any_below, f.first_of].filter((x) => x !== undefined).length;
      if (kinds !== 1) ctx.addIssue({ code: 'custom', message: 'a field needs exactly one of column, index_arc, value, any_below, first_of' });
      if (f.any_below && (f.then === undefined || f.else === undefined)) ctx.addIssue({ code: 'custom', message: 'any_below needs then and else' });
      for (const m of f.match ?? []) {
        try {
          new RegExp(m.regex, 'i');
        } catch (e) {
          ctx.addIssue({ code: 'custom', message: `bad regex ${m.regex}: ${(e as Error).message}` });
        }
      }
    }),
);

/** Value conversion: scale, powers of ten and multipliers from fields, then an optional transform. */
const conversion = {
  /** Multiplier applied to the raw value, e.g. 0.01 for centiseconds → seconds, 1e6 for Mbit/s → bit/s. */
  scale: z.number().optional(),
  /** Multiply by 10^(sum of these fields), e.g. entSensorScale/entSensorPrecision. */
  pow10: z.array(snake).optional(),
  /** Multiply by these fields, e.g. hrStorageAllocationUnits. */
  multiply_by: z.array(snake).optional(),
  /** After scaling: mw_to_dbm turns milliwatts into dBm (10·log10 mW; 0 or less → the -40 dBm floor). */
  transform: z.enum(['mw_to_dbm']).optional(),
};
const variant = z.strictObject(conversion);

const metric = z
  .strictObject({
    oid,
    /**
     * Read this column instead, row by row, where the agent has no `oid` value (e.g. ifInOctets for
     * ifHCInOctets: a port with only 32-bit counters next to 64-bit ones).
     */
    fallback_oid: oid.optional(),
    /** `scale` for values read from `fallback_oid`, when its unit differs (ifSpeed bit/s for ifHighSpeed Mbit/s). */
    fallback_scale: z.number().optional(),
    metric: metricName,
    type: z.enum(['counter', 'gauge']),
    ...conversion,
    unit: z.string().default(''),
    help: z.string().min(1),
    /** Enumerations mapped to numbers, e.g. ifOperStatus up(1) → 1, anything else → 0. */
    value_map: z.record(z.string(), z.number()).optional(),
    /** Value used for raw values absent from `value_map`. */
    value_map_default: z.number().optional(),
    /** Raw values meaning "no reading" (e.g. 2147483647 on H3C transceivers); such rows produce no sample. */
    invalid_values: z.array(z.number()).default([]),
    /**
     * Raw values above this are implausible (no sample, counted as netmon_snmp_values_discarded_total
     * {reason="implausible"}): e.g. an ifHighSpeed a broken agent encodes as a negative Gauge32, which
     * net-snmp reads as 2^32 - 1 Mbit/s. In `oid`'s unit: it does not apply to `fallback_oid`.
     */
    max_value: z.number().optional(),
    /** A negative raw value is an Integer32 that overflowed: add 2^32 (hrStorageSize on large disks). */
    unsigned32: z.boolean().default(false),
    /** Pick the conversion per row by this field's value (e.g. Huawei µW vs 0.01 dBm). */
    variant_field: snake.optional(),
    variants: z.record(z.string(), variant).optional(),
    /**
     * Counters: the port's speed in raw counter units per second = field × scale (e.g. interface speed
     * in bit/s × 0.125 = octets/s). Speeds lie, so it is no limit by itself: a Counter32 is judged
     * against 4 × it (a wrap is unfolded only if one wrap explains the reading; more than that, or the
     * chance of two wraps, is a counted gap), and a Counter64 is never limited (see counters.ts).
     */
    rate_ceiling: z.strictObject({ field: snake, scale: z.number().positive().default(1) }).optional(),
    /** Constant labels on this metric's series, e.g. {mode: user} for ssCpuRawUser. */
    const_labels: z.record(snake, z.string()).default({}),
  })
  .superRefine((m, ctx) => {
    if ((m.variant_field === undefined) !== (m.variants === undefined)) ctx.addIssue({ code: 'custom', message: 'variant_field and variants go together' });
    if (m.rate_ceiling && m.type !== 'counter') ctx.addIssue({ code: 'custom', message: 'rate_ceiling is for counters' });
    if (m.fallback_scale !== undefined && !m.fallback_oid) ctx.addIssue({ code: 'custom', message: 'fallback_scale needs fallback_oid' });
  });
export type ProfileMetric = z.output<typeof metric>;

const filter = z
  .strictObject({
    field: snake,
    in: z.array(scalarValue).optional(),
    not_in: z.array(scalarValue).optional(),
    /** true: the field must have a value; false: it must not. */
    present: z.boolean().optional(),
  })
  .refine((f) => f.in !== undefined || f.not_in !== undefined || f.present !== undefined, 'a filter needs in, not_in or present');

const labelSource = z.union([oid, snake]);

const table = z
  .strictObject({
    name: z.string(),
    description: z.string().optional(),
    /** Label that carries the row index (the OID suffix after the column). */
    index_label: snake.optional(),
    fields: z.record(snake, fieldSpec).default({}),
    /** Labels on every series of the table: a column OID (this row) or a field name. Walked on the slow schedule. */
    labels: z.record(snake, labelSource).default({}),
    /** Extra descriptive columns/fields exported only on the table's info metric. */
    info_labels: z.record(snake, labelSource).default({}),
    /** Metric name of the info series (value 1) carrying labels + info_labels. */
    info_metric: metricName.optional(),
    filter: z.array(filter).default([]),
    /** Scalar OIDs read every cycle; when one changes, the label columns are re-walked (ifTableLastChange, ifNumber). */
    change_indicators: z.array(oid).default([]),
    /** Per-row column; when its value changes the row's counters restart (ifCounterDiscontinuityTime). */
    discontinuity_oid: oid.optional(),
    /** Scalar saying how many rows the table has (ifNumber), GET every cycle; a mismatch makes the poll "partial". */
    row_count_oid: oid.optional(),
    metrics: z.array(metric).min(1),
  })
  .superRefine((t, ctx) => {
    const fields = new Set(Object.keys(t.fields));
    const need = (name: string, where: string) => {
      if (!fields.has(name)) ctx.addIssue({ code: 'custom', message: `${where} uses unknown field ${name}` });
    };
    for (const [l, src] of [...Object.entries(t.labels), ...Object.entries(t.info_labels)]) if (!oid.safeParse(src).success) need(src, `label ${l}`);
    for (const f of t.filter) need(f.field, 'filter');
    for (const m of t.metrics) {
      for (const p of placeholders(m.metric)) need(p, `metric ${m.metric}`);
      for (const f of [...(m.pow10 ?? []), ...(m.multiply_by ?? []), ...Object.values(m.variants ?? {}).flatMap((v) => [...(v.pow10 ?? []), ...(v.multiply_by ?? [])])]) need(f, `metric ${m.metric}`);
      if (m.variant_field) need(m.variant_field, `metric ${m.metric}`);
      if (m.rate_ceiling) need(m.rate_ceiling.field, `metric ${m.metric}`);
    }
  });
export type ProfileTable = z.output<typeof table>;

export const profileSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
    description: z.string(),
    scalars: z.array(metric).default([]),
    tables: z.array(table).default([]),
  })
  .superRefine((p, ctx) => {
    for (const s of p.scalars) {
      if (placeholders(s.metric).length || s.pow10 || s.multiply_by || s.variant_field || s.rate_ceiling)
        ctx.addIssue({ code: 'custom', message: `scalar ${s.metric}: fields (placeholders, pow10, multiply_by, variants, rate_ceiling) exist only in tables` });
    }
  });
export type Profile = z.output<typeof profileSchema>;

/** The {field} placeholders of a metric name template. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(/\{([a-z_][a-z0-9_]*)\}/g)].map((m) => m[1]!);
}

export function parseProfile(text: string, source: string): Profile {
  // YAML merge keys (<<: *anchor) let tables share field definitions.
  const parsed = profileSchema.safeParse(parse(text, { merge: true }));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${source}: ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

/** Load every profile in the profile directory, keyed by name; a malformed profile is an error naming its file. */
export function loadProfiles(dir = PROFILES_DIR): Map<string, Profile> {
  const profiles = new Map<string, Profile>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    const path = join(dir, file);
    const p = parseProfile(readFileSync(path, 'utf8'), path);
    if (profiles.has(p.name)) throw new Error(`${path}: profile name ${p.name} is used twice`);
    profiles.set(p.name, p);
  }
  return profiles;
}

/** The finite set of values a field can take (from map/match/then/else/value/default), if it has one. */
function fieldValues(spec: FieldSpec): (string | number)[] | undefined {
  let out: (string | number)[] | undefined;
  if (spec.match) out = spec.match.map((m) => m.value);
  else if (spec.map) out = Object.values(spec.map);
  else if (spec.any_below) out = [spec.then!, spec.else!];
  else if (spec.value !== undefined) out = [spec.value];
  else if (spec.first_of) {
    const alts = spec.first_of.map(fieldValues);
    out = alts.every((a): a is (string | number)[] => a !== undefined) ? alts.flat() : undefined;
  }
  if (out && spec.default !== undefined) out.push(spec.default);
  return out ? [...new Set(out)] : undefined;
}

export interface ConcreteMetric {
  metric: string;
  type: 'counter' | 'gauge';
  help: string;
  unit: string;
  /** Label names the series carry (besides target, site and the target's own labels). */
  labels: string[];
}

/**
 * Every concrete metric a profile can produce, with {field} placeholders expanded over the values the
 * field can take (e.g. netmon_optical_{direction}_power_dbm → ..._rx_... and ..._tx_...): for docs,
 * the exporter's HELP/TYPE registry and lint tests.
 */
export function profileMetricNames(p: Profile): ConcreteMetric[] {
  const out: ConcreteMetric[] = [];
  for (const s of p.scalars) out.push({ metric: s.metric, type: s.type, help: s.help, unit: s.unit, labels: Object.keys(s.const_labels) });
  for (const t of p.tables) {
    const labels = [...(t.index_label ? [t.index_label] : []), ...Object.keys(t.labels)];
    for (const m of t.metrics) {
      let names = [m.metric];
      for (const ph of placeholders(m.metric)) {
        const spec = t.fields[ph];
        const values = spec ? fieldValues(spec) : undefined;
        if (!values) throw new Error(`profile ${p.name}: metric ${m.metric}: field ${ph} has no finite set of values (use map or match)`);
        names = names.flatMap((n) => values.map((v) => n.replaceAll(`{${ph}}`, String(v))));
      }
      for (const metric of names) out.push({ metric, type: m.type, help: m.help, unit: m.unit, labels: [...labels, ...Object.keys(m.const_labels)] });
    }
    if (t.info_metric) out.push({ metric: t.info_metric, type: 'gauge', help: `Descriptive labels of the ${t.name} rows (value is always 1).`, unit: '', labels: [...labels, ...Object.keys(t.info_labels)] });
  }
  return out;
}
