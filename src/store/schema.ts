/** SQLite layout and connection setup for the time-series store. */
import Database from 'better-sqlite3';

export type DB = Database.Database;

/*
 * series     interned metric + sorted labels -> id, with metadata.
 * head_log   append-only log of committed batches (one blob per flush) holding the samples of the open
 *            (not yet chunked) hour. Appending one row per batch writes a few pages at the end of the
 *            B-tree instead of touching one page per series; rows are dropped once every sample in them
 *            has been folded into a chunk. Replayed on open.
 * chunks     one compressed block per series per clock hour (see codec.ts).
 * rollup_5m  per series per UTC day: that day's 5-minute buckets as one compressed block (288 max).
 * rollup_1h  per series per UTC day: that day's 1-hour buckets as one compressed block.
 *            Day rows amortise the block and row overhead (hourly 5 m rows cost ~60 B each in headers)
 *            and make a 30-day query read 30 rows; the writer rewrites today's rows as each hour closes.
 */
const DDL = `
CREATE TABLE IF NOT EXISTS series (
  id INTEGER PRIMARY KEY,
  metric TEXT NOT NULL,
  labels TEXT NOT NULL,
  type TEXT NOT NULL,
  unit TEXT NOT NULL DEFAULT '',
  help TEXT NOT NULL DEFAULT '',
  UNIQUE (metric, labels)
);
CREATE TABLE IF NOT EXISTS head_log (seq INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (
  series_id INTEGER NOT NULL,
  start_ts INTEGER NOT NULL,
  end_ts INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (series_id, start_ts)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rollup_5m (
  series_id INTEGER NOT NULL, start_ts INTEGER NOT NULL, data BLOB NOT NULL,
  PRIMARY KEY (series_id, start_ts)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rollup_1h (
  series_id INTEGER NOT NULL, start_ts INTEGER NOT NULL, data BLOB NOT NULL,
  PRIMARY KEY (series_id, start_ts)
) WITHOUT ROWID;
`;

export interface Connections {
  writer: DB;
  /** Separate connection so a long read holds a WAL snapshot without blocking the writer. */
  reader: DB;
}

/** SQLite page cache of each connection, KiB (see openConnections). */
const CACHE_KIB = 8000;

/** Longest a commit waits for another process's write lock before it fails and is retried later. */
export const COMMIT_BUSY_TIMEOUT_MS = 250;

export function openConnections(path: string, synchronous: 'NORMAL' | 'FULL' = 'NORMAL'): Connections {
  const writer = new Database(path);
  // auto_vacuum must be set before the first table exists; it lets retention give pages back (incremental_vacuum).
  // Only when it is not set already: setting it writes the header, which fails on a full disk at a restart.
  if (writer.pragma('auto_vacuum', { simple: true }) !== 2) writer.pragma('auto_vacuum = INCREMENTAL');
  writer.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: a commit is in the WAL (OS page cache) before write() returns, so SIGKILL loses
  // nothing acknowledged; only a power cut can drop the last commits, never corrupt the file. FULL would
  // add an fsync per batch for protection this data (re-polled every minute) does not need.
  writer.pragma(`synchronous = ${synchronous}`);
  writer.pragma('busy_timeout = 5000');
  // Page cache per connection (KiB): malloc'd memory the daemon keeps once filled (RSS). At 32 MB per
  // connection it could add up to 64 MB to the daemon's RSS as the database grows. The hot pages (head_log
  // appends, the newest rows) fit in 8 MB; the rest is read from the OS page cache, which is cheap.
  writer.pragma(`cache_size = -${CACHE_KIB}`);
  writer.pragma('wal_autocheckpoint = 4000');
  writer.exec(DDL);
  // Commits run on the event loop: while another process holds the write lock, wait briefly, then fail
  // the commit (the samples stay queued and are retried) rather than stall every probe for seconds.
  writer.pragma(`busy_timeout = ${COMMIT_BUSY_TIMEOUT_MS}`);
  const memory = path === ':memory:' || path === '';
  const reader = memory ? writer : new Database(path, { readonly: true, fileMustExist: true });
  if (!memory) {
    reader.pragma('busy_timeout = 5000');
    reader.pragma(`cache_size = -${CACHE_KIB}`);
  }
  return { writer, reader };
}
