/**
 * Rows → samples, the step snmp_exporter calls pduToSamples: given the plan, what one poll read (raw
 * values, the label cache, the rows of each table) and the target's counter state, make the samples. No
 * I/O and no clock: the same input gives the same samples, which is what test/snmp/samples.test.ts checks.
 *
 * Per row: fields and labels evaluated, filters applied, metric name templates filled; gauges converted
 * (invalid values, unsigned32, value_map, variants, scale, pow10, multiply_by, mw_to_dbm); counters
 * through CounterTracker (wraps; gaps for discontinuities, resets, implausible or ambiguous intervals,
 * never a zero); one info series per row, and the target's count of counter gaps by reason.
 * Samples carry only the probe's own labels: the pipeline adds target, site and the target's labels.
 */
import type { Sample } from '../../src/types.js';
import { DISCARD_REASONS, type CounterStats, type CounterTracker } from './counters.js';
import { rawToLabel, toNumber, type ColumnView, type Row } from './fields.js';
import { rowValue, type LabelSource, type Plan } from './plan.js';
import type { ProfileMetric, ProfileTable } from './profile.js';
import type { RawValue, WalkCut } from './walk.js';

const MAX_U64 = 2n ** 64n - 1n;
const MAX_U32 = 2 ** 32 - 1;
/** dBm reported for "no light" (0 mW): the floor of SFF-8472 diagnostics (0.1 µW). */
export const DBM_FLOOR = -40;

type Columns = ReadonlyMap<string, ReadonlyMap<string, RawValue>>;

/** What one poll read. */
export interface RawPoll {
  /** GET results by OID; undefined for an OID the agent lacks. */
  scalars: ReadonlyMap<string, RawValue | undefined>;
  /** Columns walked in this poll (value columns, and the slow ones when they were re-read). */
  columns: Columns;
  /** The label cache: the slow columns as last read. */
  labelCache?: Columns;
  /** table key → row indexes present in the value columns. */
  rows: ReadonlyMap<string, ReadonlySet<string>>;
  /** sysUpTime went back (the counters were already told to restart). */
  rebooted: boolean;
}

/** The per-target state the sample step reads and updates. */
export interface CounterState {
  counters: CounterTracker;
  /** table key + row → last ifCounterDiscontinuityTime */
  discontinuity: Map<string, string>;
  /**
   * counter series → the column it was last read from. A row switching between its 64-bit and 32-bit
   * column keeps one series, restarted (a counter reset) at the switch: never a false jump or wrap.
   */
  sources: Map<string, string>;
}

export function mwToDbm(mw: number): number {
  if (!(mw > 0)) return DBM_FLOOR;
  return Math.max(DBM_FLOOR, 10 * Math.log10(mw));
}

/**
 * A gauge's exported value, or undefined when the row has no usable reading; a reading above the
 * profile's max_value is counted in `stats.implausible`.
 */
export function gaugeValue(m: ProfileMetric, raw: RawValue, row: Row | undefined, stats?: CounterStats): number | undefined {
  let n = toNumber(raw);
  if (n === undefined || m.invalid_values.includes(n)) return undefined;
  if (m.unsigned32 && n < 0) n += 2 ** 32;
  if (m.max_value !== undefined && !(n <= m.max_value)) {
    if (stats) stats.implausible++;
    return undefined;
  }
  if (m.value_map) return m.value_map[String(n)] ?? m.value_map_default;
  let conv: Pick<ProfileMetric, 'scale' | 'pow10' | 'multiply_by' | 'transform'> = m;
  if (m.variant_field && m.variants) {
    const which = row?.get(m.variant_field);
    const v = which === undefined ? undefined : m.variants[String(which)];
    if (!v) return undefined;
    conv = v;
  }
  // Dividing by 100 rather than multiplying by 0.01 gives the nearest double (41 % → 0.41, not 0.41000000000000003).
  const scale = conv.scale ?? 1;
  let v = scale < 1 && Number.isInteger(1 / scale) ? n / (1 / scale) : n * scale;
  if (conv.pow10 || conv.multiply_by) {
    if (!row) return undefined;
    let exp = 0;
    for (const f of conv.pow10 ?? []) {
      const x = toNumber(row.get(f));
      if (x === undefined) return undefined;
      exp += x;
    }
    if (exp !== 0) v *= 10 ** exp;
    for (const f of conv.multiply_by ?? []) {
      const x = toNumber(row.get(f));
      if (x === undefined) return undefined;
      v *= x;
    }
  }
  if (conv.transform === 'mw_to_dbm') v = mwToDbm(v);
  return Number.isFinite(v) ? v : undefined;
}

