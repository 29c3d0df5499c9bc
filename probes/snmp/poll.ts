/**
 * The network half of one SNMP poll: per-target session state, and the requests a plan asks for.
 *
 *   1. one GET: sysUpTime, the plan's scalars and the tables' change indicators (ifTableLastChange,
 *      ifNumber). sysUpTime going back = the agent restarted.
 *   2. one multi-column walk of the value columns of every table, plus the slow (label/field) columns when
 *      they are due: on the first poll, after a restart, when a change indicator changed, every
 *      `labelRefreshMs`, or when a row shows up that the label cache does not know (then a second walk).
 *   3. an HC (64-bit) column the agent lacks: its 32-bit fallback is walked in the same poll, and from
 *      then on instead (the HC column is tried again whenever the labels are refreshed). Rows the HC
 *      column lacks while others have it (a Cisco Nu0 or StackPort next to 64-bit ports): their fallback
 *      values are read with one GET in the same poll. Fallbacks are per row (plan.ts rowValue).
 *
 * It returns raw data only (values, label cache, facts); samples.ts turns that into samples. The one
 * counter decision made here: a restart marks every counter of the target to restart at its next reading.
 */
import type snmp from 'net-snmp';
import type { SnmpProbeOptions } from '../../src/config/model.js';
import type { ProbePartial, Target } from '../../src/types.js';
import type { DeviceInventory } from '../../src/http/contract.js';
import type { DeviceIdentity } from './device.js';
import type { SnmpSpec } from './kind.js';
import { CounterTracker, type CounterStats } from './counters.js';
import { rawToLabel, toNumber } from './fields.js';
import { tableRows, type Plan } from './plan.js';
import type { CounterState, RawPoll } from './samples.js';
import { engineOf, forgetEngine, isStaleEngineError, openSession, type EngineInfo } from './session.js';
import { getScalars, walkColumns, type ColumnData, type RawValue, type WalkCut, type WalkOptions, type WalkStats } from './walk.js';

export const SYS_UPTIME = '1.3.6.1.2.1.1.3.0';
const TICKS_WRAP = 2 ** 32;

interface SlowCache {
  fetchedAt: number;
  data: ColumnData;
  /** table key → rows present when the slow columns were read */
  knownRows: Map<string, Set<string>>;
}

/** What the last poll of a target cost and found (tests, benchmarks, `netmon probe`). */
export interface SnmpPollInfo {
  walk: WalkStats;
  labelRefresh: boolean;
  refreshReason?: string;
  rebooted: boolean;
  counters: CounterStats;
  samples: number;
}

/** Everything netmon remembers about one target between polls. */
export interface TargetState extends CounterState {
  sessionKey: string;
  session: snmp.Session;
  slow?: SlowCache;
  slowKey?: string;
  uptimeTicks?: number;
  uptimeAt?: number;
  indicators: Map<string, string>;
  /** Columns the agent lacks, for which the fallback column is read instead. */
  useFallback: Set<string>;
  /** SNMPv3: the agent's engine as of the last successful poll (to say what changed when it is lost). */
  engine?: EngineInfo;
  /** The device as its sysObjectID says (device.ts); undefined until read, and again after a restart or an engine change. */
  device?: DeviceIdentity;
  /** The last ENTITY-MIB inventory read, and when (entity.ts). */
  inventory?: DeviceInventory;
  /** The last poll's partial status, so it is logged when it changes, not at every poll. */
  partial?: ProbePartial;
  /** Polls whose walks were cut at a limit, by limit (netmon_snmp_walks_cut_total). */
  cuts: Record<WalkCut, number>;
  last?: SnmpPollInfo;
}

/** Per-target state by target name; a changed address, port, credential, timeout or retry count opens a new session. */
export class TargetStates {
  private readonly states = new Map<string, TargetState>();

  get(name: string): TargetState | undefined {
    return this.states.get(name);
  }

