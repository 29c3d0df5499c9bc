/**
 * A private copy of the shipped reference-network config for one test file: in a temp dir (so the
 * database is the test's own) and moved to its own 127.N.0.0/16 block (so test files that each run the
 * simulated network in parallel never fight over the same loopback address and port).
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../src/paths.js';

export interface RefnetConfig {
  dir: string;
  file: string;
  /** The second octet the copy uses instead of 1. */
  block: number;
  cleanup(): void;
}

export interface RefnetOptions {
  /** Replace every `interval: X` of dc-core's probes, e.g. '2s' to get uplink samples quickly. */
  dcCoreInterval?: string;
  /** Extra text appended to the main file (must not repeat a key it already has). */
  transform?: (mainYaml: string) => string;
}

export function makeRefnetConfig(opts: RefnetOptions = {}): RefnetConfig {
  // config/ goes into a temp dir of its own, so the shipped `../data/netmon.db` lands beside it, in the temp dir.
  const top = mkdtempSync(join(tmpdir(), 'netmon-refnet-'));
  const dir = join(top, 'config');
  cpSync(join(ROOT, 'config'), dir, { recursive: true });
  const { block, release } = claimBlock();
  const files = ['netmon.yaml', ...readdirSync(join(dir, 'targets')).map((f) => join('targets', f))];
  for (const f of files) {
    const path = join(dir, f);
    let text = readFileSync(path, 'utf8').replace(/\b127\.1\.(\d+)\.(\d+)\b/g, `127.${block}.$1.$2`);
    if (f === 'netmon.yaml') {
      if (opts.dcCoreInterval) text = setDcCoreInterval(text, opts.dcCoreInterval);
      if (opts.transform) text = opts.transform(text);
    }
    writeFileSync(path, text);
  }
  return {
    dir,
    file: join(dir, 'netmon.yaml'),
    block,
    cleanup: () => {
      rmSync(top, { recursive: true, force: true });
      release();
    },
  };
}

const CLAIMS = join(tmpdir(), 'netmon-refnet-blocks');

/**
 * A 127.N.0.0/16 block no other test or benchmark on this machine is using: claimed with an exclusive
 * lock file naming our pid (a claim whose process has died is taken over), released by cleanup().
 */
export function claimBlock(): { block: number; release: () => void } {
  mkdirSync(CLAIMS, { recursive: true });
  const start = Math.floor(Math.random() * 200);
  for (let i = 0; i < 200; i++) {
    const block = 10 + ((start + i) % 200);
    const file = join(CLAIMS, String(block));
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
    } catch {
      const owner = readFileSync(file, 'utf8');
      if (owner === '' || alive(Number(owner))) continue; // empty: being claimed right now
      writeFileSync(file, String(process.pid)); // the claimant died without releasing it
    }
    return { block, release: () => rmSync(file, { force: true }) };
  }
  throw new Error(`no free 127.N.0.0/16 block for the simulated network (claims in ${CLAIMS})`);
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Rewrite the `interval:` lines inside the dc-core target block of the main file. */
function setDcCoreInterval(text: string, interval: string): string {
  const lines = text.split('\n');
  let inDcCore = false;
  let indent = 0;
  return lines
    .map((line) => {
      const m = /^(\s*)- name:\s*dc-core\s*$/.exec(line);
      if (m) {
        inDcCore = true;
        indent = m[1]!.length;
        return line;
      }
      if (inDcCore && /^\s*- /.test(line) && line.search(/\S/) <= indent) inDcCore = false;
      if (inDcCore) return line.replace(/^(\s*interval:\s*)\S+/, `$1${interval}`);
      return line;
    })
    .join('\n');
}
