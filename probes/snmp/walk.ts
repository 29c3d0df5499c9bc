/**
 * Table walking over several columns at once: GETBULK for v2c/v3, GETNEXT for v1. One request carries
 * one cursor per unfinished column, so a 10-column table costs rows/maxRepetitions round trips, not 10×.
 *
 * What agents do and how each case is handled:
 * - truncated replies (fewer repetitions than asked, or a reply that stops in the middle of a
 *   repetition so later columns get nothing): a column without varbinds keeps its cursor and is asked again;
 * - tooBig: max-repetitions is halved, then the columns are split over several requests;
 * - holes (a row missing in one column) and columns of different lengths: each column has its own cursor;
 * - the end of a column (next OID outside it, endOfMibView, noSuchObject), also early (an agent that ends
 *   a table before its last row: nothing more can be read, the column is done);
 * - a non-increasing OID (agent bug, would loop forever): that column stops, counted in stats.anomalies;
 * - v1 noSuchName on GETNEXT (end of MIB view for one column): that column is done, the others go on;
 * - v1 noSuchName on GET: the missing OID is dropped and the GET retried without it;
 * - huge or endless tables (an agent serving rows forever): a column stops at `maxRows` rows and a walk at
 *   `maxRequests` requests, recorded in stats.cut (the poll is then partial, reason row_limit or
 *   request_limit), long before the poll deadline: what an agent can make netmon read and hold is bounded.
 */
import snmp from 'net-snmp';
import { abortReason } from '../abort.js';

export type RawValue = number | bigint | string | Buffer | null;

/** column OID → (row index → value) */
export type ColumnData = Map<string, Map<string, RawValue>>;

export type WalkCut = 'row_limit' | 'request_limit';

export interface WalkStats {
  requests: number;
  values: number;
  /** Replies that broke the protocol (non-increasing OIDs, no progress). */
  anomalies: number;
  /** The first limit a walk of this poll hit, and the column it cut; undefined when none did. */
  cut?: { reason: WalkCut; column: string; limit: number };
}

export function newWalkStats(): WalkStats {
  return { requests: 0, values: 0, anomalies: 0 };
}

/** Defaults of `snmp.max_table_rows` / `snmp.max_table_requests` (probes/snmp/kind.ts). */
export const DEFAULT_MAX_ROWS = 10_000;
export const DEFAULT_MAX_REQUESTS = 1_000;
const MAX_VARBINDS_PER_GET = 60;

const ERR_TOO_BIG = 1;
const ERR_NO_SUCH_NAME = 2;

const OT = snmp.ObjectType;

/** Convert a varbind to a plain JS value: Counter64 → bigint, OCTET STRING → Buffer, numbers as numbers. */
export function varbindValue(vb: snmp.Varbind): RawValue {
  if (vb.type === OT.Counter64) {
    const buf = vb.value as unknown as Buffer;
    if (!Buffer.isBuffer(buf)) return typeof buf === 'number' || typeof buf === 'bigint' ? BigInt(buf) : null;
    return buf.length === 0 ? 0n : BigInt('0x' + buf.toString('hex'));
  }
  if (vb.value === undefined) return null;
  return vb.value as RawValue;
}

function isEnd(vb: snmp.Varbind): boolean {
  const t = vb.type;
  return t === OT.EndOfMibView || t === OT.NoSuchObject || t === OT.NoSuchInstance || t === OT.Null;
}

/** True if `oid` lies strictly under `prefix` (as OID arcs, not as strings: 1.3.6.10 is not under 1.3.6.1). */
export function isUnder(oid: string, prefix: string): boolean {
  return oid.length > prefix.length + 1 && oid.charCodeAt(prefix.length) === 46 /* . */ && oid.startsWith(prefix);
}

