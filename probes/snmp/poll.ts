/**
 * The network half of one SNMP poll: per-target session state, and the requests a plan asks for.
 *
 *   1. one GET: sysUpTime, the plan's scalars and the tables' change indicators (ifTableLastChange,
 *      ifNumber). sysUpTime going back = the agent restarted.
 *   2. one multi-column walk of the value columns of every table, plus the slow (label/field) columns when
 *      they are due: on the first poll, after a restart, when a change indicator changed, every
 *      `labelRefreshMs`, or when a row shows up that the label cache does not know (then a second walk).
 *   3. an HC (64-bit) column the agent lacks: its 32-bit fallback is walked in the same poll, and from
 *      then on instead (the HC column is tried again whenever the labels are refreshed).
 *
 * It returns raw data only (values, label cache, facts); samples.ts turns that into samples. The one
 * counter decision made here: a restart marks every counter of the target to restart at its next reading.
 */
import type snmp from 'net-snmp';
import type { SnmpProbeOptions } from '../../src/config/model.js';
import type { SnmpSpec, Target } from '../../src/types.js';
import { CounterTracker, type CounterStats } from './counters.js';
import { rawToField, toNumber } from './fields.js';
import { tableRows, type Plan } from './plan.js';
import type { CounterState, RawPoll } from './samples.js';
import { openSession } from './session.js';
import { getScalars, walkColumns, type ColumnData, type RawValue, type WalkOptions, type WalkStats } from './walk.js';

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
      st = { sessionKey: key, session, counters: new CounterTracker(), indicators: new Map(), useFallback: new Set(), discontinuity: new Map() };
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
}

function rawToLabel(raw: RawValue | undefined): string {
  const v = rawToField(raw);
  return v === undefined ? '' : String(v);
}

function uptimeWentBack(st: TargetState, uptime: number | undefined, t: number): boolean {
  if (uptime === undefined || st.uptimeTicks === undefined || st.uptimeAt === undefined) return false;
  if (uptime >= st.uptimeTicks) return false;
  // TimeTicks wrap after 497 days: a decrease that matches the expected value minus 2^32 is a wrap.
  const expected = st.uptimeTicks + (t - st.uptimeAt) / 10;
  return !(expected >= TICKS_WRAP && Math.abs(uptime - (expected - TICKS_WRAP)) < 6000);
}

/** Poll one target: the GET, the walks, the fallback and label-refresh decisions; updates `st`. */
export async function pollTarget(plan: Plan, st: TargetState, o: PollOptions): Promise<PollResult> {
  const walkOpts = o.walk;
  // 1. scalars, uptime, change indicators
  const scalarOids = new Set<string>([SYS_UPTIME, ...plan.indicators]);
  for (const s of plan.scalars) {
    scalarOids.add(s.oid);
    if (s.fallback_oid) scalarOids.add(s.fallback_oid);
  }
  const scalars = await getScalars(st.session, [...scalarOids], walkOpts);
  const t0 = o.now();
  const uptime = toNumber(scalars.get(SYS_UPTIME) ?? undefined);
  const rebooted = uptimeWentBack(st, uptime, t0);
  if (uptime !== undefined) {
    st.uptimeTicks = uptime;
    st.uptimeAt = t0;
  }
  // Now, not when samples are made: if this poll fails later, the next one must still restart the counters.
  if (rebooted) st.counters.resetAll();
  let changed: string | undefined;
  for (const oid of plan.indicators) {
    const v = rawToLabel(scalars.get(oid));
    const prev = st.indicators.get(oid);
    if (prev !== undefined && prev !== v) changed ??= oid;
    st.indicators.set(oid, v);
  }
  const slowKey = plan.slowColumns.join(',');
  let reason: string | undefined;
  if (plan.slowColumns.length > 0) {
    if (!st.slow || st.slowKey !== slowKey) reason = 'first poll';
    else if (rebooted) reason = 'agent restarted';
    else if (changed) reason = `change indicator ${changed} changed`;
    else if (t0 - st.slow.fetchedAt >= o.labelRefreshMs) reason = 'refresh interval';
  }
  let refresh = reason !== undefined;

  // 2. value columns (+ slow columns when due)
  const fast = new Set<string>();
  for (const pt of plan.tables) {
    for (const { m } of pt.metrics) {
      if (!m.fallback_oid || !st.useFallback.has(m.oid) || refresh) fast.add(m.oid);
      if (m.fallback_oid && st.useFallback.has(m.oid)) fast.add(m.fallback_oid);
    }
    if (pt.t.discontinuity_oid) fast.add(pt.t.discontinuity_oid);
  }
  const columns = new Set(fast);
  if (refresh) for (const c of plan.slowColumns) columns.add(c);
  const data: ColumnData = columns.size > 0 ? await walkColumns(st.session, [...columns], walkOpts) : new Map();

  // 3. HC column missing: read the 32-bit fallback now, and from now on instead.
  const fallbacks: string[] = [];
  for (const pt of plan.tables) {
    for (const { m } of pt.metrics) {
      if (!m.fallback_oid || !data.has(m.oid)) continue;
      if ((data.get(m.oid)?.size ?? 0) > 0) st.useFallback.delete(m.oid);
      else {
        st.useFallback.add(m.oid);
        if (!data.has(m.fallback_oid)) fallbacks.push(m.fallback_oid);
      }
    }
  }
  if (fallbacks.length > 0) for (const [c, rows] of await walkColumns(st.session, [...new Set(fallbacks)], walkOpts)) data.set(c, rows);

  const rows = tableRows(plan, data, st.useFallback);
  if (!refresh && st.slow) {
    // A row the label cache has not seen means the table changed under us: read the labels now.
    for (const pt of plan.tables) {
      if (pt.slow.length === 0) continue;
      const known = st.slow.knownRows.get(pt.key);
      for (const i of rows.get(pt.key)!) {
        if (!known?.has(i)) {
          reason = `new row ${i} in ${pt.t.name}`;
          break;
        }
      }
      if (reason) break;
    }
    if (reason) {
      refresh = true;
      for (const [c, r] of await walkColumns(st.session, plan.slowColumns, walkOpts)) data.set(c, r);
    }
  }
  if (refresh) {
    st.slow = {
      fetchedAt: t0,
      data: new Map(plan.slowColumns.map((c) => [c, data.get(c) ?? new Map()])),
      knownRows: new Map(plan.tables.map((pt) => [pt.key, rows.get(pt.key)!])),
    };
    st.slowKey = slowKey;
  }
  return {
    raw: { scalars, columns: data, labelCache: st.slow?.data, rows, fallback: st.useFallback, rebooted },
    labelRefresh: refresh,
    refreshReason: reason,
  };
}