  stateFor(target: Target, spec: SnmpSpec): TargetState {
    const o: SnmpProbeOptions = spec.options;
    const key = JSON.stringify([target.address, o.port, o.credentialName, o.credential, spec.timeoutMs, o.retries]);
    let st = this.states.get(target.name);
    if (st && st.sessionKey !== key) {
      st.session.close();
      st = undefined;
    }
    if (!st) {
      const session = openSession(o.credential, { address: target.address, port: o.port, timeoutMs: spec.timeoutMs, retries: o.retries });
      // A socket error or an unparseable datagram must not crash the daemon; the request then times out.
      session.on('error', () => undefined);
      st = { sessionKey: key, session, counters: new CounterTracker(), indicators: new Map(), useFallback: new Set(), discontinuity: new Map(), sources: new Map(), cuts: { row_limit: 0, request_limit: 0 } };
      this.states.set(target.name, st);
    }
    return st;
  }

  close(): void {
    for (const st of this.states.values()) st.session.close();
    this.states.clear();
  }
}

export interface PollOptions {
  walk: WalkOptions;
  labelRefreshMs: number;
  now: () => number;
}

/** What one poll read, plus why (or whether) it re-read the labels. */
export interface PollResult {
  raw: RawPoll;
  labelRefresh: boolean;
  refreshReason?: string;
  /** The agent's answers contradict themselves: what was read is right, but not everything was read. */
  partial?: ProbePartial;
}

/**
 * Is this poll partial? A walk cut at a limit (a huge or endless table: max_table_rows, max_table_requests),
 * a table with fewer or more rows than its row-count scalar says (ifNumber 32, one broken table served),
 * or replies that broke the protocol (non-increasing OIDs, no progress: the walker cut those columns short).
 */
export function partialOf(plan: Plan, scalars: ReadonlyMap<string, RawValue | undefined>, rows: ReadonlyMap<string, ReadonlySet<string>>, stats: WalkStats): ProbePartial | undefined {
  if (stats.cut) {
    const { reason, column, limit } = stats.cut;
    const what = reason === 'row_limit' ? `column ${column} has more than ${limit} rows` : `the walk reached ${limit} requests at column ${column}`;
    return { reason, message: `${what}: read up to the limit (snmp.max_table_${reason === 'row_limit' ? 'rows' : 'requests'}), the rest ignored` };
  }
  for (const pt of plan.tables) {
    if (!pt.t.row_count_oid) continue;
    const said = toNumber(scalars.get(pt.t.row_count_oid) ?? undefined);
    const got = rows.get(pt.key)?.size ?? 0;
    if (said !== undefined && said !== got)
      return { reason: 'row_count', message: `${pt.t.row_count_oid} says ${said} rows, the agent served ${got} in ${pt.t.name} (a broken or truncated table)` };
  }
  if (stats.anomalies > 0)
    return { reason: 'broken_column', message: `${stats.anomalies} replies broke the protocol (OIDs not increasing, or no progress): the columns concerned were cut short` };
  return undefined;
}

function uptimeWentBack(st: TargetState, uptime: number | undefined, t: number): boolean {
  if (uptime === undefined || st.uptimeTicks === undefined || st.uptimeAt === undefined) return false;
  if (uptime >= st.uptimeTicks) return false;
  // TimeTicks wrap after 497 days: a decrease that matches the expected value minus 2^32 is a wrap.
  const expected = st.uptimeTicks + (t - st.uptimeAt) / 10;
  return !(expected >= TICKS_WRAP && Math.abs(uptime - (expected - TICKS_WRAP)) < 6000);
}

/** sysUpTime, the plan's scalars (and their fallbacks) and the change indicators: one GET. */
function scalarOids(plan: Plan): string[] {
  const oids = new Set<string>([SYS_UPTIME, ...plan.indicators, ...plan.rowCounts]);
  for (const s of plan.scalars) {
    oids.add(s.oid);
    if (s.fallback_oid) oids.add(s.fallback_oid);
  }
  return [...oids];
}

/** Record the uptime; true if the agent restarted (then every counter restarts at its next reading). */
function noteUptime(st: TargetState, scalars: ReadonlyMap<string, RawValue | undefined>, t0: number): boolean {
  const uptime = toNumber(scalars.get(SYS_UPTIME) ?? undefined);
  const rebooted = uptimeWentBack(st, uptime, t0);
  if (uptime !== undefined) {
    st.uptimeTicks = uptime;
    st.uptimeAt = t0;
  }
  // Now, not when samples are made: if this poll fails later, the next one must still restart the counters.
  if (rebooted) st.counters.resetAll();
  return rebooted;
}

