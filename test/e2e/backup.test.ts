/**
 * `netmon backup FILE` (the compiled CLI, another process) while this process keeps writing to the store,
 * as the daemon would: the copies pass `PRAGMA integrity_check` and open in netmon's own store with the data
 * written before the backup started.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { AlertsDb, alertsDbPath } from '../../src/alerts/db.js';
import { ROOT } from '../../src/paths.js';
import { openStore } from '../../src/store/index.js';
import type { Sample } from '../../src/types.js';

const dir = mkdtempSync(join(tmpdir(), 'netmon-backup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'netmon.js'), ...args], { cwd: dir });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += String(d)));
    child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('netmon backup', () => {
  it('copies the live store and alert database under write load; the copies are intact and open in netmon', async () => {
    const file = join(dir, 'netmon.yaml');
    writeFileSync(file, 'storage: { path: data/netmon.db }\nsites: [{ id: s, name: S, group: ward }]\ntargets: [{ name: t, address: 127.0.0.1, site: s, role: server, host: {} }]\n');
    const dbPath = join(dir, 'data', 'netmon.db');
    mkdirSync(join(dir, 'data'));
    const store = openStore(dbPath);
    const alerts = new AlertsDb(alertsDbPath(dbPath));
    const t0 = Date.now() - 3600e3;
    let n = 0;
    const batch = (): Sample[] => Array.from({ length: 200 }, (_, i) => ({ metric: 'load_ratio', labels: { target: `t${i}` }, type: 'gauge', ts: t0 + n * 1000, value: Math.sin(n + i) }));
    for (; n < 300; n++) store.write(batch());
    store.flush();
    // Keep writing while the backup runs in the other process.
    let writing = true;
    const load = (async () => {
      while (writing) {
        store.write(batch());
        store.flush();
        alerts.addHistory({ ts: Date.now(), fingerprint: `f${n}`, rule: 'Load', severity: 'warning', event: 'firing', value: n, labels: {}, summary: 'load' });
        n++;
        await new Promise((r) => setImmediate(r));
      }
    })();
    const dest = join(dir, 'backup', 'copy.db');
    mkdirSync(join(dir, 'backup'));
    const r = await cli(['backup', dest, '--config', file]);
    writing = false;
    await load;
    const writtenDuring = n - 300;
    store.close();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^backup: data\/netmon\.db → backup\/copy\.db \([\d.]+ MB, integrity ok\)\nbackup: data\/netmon\.alerts\.db → backup\/copy\.alerts\.db \([\d.]+ MB, integrity ok\)\n$/);
    expect(writtenDuring).toBeGreaterThan(0);
    for (const f of [dest, join(dir, 'backup', 'copy.alerts.db')]) {
      const db = new Database(f, { readonly: true });
      expect(db.pragma('integrity_check', { simple: true }), f).toBe('ok');
      db.close();
    }
    const copy = openStore(dest);
    const series = copy.findSeries('load_ratio');
    expect(series).toHaveLength(200);
    expect(copy.range(series[0]!.id, t0, t0 + 299_000, 1000).ts).toHaveLength(300);
    copy.close();
    expect(existsSync(`${dest}.partial`)).toBe(false);

    const again = await cli(['backup', dest, '--config', file]);
    expect(again).toEqual({ code: 1, stdout: '', stderr: 'netmon: backup/copy.db exists; give a new file name (a backup never overwrites)\n' });
  }, 120_000);
});
