/**
 * Wait for the agent's next counter refresh (the model is in refresh.ts): read the reference cells every
 * `spacingMs` until one of them changes. The refresh happened after the agent answered the last unchanged
 * read and before it answered the first changed one; its instant is taken as the middle of that bracket
 * (±half its width, ~10 ms on a LAN). The caller walks right after, so every row it reads belongs to that
 * refresh, and stamps the samples with its instant.
 *
 * When the period is known, the reads start `guardMs` before the predicted refresh: a few requests per
 * poll instead of one every `spacingMs` for a whole period. A wrong prediction costs time, never a wrong
 * stamp: a refresh that came before the first read is missed and the next one is waited for.
 */
import type { RawValue } from './walk.js';
import { cellIn, forgetRefresh, guardMs, noteRefresh, predictRefresh, type RefreshState } from './refresh.js';

export interface WaitOptions {
  /** GET of the given cells; a cell the agent lacks maps to undefined. */
  read(cells: readonly string[]): Promise<ReadonlyMap<string, RawValue | undefined>>;
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Time between two reads: half of it (plus the round trip) bounds the stamp's error. */
  spacingMs: number;
  /** Give up after this long: the walk must still fit in the poll's deadline. */
  maxWaitMs: number;
  /**
   * A bracket wider than this (the event loop stalled between two reads) stamps imprecisely: the watch
   * goes on to the next refresh while the deadline allows, and settles for the wide one otherwise.
   */
  maxBracketMs: number;
}

const same = (a: RawValue | undefined, b: RawValue | undefined) => String(a) === String(b);

export interface Refresh {
  /** Estimated instant of the refresh (ms, the caller's clock). */
  at: number;
  /** Width of the bracket the refresh was seen in (ms). */
  widthMs: number;
  /** Reads it took. */
  reads: number;
  /** The watched cells' values at that refresh, and when the last read that still showed them was sent. */
  values: ReadonlyMap<string, RawValue | undefined>;
  lastSentAt: number;
}

/**
 * The walk after the watch read a watched cell differently: the agent refreshed between the last read
 * and the walk (a watch that ran to its deadline ends at any point of a period). That refresh is
 * bracketed by the last read and the walk's end, and is the one to stamp with.
 */
export function refreshedSince(r: Refresh, columns: ReadonlyMap<string, ReadonlyMap<string, RawValue>>): boolean {
  for (const [cell, v] of r.values) {
    const now = cellIn(columns, cell);
    if (now !== undefined && !same(v, now)) return true;
  }
  return false;
}

/**
 * The next refresh of the agent's counters, or undefined when there is nothing to watch (no cell moves),
 * the refresh did not come within `maxWaitMs`, or a read failed (the walk then reports the failure).
 *
 * Until the period is known from two refreshes seen one after the other, the watch goes on after the
 * first change to the second (or to the deadline): polls at a multiple of the period (60 s against 3 s)
 * would otherwise only ever see multiples of it. It also goes on after a bracket wider than
 * `maxBracketMs`. Either way the walk reads the values of the latest refresh seen, and is stamped with it.
 */
export async function awaitRefresh(s: RefreshState, o: WaitOptions): Promise<Refresh | undefined> {
  const cells = s.refs;
  if (cells.length === 0 || o.maxWaitMs <= 0) return undefined;
  const start = o.now();
  const deadline = start + o.maxWaitMs;
  const next = predictRefresh(s, start);
  let wake = next === undefined ? start : next - guardMs(s);
  if (wake >= deadline) {
    forgetRefresh(s); // a prediction beyond what the poll can wait for is a wrong one: watch from now
    wake = start;
  }
  let reads = 0;
  /** The latest refresh seen in this watch, and whether its bracket was narrow (then it is in the history). */
  let latest: (Refresh & { narrow: boolean }) | undefined;
  try {
    if (wake > start) await o.sleep(wake - start);
    let before = o.now();
    let base = await o.read(cells);
    reads++;
    for (;;) {
      await o.sleep(o.spacingMs);
      const sent = o.now();
      if (sent > deadline) {
        if (!latest) {
          forgetRefresh(s); // not where the history said: learn the period again
          return undefined;
        }
        return { at: latest.at, widthMs: latest.widthMs, reads, values: base, lastSentAt: before };
      }
      const cur = await o.read(cells);
      reads++;
      const answered = o.now();
      if (cells.some((c) => !same(base.get(c), cur.get(c)))) {
        const at = (before + answered) / 2;
        const narrow = answered - before <= o.maxBracketMs;
        // Only precise instants go into the history the period is estimated from.
        if (narrow) noteRefresh(s, at, latest?.narrow === true);
        if (narrow && s.consecutiveMs !== undefined) return { at, widthMs: answered - before, reads, values: cur, lastSentAt: sent };
        latest = { at, widthMs: answered - before, reads, narrow, values: cur, lastSentAt: sent };
        base = cur;
      }
      before = sent;
    }
  } catch {
    return undefined; // aborted, or the agent did not answer: the walk reports it
  }
}