/** Record the change indicators; the first one that changed since the last poll, if any. */
function noteIndicators(plan: Plan, st: TargetState, scalars: ReadonlyMap<string, RawValue | undefined>): string | undefined {
  let changed: string | undefined;
  for (const oid of plan.indicators) {
    const v = rawToLabel(scalars.get(oid));
    const prev = st.indicators.get(oid);
    if (prev !== undefined && prev !== v) changed ??= oid;
    st.indicators.set(oid, v);
  }
  return changed;
}

/** Why the slow columns must be walked in this poll, before looking at the rows; undefined if they need not. */
function dueReason(plan: Plan, st: TargetState, facts: { rebooted: boolean; changed?: string; t0: number; labelRefreshMs: number }): string | undefined {
  if (plan.slowColumns.length === 0) return undefined;
  if (!st.slow || st.slowKey !== plan.slowColumns.join(',')) return 'first poll';
  if (facts.rebooted) return 'agent restarted';
  if (facts.changed) return `change indicator ${facts.changed} changed`;
  if (facts.t0 - st.slow.fetchedAt >= facts.labelRefreshMs) return 'refresh interval';
  return undefined;
}

/**
 * The value columns (and the discontinuity columns) to walk: a metric read from its fallback walks the
 * fallback, and tries its HC column again when the labels are refreshed.
 */
function valueColumns(plan: Plan, st: TargetState, refresh: boolean): Set<string> {
  const fast = new Set<string>();
  for (const pt of plan.tables) {
    for (const { m } of pt.metrics) {
      if (!m.fallback_oid || !st.useFallback.has(m.oid) || refresh) fast.add(m.oid);
      if (m.fallback_oid && st.useFallback.has(m.oid)) fast.add(m.fallback_oid);
    }
    if (pt.t.discontinuity_oid) fast.add(pt.t.discontinuity_oid);
  }
  return fast;
}

/** HC columns walked and found empty: switch those metrics to their fallback; the fallbacks not walked yet. */
function switchFallbacks(plan: Plan, st: TargetState, data: ColumnData): string[] {
  const missing: string[] = [];
  for (const pt of plan.tables) {
    for (const { m } of pt.metrics) {
      if (!m.fallback_oid || !data.has(m.oid)) continue;
      if ((data.get(m.oid)?.size ?? 0) > 0) st.useFallback.delete(m.oid);
      else {
        st.useFallback.add(m.oid);
        if (!data.has(m.fallback_oid)) missing.push(m.fallback_oid);
      }
    }
  }
  return [...new Set(missing)];
}

/**
 * The fallback values to GET: rows a walked, non-empty main column lacks (while other columns have them),
 * for metrics whose fallback column was not walked in this poll. OID → [fallback column, row].
 */
function rowFallbacks(plan: Plan, data: ColumnData, rows: ReadonlyMap<string, ReadonlySet<string>>): Map<string, [string, string]> {
  const wanted = new Map<string, [string, string]>();
  for (const pt of plan.tables) {
    for (const { m } of pt.metrics) {
      if (!m.fallback_oid || data.has(m.fallback_oid)) continue;
      const main = data.get(m.oid);
      if (!main || main.size === 0) continue;
      for (const i of rows.get(pt.key)!) if (!main.has(i)) wanted.set(`${m.fallback_oid}.${i}`, [m.fallback_oid, i]);
    }
  }
  return wanted;
}

/** GET the per-row fallbacks into `data`, as columns holding just those rows. */
async function readRowFallbacks(st: TargetState, wanted: ReadonlyMap<string, [string, string]>, data: ColumnData, o: PollOptions): Promise<void> {
  const got = await getScalars(st.session, [...wanted.keys()], o.walk);
  for (const [oid, [column, row]] of wanted) {
    const v = got.get(oid);
    if (v === undefined || v === null) continue;
    let col = data.get(column);
    if (!col) data.set(column, (col = new Map<string, RawValue>()));
    col.set(row, v);
  }
}

/** A row the label cache has not seen means the table changed under us: the reason to read the labels now. */
function unknownRow(plan: Plan, slow: SlowCache, rows: ReadonlyMap<string, ReadonlySet<string>>): string | undefined {
  for (const pt of plan.tables) {
    if (pt.slow.length === 0) continue;
    const known = slow.knownRows.get(pt.key);
    for (const i of rows.get(pt.key)!) if (!known?.has(i)) return `new row ${i} in ${pt.t.name}`;
  }
  return undefined;
}

