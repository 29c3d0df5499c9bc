/**
 * The agent's counter refresh, as netmon models it (pure: no I/O, no clock).
 *
 * Agents do not read their counters when asked: Debian snmpd reloads its interface table from the kernel
 * on a timer every ~3 s (its cache), many switches every 2-10 s. A value read at time t is the counter as
 * it was at the agent's last refresh r ≤ t. Dividing the increase between two polls by the time between
 * the polls aliases: a 10 s poll against a 3 s cache covers 9, 9 or 12 s of traffic (82 % read as 74, 74,
 * 99 %; a saturated link as 120 %).
 *
 * netmon therefore reads the counters right after the agent refreshed them, and stamps them with that
 * refresh instant (refresh-wait.ts does the reads): the increase between two polls is then exactly the
 * traffic between two refresh instants, divided by the time between them. This module keeps, per target:
 *   - the reference cells: the few counters (column.index) of one table that moved most in the last
 *     poll; a change of any of them is the agent's refresh (all rows of a table share one cache);
 *   - the last observed refresh instants, from which the refresh period is estimated (the largest period
 *     of which every observed gap is a whole multiple) to predict the next refresh, so the reads start
 *     just before it. The prediction only saves requests: a refresh is always observed, never assumed.
 */
import type { Plan } from './plan.js';
import type { RawValue } from './walk.js';

type ColumnData = ReadonlyMap<string, ReadonlyMap<string, RawValue>>;

/** Counter cells read to see a refresh, at most. */
const MAX_REFS = 4;
/** Cells read when nothing is known yet (the first poll of a session), at most. */
const MAX_CANDIDATES = 64;
/** Refresh instants kept for the period estimate. */
const HISTORY = 8;
/** Periods below this are not a cache worth predicting (the reads then simply start at once). */
const MIN_PERIOD_MS = 500;

export interface RefreshState {
  /** Cells (column OID + '.' + index) read to see the next refresh; empty: nothing moves, do not wait. */
  refs: string[];
  /** Raw values of the reference table's counter cells in the last poll, to rank the next references. */
  last: Map<string, bigint>;
  /** Observed refresh instants (ms), oldest first. */
  history: number[];
  /** The gap between two refreshes seen one after the other: the period itself, not a multiple. */
  consecutiveMs?: number;
  /** The stamp of the last poll's samples. */
  lastStamp?: number;
}

const states = new WeakMap<object, RefreshState>();

/** The refresh state of a target's session state (a new session starts afresh). */
export function refreshStateOf(owner: object): RefreshState {
  let s = states.get(owner);
  if (!s) {
    s = { refs: [], last: new Map(), history: [] };
    states.set(owner, s);
  }
  return s;
}

function counterBig(v: RawValue | undefined): bigint | undefined {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return BigInt(v);
  return undefined;
}

/**
 * The counter cells (and their values) of the table with the most of them (the interface table on a
 * switch): one table, because tables may have caches of their own.
 */
function referenceTable(plan: Plan, columns: ColumnData): Map<string, bigint> {
  let best = new Map<string, bigint>();
  for (const pt of plan.tables) {
    const cells = new Map<string, bigint>();
    for (const { m } of pt.metrics) {
      if (m.type !== 'counter') continue;
      // Main and fallback columns alike: fallbacks are per row, so a table may hold both.
      for (const column of m.fallback_oid ? [m.oid, m.fallback_oid] : [m.oid]) {
        for (const [index, raw] of columns.get(column) ?? []) {
          const v = counterBig(raw);
          if (v !== undefined) cells.set(`${column}.${index}`, v);
        }
      }
    }
    if (cells.size > best.size) best = cells;
  }
  return best;
}

/**
 * After a poll: the next references are the cells that moved most since the last poll; on the first poll
 * (nothing to compare with) every cell of the table, up to MAX_CANDIDATES. None moved (an idle device):
 * no references, and the next poll does not wait for a refresh it could not see.
 */
