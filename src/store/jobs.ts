/** Retention and space reclamation. (Rollups are written when an hour's chunk closes, see writer.ts.) */
import type { DB } from './schema.js';
import type { Retention } from './queries.js';
import { DAY, RES_1H } from './rollups.js';

export interface RetentionResult {
  chunks: number;
  rollup5m: number;
  rollup1h: number;
  pagesFreed: number;
}

/**
 * Drop data older than each resolution's retention. Deletes go series by series along the primary key,
 * which avoids a time index that would cost bytes on every chunk.
 */
export function applyRetention(db: DB, r: Retention, now: number, vacuumPages = 20_000): RetentionResult {
  const ids = db.prepare('SELECT id FROM series').pluck().all() as number[];
  const delChunks = db.prepare('DELETE FROM chunks WHERE series_id = ? AND start_ts <= ?');
  const del5m = db.prepare('DELETE FROM rollup_5m WHERE series_id = ? AND start_ts <= ?');
  const del1h = db.prepare('DELETE FROM rollup_1h WHERE series_id = ? AND start_ts <= ?');
  const out: RetentionResult = { chunks: 0, rollup5m: 0, rollup1h: 0, pagesFreed: 0 };
  // A row goes when its whole span is past the horizon (chunks span an hour, rollup rows a day).
  const rawCut = now - r.rawMs - RES_1H;
  const r5Cut = now - r.rollup5mMs - DAY;
  const r1Cut = now - r.rollup1hMs - DAY;
  db.transaction(() => {
    for (const id of ids) {
      out.chunks += delChunks.run(id, rawCut).changes;
      out.rollup5m += del5m.run(id, r5Cut).changes;
      out.rollup1h += del1h.run(id, r1Cut).changes;
    }
  })();
  const before = db.pragma('freelist_count', { simple: true }) as number;
  if (before > 0) db.pragma(`incremental_vacuum(${vacuumPages})`);
  out.pagesFreed = before - (db.pragma('freelist_count', { simple: true }) as number);
  return out;
}