/** Poll one target: the GET, the walks, the fallback and label-refresh decisions; updates `st`. */
async function pollTarget(plan: Plan, st: TargetState, o: PollOptions): Promise<PollResult> {
  const scalars = await getScalars(st.session, scalarOids(plan), o.walk);
  const t0 = o.now();
  const rebooted = noteUptime(st, scalars, t0);
  const changed = noteIndicators(plan, st, scalars);
  let reason = dueReason(plan, st, { rebooted, changed, t0, labelRefreshMs: o.labelRefreshMs });
  let refresh = reason !== undefined;

  const columns = valueColumns(plan, st, refresh);
  if (refresh) for (const c of plan.slowColumns) columns.add(c);
  const data: ColumnData = columns.size > 0 ? await walkColumns(st.session, [...columns], o.walk) : new Map<string, Map<string, RawValue>>();
  // HC column missing: read the 32-bit fallback now, and from now on instead.
  const fallbacks = switchFallbacks(plan, st, data);
  if (fallbacks.length > 0) for (const [c, r] of await walkColumns(st.session, fallbacks, o.walk)) data.set(c, r);

  // Rows with no value in a main column that other rows have: their fallback values, in one GET.
  const perRow = rowFallbacks(plan, data, tableRows(plan, data));
  if (perRow.size > 0) await readRowFallbacks(st, perRow, data, o);

  const rows = tableRows(plan, data);
  if (!refresh && st.slow) {
    reason = unknownRow(plan, st.slow, rows);
    if (reason) {
      refresh = true;
      for (const [c, r] of await walkColumns(st.session, plan.slowColumns, o.walk)) data.set(c, r);
    }
  }
  if (refresh) {
    st.slow = {
      fetchedAt: t0,
      data: new Map(plan.slowColumns.map((c) => [c, data.get(c) ?? new Map<string, RawValue>()])),
      knownRows: new Map(plan.tables.map((pt) => [pt.key, rows.get(pt.key)!])),
    };
    st.slowKey = plan.slowColumns.join(',');
  }
  return {
    raw: { scalars, columns: data, labelCache: st.slow?.data, rows, rebooted },
    labelRefresh: refresh,
    refreshReason: reason,
    partial: partialOf(plan, scalars, rows, o.walk.stats),
  };
}

/** What a re-discovery found, in words for the log line. */
function engineChange(before: EngineInfo | undefined, after: EngineInfo | undefined): string {
  if (!before || !after) return `SNMPv3 engine out of the time window${after ? ` (engine ID ${after.id}, boots ${after.boots})` : ''}; re-discovered`;
  if (before.id !== after.id) return `SNMPv3 engine ID changed from ${before.id} to ${after.id} (device replaced or reset?); re-discovered`;
  if (after.boots < before.boots)
    return `SNMPv3 engine boots went back from ${before.boots} to ${after.boots} (agent restarted without its persistent state?); re-discovered`;
  if (after.boots === before.boots && after.time < before.time)
    return `SNMPv3 engine time went back from ${before.time} s to ${after.time} s with boots ${after.boots} (agent restarted without its persistent state?); re-discovered`;
  return `SNMPv3 engine ${after.id} was outside the time window (boots ${before.boots} → ${after.boots}); re-discovered`;
}

/**
 * pollTarget, recovering once from a lost SNMPv3 engine: when the agent says (or its reply shows) that our
 * notion of its engine is stale, forget the engine, let net-snmp discover it again, and retry the poll in
 * the same run, so a replaced or reset device misses no poll. `rediscovered` says what changed (for one
 * log line). A second failure is the poll's error as usual.
 */
export async function pollRecovering(plan: Plan, st: TargetState, o: PollOptions): Promise<PollResult & { rediscovered?: string }> {
  let result: PollResult;
  let rediscovered: string | undefined;
  try {
    result = await pollTarget(plan, st, o);
  } catch (err) {
    if (!isStaleEngineError(err)) throw err;
    forgetEngine(st.session);
    result = await pollTarget(plan, st, o);
    rediscovered = engineChange(st.engine, engineOf(st.session));
  }
  st.engine = engineOf(st.session);
  return { ...result, rediscovered };
}
