/**
 * `netmon backup FILE`: a consistent copy of the store and the alert database while the daemon runs, with
 * SQLite's online backup API (page by page, restarting when the daemon writes in between, never blocking
 * it for long). FILE gets the store; the alert database goes beside it as the store's does (`x.db` →
 * `x.alerts.db`). Each copy is written to a temporary name, checked (`PRAGMA integrity_check`) and only then
 * renamed into place, so a failed backup never leaves a file that looks good. Restore: stop netmon, copy the
 * files over `storage.path` and its `.alerts.db`, start netmon.
 */
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { alertsDbPath } from './alerts/db.js';
import { displayPath } from './config/errors.js';
import { loadConfig } from './config/loader.js';

async function copy(from: string, to: string): Promise<string> {
  const tmp = `${to}.partial`;
  rmSync(tmp, { force: true });
  const src = new Database(from, { fileMustExist: true });
  try {
    src.pragma('busy_timeout = 5000');
    await src.backup(tmp);
  } finally {
    src.close();
  }
  const copyDb = new Database(tmp);
  const check = copyDb.pragma('integrity_check', { simple: true });
  copyDb.close();
  if (check !== 'ok') {
    rmSync(tmp, { force: true });
    throw new Error(`backup of ${displayPath(from)} failed its integrity check: ${String(check)}`);
  }
  renameSync(tmp, to);
  return `${displayPath(from)} → ${displayPath(to)} (${(statSync(to).size / 1e6).toFixed(1)} MB, integrity ok)`;
}

export async function backup(opts: { configFile: string; dest: string }): Promise<string[]> {
  const config = loadConfig(opts.configFile);
  const dest = resolve(opts.dest);
  const pairs: [string, string][] = [
    [config.storage.path, dest],
    [alertsDbPath(config.storage.path), alertsDbPath(dest)],
  ];
  for (const [, to] of pairs) if (existsSync(to)) throw new Error(`${displayPath(to)} exists; give a new file name (a backup never overwrites)`);
  const lines: string[] = [];
  for (const [from, to] of pairs) {
    if (!existsSync(from)) {
      lines.push(`${displayPath(from)}: does not exist yet, nothing to copy`);
      continue;
    }
    lines.push(await copy(from, to));
  }
  return lines;
}
