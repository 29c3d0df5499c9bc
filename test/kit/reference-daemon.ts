/**
 * The daemon on the shipped simulated reference network, for browser tests and the dashboard bench:
 * a temp copy of config/ (netmon.yaml + targets/) with storage in the temp dir, started on a free port.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { parseDocument } from 'yaml';
import { startDaemon, type Daemon } from '../../src/daemon.js';
import { ROOT } from '../../src/paths.js';

export interface RunningDaemon {
  daemon: Daemon;
  /** Base URL without the trailing slash. */
  url: string;
  dir: string;
  stop(): Promise<void>;
}

export interface ReferenceOptions {
  /** Change the parsed main config (a yaml Document) before it is written. */
  edit?: (doc: ReturnType<typeof parseDocument>) => void;
  /** Runs before the daemon starts, with the path of its (not yet existing) database: seed history here. */
  beforeStart?: (dbPath: string) => void | Promise<void>;
}

export async function startReferenceDaemon(opts: ReferenceOptions = {}): Promise<RunningDaemon> {
  const dir = mkdtempSync(join(tmpdir(), 'netmon-dash-'));
  const cfgDir = join(dir, 'config');
  cpSync(join(ROOT, 'config'), cfgDir, { recursive: true, filter: (src) => !src.includes(`${join(ROOT, 'config', 'data')}`) && !/\.db(-wal|-shm)?$/.test(src) });
  // Other test runs may have their own simulator on 127.1.x.y: move ours to a second octet of its own.
  const octet = 20 + (process.pid % 200);
  const moveAddresses = (f: string) => writeFileSync(f, readFileSync(f, 'utf8').replace(/\b127\.1\.(\d+)\.(\d+)\b/g, `127.${octet}.$1.$2`));
  for (const f of readdirSync(join(cfgDir, 'targets'))) if (f.endsWith('.yaml')) moveAddresses(join(cfgDir, 'targets', f));
  const main = join(cfgDir, 'netmon.yaml');
  moveAddresses(main);
  const doc = parseDocument(readFileSync(main, 'utf8'));
  doc.setIn(['storage', 'path'], join(dir, 'netmon.db'));
  opts.edit?.(doc);
  writeFileSync(main, doc.toString());
  await opts.beforeStart?.(join(dir, 'netmon.db'));
  const daemon = await startDaemon({ configFile: main, log: pino({ level: 'silent' }), port: 0 });
  return {
    daemon,
    url: daemon.url.replace(/\/$/, ''),
    dir,
    async stop() {
      await daemon.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
