/**
 * Debian's snmpsim (`snmpsimd`) serving the recordings its package ships
 * (/usr/share/doc/snmpsim/examples/data) on a loopback port, and `snmpbulkwalk` reading the same agent:
 * real third-party recordings to compare netmon's exports with. Each recording is served under its own
 * community (snmpsim's rule: the data file's name).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { stopChild } from './proc.js';
import { gunzipSync } from 'node:zlib';

const SNMPSIM_DATA = '/usr/share/doc/snmpsim/examples/data';

export interface Snmpsim {
  port: number;
  stop(): Promise<void>;
  log(): string;
}

/**
 * Start snmpsimd with `recordings` (community → path of a .snmprec or .snmprec.gz under SNMPSIM_DATA, or
 * an absolute path: the hand-made recordings under test/fixtures/snmprec).
 * As root it must drop privileges (it refuses to run as root), so its files are made readable to nobody.
 */
export async function startSnmpsim(port: number, recordings: Record<string, string>): Promise<Snmpsim> {
  const dir = mkdtempSync(join(tmpdir(), 'netmon-snmpsim-'));
  const data = join(dir, 'data');
  const cache = join(dir, 'cache');
  mkdirSync(data);
  mkdirSync(cache);
  for (const [community, file] of Object.entries(recordings)) {
    const raw = readFileSync(isAbsolute(file) ? file : join(SNMPSIM_DATA, file));
    writeFileSync(join(data, `${community}.snmprec`), file.endsWith('.gz') ? gunzipSync(raw) : raw, { mode: 0o644 });
  }
  const root = process.getuid?.() === 0;
  if (root) {
    chmodSync(dir, 0o755);
    chmodSync(data, 0o755);
    chmodSync(cache, 0o777);
  }
  // snmpsimd logs every request: to a file, not a pipe, which would fill while a test blocks in
  // spawnSync (snmpbulkwalk) and stall the agent mid-answer.
  const logFile = join(cache, 'snmpsimd.log');
  const args = [
    `--data-dir=${data}`,
    `--cache-dir=${cache}`,
    `--agent-udpv4-endpoint=127.0.0.1:${port}`,
    `--logging-method=file:${logFile}`,
    ...(root ? ['--process-user=nobody', '--process-group=nogroup'] : []),
  ];
  const child: ChildProcess = spawn('snmpsimd', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-20_000)));
  const out = () => {
    try {
      return err + readFileSync(logFile, 'utf8').slice(-20_000);
    } catch {
      return err;
    }
  };
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const sim: Snmpsim = {
    port,
    log: out,
    stop: () => stopChild(child, exited, dir),
  };
  // Ready when every recording answers a GET of sysUpTime (the first request of each builds its index).
  const deadline = Date.now() + 60_000;
  for (const community of Object.keys(recordings)) {
    for (;;) {
      const r = spawnSync('snmpget', ['-v2c', '-c', community, '-m', '', '-On', '-t', '1', '-r', '0', `127.0.0.1:${port}`, '1.3.6.1.2.1.1.3.0'], { encoding: 'utf8', timeout: 5000 });
      if (r.status === 0) break;
      if (child.exitCode !== null || Date.now() > deadline) {
        await sim.stop();
        throw new Error(`snmpsimd did not serve ${community} on 127.0.0.1:${port}: ${out().trim().slice(-2000)}`);
      }
      await new Promise((res) => setTimeout(res, 200));
    }
  }
  return sim;
}

/** A value as `snmpbulkwalk -On -Oe -Oq -Ox`-free numeric output gives it: numbers for numeric types, text otherwise. */
export type WalkValue = number | bigint | string;

/**
 * `snmpbulkwalk` of `oid` (v2c, numeric OIDs, enums as numbers): row index → value. Counter64 as
 * bigint, other numbers as number, strings unquoted (Hex-STRING kept as hex text).
 */
export function bulkwalk(port: number, community: string, oid: string): Map<string, WalkValue> {
  const r = spawnSync('snmpbulkwalk', ['-v2c', '-c', community, '-m', '', '-On', '-Oe', '-t', '2', '-r', '1', `127.0.0.1:${port}`, oid], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`snmpbulkwalk ${community} ${oid}: ${r.stderr}`);
  const out = new Map<string, WalkValue>();
  // Values may span lines (strings with newlines): a line that does not start with an OID continues the last one.
  let last: { index: string; type: string; text: string } | undefined;
  const flush = () => {
    if (!last) return;
    const { index, type, text } = last;
    if (type === 'Counter64') out.set(index, BigInt(text));
    else if (/^(INTEGER|Counter32|Gauge32|Timeticks|Unsigned32)$/.test(type)) out.set(index, Number(/\((\d+)\)/.exec(text)?.[1] ?? text));
    else if (type === 'STRING') out.set(index, text.replace(/^"|"$/g, ''));
    else out.set(index, text);
  };
  for (const line of r.stdout.replace(/\n$/, '').split('\n')) {
    const m = /^\.?([\d.]+) = (?:([\w-]+): ?)?(.*)$/.exec(line);
    if (m && (m[1] === oid || m[1]!.startsWith(`${oid}.`))) {
      flush();
      last = { index: m[1]!.slice(oid.length + 1), type: m[2] ?? '', text: m[3]! };
      if (!m[2]) last = undefined; // "No more variables", "No Such Object"
    } else if (last) last.text += `\n${line}`;
  }
  flush();
  out.delete('');
  return out;
}

/** snmpbulkwalk text as netmon's labels read it: Hex-STRING bytes as UTF-8, trailing NULs cut. */
export function walkText(v: WalkValue | undefined): string | undefined {
  if (v === undefined) return undefined;
  const s = String(v);
  if (/^([0-9A-F]{2}[ \n]*)+$/.test(s.trim()) && /\s/.test(s.trim())) return Buffer.from(s.replace(/\s+/g, ''), 'hex').toString('utf8').replace(/\0+$/, '');
  return s;
}