function counterValue(
  counters: CounterTracker,
  m: ProfileMetric,
  raw: RawValue,
  key: string,
  ts: number,
  speed: number | undefined,
  discontinuity: boolean,
  seen: Set<string>,
): number | undefined {
  let big: bigint;
  let bits: 32 | 64;
  if (typeof raw === 'bigint') {
    if (raw < 0n || raw > MAX_U64) return undefined; // garbage: wider than a Counter64 (found by bench/fuzz-snmp.ts: exported as Infinity)
    big = raw;
    bits = 64;
  } else if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 0 && raw <= MAX_U32) {
    big = BigInt(raw);
    bits = 32;
  } else return undefined; // garbage: a counter that is not a non-negative integer
  seen.add(key);
  const scale = m.scale ?? 1;
  // The speed is in raw counter units per second, like the tracker's.
  const total = counters.update(key, big, bits, ts, speed, discontinuity);
  if (total === undefined) return undefined;
  const v = Number(total) * scale;
  return Number.isFinite(v) ? v : undefined;
}

/**
 * The port speed behind a counter's rate_ceiling, in raw counter units per second: 0 when the port's
 * speed is unknown (then a Counter32 decrease is a reset, see counters.ts), undefined without a ceiling.
 */
function speedOf(m: ProfileMetric, row: Row): number | undefined {
  if (!m.rate_ceiling) return undefined;
  const f = toNumber(row.get(m.rate_ceiling.field));
  return f !== undefined && f > 0 ? f * m.rate_ceiling.scale : 0;
}

const DISCARDED_METRIC = 'netmon_snmp_intervals_discarded_total';

/**
 * The target's counter intervals given no sample, by reason (the pipeline adds target and site), and its
 * implausible gauge readings: one series per reason from the first poll on, so rate() and alerts see
 * every increase.
 */
export function discardSamples(stats: CounterStats, ts: number): Sample[] {
  const implausible: Sample = {
    metric: 'netmon_snmp_values_discarded_total',
    labels: { reason: 'implausible' },
    value: stats.implausible,
    ts,
    type: 'counter',
    help: "Gauge readings given no sample because they are above the profile's plausible maximum (e.g. an ifHighSpeed sent as a negative Gauge32, read as 4294967295 Mbit/s: the speed is then unknown).",
  };
  return [implausible, ...DISCARD_REASONS.map((reason) => ({
    metric: DISCARDED_METRIC,
    labels: { reason },
    value: stats.discarded[reason],
    ts,
    type: 'counter' as const,
    help: 'Counter intervals (previous poll to this one) given no sample because they cannot be read unambiguously, by reason: ambiguous_wrap (a 32-bit counter may have wrapped more than once), implausible_rate (a 32-bit counter rose faster than 4× the port speed), reset (the counter went down), discontinuity (sysUpTime went back or ifCounterDiscontinuityTime changed).',
  }))];
}

/** The target's polls cut at a walk limit, by limit: both series from the first poll on. */
export function cutSamples(cuts: Readonly<Record<WalkCut, number>>, ts: number): Sample[] {
  return (['row_limit', 'request_limit'] as const).map((reason) => ({
    metric: 'netmon_snmp_walks_cut_total',
    labels: { reason },
    value: cuts[reason],
    ts,
    type: 'counter' as const,
    help: 'SNMP polls whose table walk was cut at a limit (snmp.max_table_rows: row_limit, snmp.max_table_requests: request_limit): a huge or endless table, read up to the limit.',
  }));
}

function labelValue(l: LabelSource, row: Row): string {
  if (l.column) return rawToLabel(row.column(l.column));
  const v = row.get(l.field!);
  return v === undefined ? '' : String(v);
}