/** Compare two dotted OIDs arc by arc without allocating. */
export function compareOid(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    let x = 0;
    while (i < a.length && a.charCodeAt(i) !== 46) x = x * 10 + (a.charCodeAt(i++) - 48);
    let y = 0;
    while (j < b.length && b.charCodeAt(j) !== 46) y = y * 10 + (b.charCodeAt(j++) - 48);
    if (x !== y) return x - y;
    i++;
    j++;
  }
  return (a.length - i > 0 ? 1 : 0) - (b.length - j > 0 ? 1 : 0);
}

function request<T>(signal: AbortSignal, start: (cb: (err: Error | null, result: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(abortReason(signal));
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      start((err, result) => {
        signal.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(result);
      });
    } catch (err) {
      signal.removeEventListener('abort', onAbort);
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}

function errorStatus(err: unknown): number | undefined {
  const e = err as { name?: string; status?: number };
  return e?.name === 'RequestFailedError' ? e.status : undefined;
}

/** The OID net-snmp names in a RequestFailedError ("NoSuchName: 1.3.6..."). */
function errorOid(err: unknown): string | undefined {
  return /:\s*(\d+(?:\.\d+)+)\s*$/.exec((err as Error).message ?? '')?.[1];
}

export interface WalkOptions {
  version1: boolean;
  maxRepetitions: number;
  signal: AbortSignal;
  stats: WalkStats;
  /** Columns per request at most (default: all). */
  maxColumnsPerRequest?: number;
  /** Rows read per column (table) in one walk at most (default DEFAULT_MAX_ROWS). */
  maxRows?: number;
  /** Requests one walk sends at most (default DEFAULT_MAX_REQUESTS). */
  maxRequests?: number;
}

function noteCut(stats: WalkStats, reason: WalkCut, column: string, limit: number): void {
  stats.cut ??= { reason, column, limit };
}

/** Walk the given table columns together; returns every row found under each column. */
export async function walkColumns(session: snmp.Session, columns: readonly string[], opts: WalkOptions): Promise<ColumnData> {
  const data: ColumnData = new Map(columns.map((c) => [c, new Map<string, RawValue>()]));
  /** cursor per unfinished column: the last OID seen in it */
  const cursors = new Map<string, string>(columns.map((c) => [c, c]));
  let reps = Math.max(1, opts.maxRepetitions);
  let perRequest = Math.max(1, opts.maxColumnsPerRequest ?? columns.length);
  let stalls = 0;
  let rr = 0; // round-robin start, so a small perRequest still serves every column
  const maxRows = opts.maxRows ?? DEFAULT_MAX_ROWS;
  const maxRequests = opts.maxRequests ?? DEFAULT_MAX_REQUESTS;
  let sent = 0;

  while (cursors.size > 0) {
    if (sent++ >= maxRequests) {
      noteCut(opts.stats, 'request_limit', cursors.keys().next().value!, maxRequests);
      break;
    }
    const all = [...cursors.keys()];
    const start = rr % all.length;
    const active = all.length <= perRequest ? all : [...all.slice(start), ...all.slice(0, start)].slice(0, perRequest);
    rr += active.length;
    const oids = active.map((c) => cursors.get(c)!);
    opts.stats.requests++;
    let rows: snmp.Varbind[][];
    try {
      if (opts.version1) {
        const vbs = await request<snmp.Varbind[]>(opts.signal, (cb) => session.getNext(oids, cb as snmp.ResponseCallback));
        rows = vbs.map((vb) => [vb]);
      } else {
        rows = await request<snmp.Varbind[][]>(opts.signal, (cb) => session.getBulk(oids, 0, reps, cb as unknown as snmp.GetBulkCallback));
      }
    } catch (err) {
      const status = errorStatus(err);
      if (status === ERR_TOO_BIG) {
        if (!opts.version1 && reps > 1) reps = Math.max(1, reps >> 1);
        else if (active.length > 1) perRequest = Math.max(1, active.length >> 1);
        else throw err;
        continue;
      }
      if (status === ERR_NO_SUCH_NAME && opts.version1) {
        // v1: the column at errorIndex has no next object in the view: it is finished.
        const bad = errorOid(err);
        const column = active.find((c) => cursors.get(c) === bad);
        if (column) cursors.delete(column);
        else if (active.length === 1) cursors.delete(active[0]!);
        else perRequest = 1; // cannot tell which one: go one column at a time
        continue;
      }
      throw err;
    }

    let progress = false;
    for (let i = 0; i < active.length; i++) {
      const column = active[i]!;
      const vbs = rows[i];
      if (!vbs || vbs.length === 0) continue; // truncated reply: ask again
      const values = data.get(column)!;
      let cursor = cursors.get(column)!;
      let done = false;
      for (const vb of vbs) {
        if (!vb || typeof vb.oid !== 'string' || isEnd(vb) || !isUnder(vb.oid, column)) {
          done = true;
          break;
        }
        if (compareOid(vb.oid, cursor) <= 0) {
          opts.stats.anomalies++;
          done = true;
          break;
        }
        if (values.size >= maxRows) {
          // A row beyond the limit exists: the table is cut here (a table of exactly maxRows rows is not).
          noteCut(opts.stats, 'row_limit', column, maxRows);
          done = true;
          break;
        }
        values.set(vb.oid.slice(column.length + 1), varbindValue(vb));
        opts.stats.values++;
        cursor = vb.oid;
        progress = true;
      }
      if (done) {
        cursors.delete(column);
        progress = true;
      } else cursors.set(column, cursor);
    }
    if (progress) stalls = 0;
    else if (++stalls >= 3) {
      // Replies with nothing usable: ask for less, then give up on these columns.
      opts.stats.anomalies++;
      if (reps > 1) reps = 1;
      else if (perRequest > 1) perRequest = 1;
      else for (const c of active) cursors.delete(c);
      stalls = 0;
    }
  }
  return data;
}

/**
 * GET scalars; an OID the agent lacks maps to undefined. v1 agents fail the whole GET with noSuchName
 * for one missing OID: that OID is dropped and the GET retried without it.
 */
export async function getScalars(session: snmp.Session, oids: readonly string[], opts: WalkOptions): Promise<Map<string, RawValue | undefined>> {
  const out = new Map<string, RawValue | undefined>();
  const chunks: string[][] = [];
  for (let i = 0; i < oids.length; i += MAX_VARBINDS_PER_GET) chunks.push(oids.slice(i, i + MAX_VARBINDS_PER_GET));
  const pending = [...chunks];
  while (pending.length > 0) {
    const chunk = pending.shift()!;
    if (chunk.length === 0) continue;
    opts.stats.requests++;
    let vbs: snmp.Varbind[];
    try {
      vbs = await request<snmp.Varbind[]>(opts.signal, (cb) => session.get(chunk, cb as snmp.ResponseCallback));
    } catch (err) {
      const status = errorStatus(err);
      if (status === ERR_NO_SUCH_NAME) {
        const bad = errorOid(err);
        if (bad && chunk.includes(bad)) {
          out.set(bad, undefined);
          pending.unshift(chunk.filter((o) => o !== bad));
          continue;
        }
        if (chunk.length > 1) {
          // The agent did not say which: split until each missing OID is alone.
          pending.unshift(chunk.slice(0, chunk.length >> 1), chunk.slice(chunk.length >> 1));
          continue;
        }
        out.set(chunk[0]!, undefined);
        continue;
      }
      if (status === ERR_TOO_BIG && chunk.length > 1) {
        pending.unshift(chunk.slice(0, chunk.length >> 1), chunk.slice(chunk.length >> 1));
        continue;
      }
      throw err;
    }
    chunk.forEach((oid, i) => {
      const vb = vbs[i];
      const missing = !vb || snmp.isVarbindError(vb) || vb.type === OT.Null || vb.oid !== oid;
      out.set(oid, missing ? undefined : varbindValue(vb));
      if (!missing) opts.stats.values++;
    });
  }
  return out;
}