export function noteWalk(s: RefreshState, plan: Plan, columns: ColumnData): void {
  const values = referenceTable(plan, columns);
  const moved: [string, bigint][] = [];
  for (const [cell, v] of values) {
    const prev = s.last.get(cell);
    if (prev !== undefined && v > prev) moved.push([cell, v - prev]);
  }
  moved.sort((a, b) => (b[1] > a[1] ? 1 : b[1] < a[1] ? -1 : 0));
  s.refs = s.last.size === 0 ? [...values.keys()].slice(0, MAX_CANDIDATES) : moved.slice(0, MAX_REFS).map(([c]) => c);
  s.last = values;
}

/**
 * No refresh was seen, and the walk read every reference exactly as the last poll did although they were
 * moving: the agent has not refreshed since (a stalled agent). Its values are the last poll's, and so is
 * their instant: stamped like that, no rate is drawn across the poll (a gap, not a zero).
 */
export function sameRefreshAsLast(s: RefreshState, columns: ColumnData): boolean {
  if (s.refs.length === 0 || s.lastStamp === undefined) return false;
  return s.refs.every((cell) => {
    const v = counterBig(cellIn(columns, cell));
    return v !== undefined && v === s.last.get(cell);
  });
}

/** A cell's value in walked columns: a cell is its column's OID + '.' + the row index. */
export function cellIn(columns: ColumnData, cell: string): RawValue | undefined {
  let column = '';
  for (const c of columns.keys()) if (c.length > column.length && cell.startsWith(`${c}.`)) column = c;
  return column ? columns.get(column)!.get(cell.slice(column.length + 1)) : undefined;
}

/** Record an observed refresh instant (`consecutive`: the one right after the previous one). */
export function noteRefresh(s: RefreshState, at: number, consecutive = false): void {
  if (consecutive && s.history.length > 0) s.consecutiveMs = at - s.history[s.history.length - 1]!;
  s.history.push(at);
  if (s.history.length > HISTORY) s.history.shift();
}

/** Forget the refresh history (the agent stopped refreshing as predicted: learn it again). */
export function forgetRefresh(s: RefreshState): void {
  s.history = [];
  s.consecutiveMs = undefined;
}

/** Tolerance of a gap of n periods: bracket width plus the timer drift of each period (~ms in snmpd). */
const tolerance = (n: number) => 40 + 5 * n;

/**
 * The refresh period: the largest P ≥ MIN_PERIOD_MS, at most the gap between two consecutive refreshes
 * when one was seen, such that every gap between observed refreshes is a whole multiple of P (within
 * tolerance). Polls every 10 s against a 3 s cache see gaps of 9 and 12 s: P = 3 s. Undefined until two
 * gaps (or one and a consecutive pair) agree on one.
 */
export function refreshPeriod(history: readonly number[], consecutiveMs?: number): number | undefined {
  if (history.length < (consecutiveMs === undefined ? 3 : 2)) return undefined;
  const gaps = history.slice(1).map((t, i) => t - history[i]!);
  const smallest = consecutiveMs ?? Math.min(...gaps);
  for (let m = 1; m <= 32; m++) {
    const p = smallest / m;
    if (p < MIN_PERIOD_MS) return undefined;
    const fits = gaps.every((g) => {
      const n = Math.round(g / p);
      return n >= 1 && Math.abs(g - n * p) <= tolerance(n);
    });
    if (fits) {
      // Refine over the whole history: the span divided by the periods it holds.
      const span = history[history.length - 1]! - history[0]!;
      return span / Math.round(span / p);
    }
  }
  return undefined;
}

/** The predicted next refresh at or after `now`, or undefined when the period is not known. */
export function predictRefresh(s: RefreshState, now: number): number | undefined {
  const p = refreshPeriod(s.history, s.consecutiveMs);
  if (p === undefined) return undefined;
  const last = s.history[s.history.length - 1]!;
  return last + Math.max(0, Math.ceil((now - last) / p)) * p;
}

/** How long before a predicted refresh the reads start: the prediction's own error plus a margin. */
export function guardMs(s: RefreshState): number {
  const p = refreshPeriod(s.history, s.consecutiveMs) ?? 0;
  return 150 + 0.03 * p;
}