function passes(t: ProfileTable, row: Row): boolean {
  for (const f of t.filter) {
    const v = row.get(f.field);
    if (f.present !== undefined && (v !== undefined) !== f.present) return false;
    if (f.in && (v === undefined || !f.in.some((x) => String(x) === String(v)))) return false;
    if (f.not_in && v !== undefined && f.not_in.some((x) => String(x) === String(v))) return false;
  }
  return true;
}

/**
 * The samples of one poll, all stamped `ts`. Updates `state`: counter totals, discontinuity times, and
 * forgets the series and rows this poll no longer has.
 */
export function buildSamples(plan: Plan, raw: RawPoll, state: CounterState, ts: number): Sample[] {
  const { columns: data, labelCache, rows: tableRows } = raw;
  const view: ColumnView = (c) => data.get(c) ?? labelCache?.get(c);
  const samples: Sample[] = [];
  const seen = new Set<string>();
  for (const s of plan.scalars) {
    let v0 = raw.scalars.get(s.oid);
    if (v0 === undefined && s.fallback_oid) v0 = raw.scalars.get(s.fallback_oid);
    if (v0 === undefined || v0 === null) continue;
    const v =
      s.type === 'counter'
        ? counterValue(state.counters, s, v0, `${s.metric}|${s.oid}|${JSON.stringify(s.const_labels)}`, ts, undefined, false, seen)
        : gaugeValue(s, v0, undefined, state.counters.stats);
    if (v === undefined) continue;
    samples.push({ metric: s.metric, labels: { ...s.const_labels }, value: v, ts, type: s.type, unit: s.unit || undefined, help: s.help });
  }
  for (const pt of plan.tables) {
    const t = pt.t;
    for (const index of tableRows.get(pt.key) ?? []) {
      const row = pt.fields.row(index, view);
      if (!passes(t, row)) continue;
      const labels: Record<string, string> = {};
      if (t.index_label) labels[t.index_label] = index;
      for (const l of pt.labels) labels[l.label] = labelValue(l, row);
      let resetRow = false;
      if (t.discontinuity_oid) {
        const d = view(t.discontinuity_oid)?.get(index);
        if (d !== undefined && d !== null) {
          const k = `${pt.key}|${index}`;
          const prev = state.discontinuity.get(k);
          const cur = String(d);
          resetRow = prev !== undefined && prev !== cur;
          state.discontinuity.set(k, cur);
        }
      }
      for (const pm of pt.metrics) {
        const read = rowValue(pm, data, index);
        if (!read) continue;
        const { m, column, value } = read;
        const name = pm.template ? row.fill(pm.template) : m.metric;
        if (!name) continue;
        let v: number | undefined;
        if (m.type === 'counter') {
          // Keyed by the main column, whichever column this row was read from; a switch restarts the series.
          const key = `${name}|${pm.m.oid}|${index}`;
          const switched = state.sources.has(key) && state.sources.get(key) !== column;
          state.sources.set(key, column);
          v = counterValue(state.counters, m, value, key, ts, speedOf(m, row), resetRow || switched, seen);
        } else v = gaugeValue(m, value, row, state.counters.stats);
        if (v === undefined) continue;
        const sampleLabels = Object.keys(m.const_labels).length ? { ...labels, ...m.const_labels } : labels;
        samples.push({ metric: name, labels: sampleLabels, value: v, ts, type: m.type, unit: m.unit || undefined, help: m.help });
      }
      if (t.info_metric) {
        const info: Record<string, string> = { ...labels };
        for (const l of pt.info) info[l.label] = labelValue(l, row);
        samples.push({ metric: t.info_metric, labels: info, value: 1, ts, type: 'gauge', help: `Descriptive labels of the ${t.name} rows (value is always 1).` });
      }
    }
  }
  state.counters.retain(seen);
  for (const k of state.sources.keys()) if (!seen.has(k)) state.sources.delete(k);
  for (const k of state.discontinuity.keys()) {
    const cut = k.lastIndexOf('|');
    if (!tableRows.get(k.slice(0, cut))?.has(k.slice(cut + 1))) state.discontinuity.delete(k);
  }
  return samples;
}
