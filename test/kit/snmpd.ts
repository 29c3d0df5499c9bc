/** Start/stop a Debian `snmpd` on a loopback high port with a temporary config (interop tests, benches). */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopChild } from './proc.js';

export interface Snmpd {
  port: number;
  address: string;
  dir: string;
  env: NodeJS.ProcessEnv;
  child: ChildProcess;
  log(): string;
  stop(): Promise<void>;
}

export const SNMPD_USERS = {
  sha256: { username: 'u256', auth_protocol: 'sha256', auth_key: 'authpass256', priv_protocol: 'aes', priv_key: 'privpass256' },
  sha512: { username: 'u512', auth_protocol: 'sha512', auth_key: 'authpass512', priv_protocol: 'aes256b', priv_key: 'privpass512' },
} as const;

/**
 * @param prefix command prefix, e.g. ['ip', 'netns', 'exec', NS] to run it inside a namespace
 * @param persistent initial content of the agent's persistent state file (e.g. `engineBoots 41` and
 *   `oldEngineID 0x...` matching an `engineID` in extraConfig: an agent that has booted 41 times before)
 */
export async function startSnmpd(o: { address?: string; port: number; prefix?: string[]; extraConfig?: string; persistent?: string }): Promise<Snmpd> {
  const address = o.address ?? '127.0.0.1';
  const dir = mkdtempSync(join(tmpdir(), 'netmon-snmpd-'));
  // The config and the persistent state (engine ID, boots, users) in separate files: snmpd rewrites
  // the persistent one when it stops, and reads it only when named with -c (because of -C).
  const conf = join(dir, 'agent.conf');
  const state = join(dir, 'snmpd.conf');
  writeFileSync(state, o.persistent ?? '');
  writeFileSync(
    conf,
    [
      `rocommunity public ${address === '127.0.0.1' ? '127.0.0.1' : 'default'}`,
      `createUser ${SNMPD_USERS.sha256.username} SHA-256 "${SNMPD_USERS.sha256.auth_key}" AES "${SNMPD_USERS.sha256.priv_key}"`,
      `createUser ${SNMPD_USERS.sha512.username} SHA-512 "${SNMPD_USERS.sha512.auth_key}" AES256 "${SNMPD_USERS.sha512.priv_key}"`,
      `rouser ${SNMPD_USERS.sha256.username} priv`,
      `rouser ${SNMPD_USERS.sha512.username} priv`,
      o.extraConfig ?? '',
      '',
    ].join('\n'),
  );
  // Own persistent dir: snmpd must not touch /var/lib/snmp; no MIB files to load (Debian ships none).
  const env = { ...process.env, SNMP_PERSISTENT_DIR: dir, MIBS: '', MIBDIRS: '/nonexistent' };
  const cmd = [...(o.prefix ?? []), 'snmpd', '-f', '-Lo', '-C', '-c', `${conf},${state}`, '-p', join(dir, 'snmpd.pid'), `udp:${address}:${o.port}`];
  const child = spawn(cmd[0]!, cmd.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const s: Snmpd = {
    port: o.port,
    address,
    dir,
    env,
    child,
    log: () => out,
    stop: () => stopChild(child, exited, dir),
  };
  // Ready when it answers a GET of sysUpTime.
  const deadline = Date.now() + 20_000;
  for (;;) {
    const get = [...(o.prefix ?? []), 'snmpget', ...snmpArgs(s), '1.3.6.1.2.1.1.3.0'];
    const r = spawnSync(get[0]!, get.slice(1), { env, encoding: 'utf8', timeout: 3000 });
    if (r.status === 0) return s;
    if (child.exitCode !== null || Date.now() > deadline) {
      await s.stop();
      throw new Error(`snmpd did not start on ${address}:${o.port}: ${out.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** snmpget/snmpbulkwalk arguments for v2c against this snmpd (numeric output, no MIBs). */
export function snmpArgs(s: Pick<Snmpd, 'address' | 'port'>): string[] {
  return ['-v2c', '-c', 'public', '-m', '', '-On', '-Oe', '-t', '2', '-r', '1', `${s.address}:${s.port}`];
}

/** snmpget values by OID (numeric output parsed: INTEGER/Counter/Gauge/Timeticks → number, STRING → text). */
export function snmpget(s: Snmpd, oids: string[], prefix: string[] = []): Map<string, string | number> {
  const cmd = [...prefix, 'snmpget', ...snmpArgs(s), '-Ot', ...oids];
  const r = spawnSync(cmd[0]!, cmd.slice(1), { env: s.env, encoding: 'utf8', timeout: 5000 });
  if (r.status !== 0) throw new Error(`snmpget failed: ${r.stderr}`);
  const out = new Map<string, string | number>();
  for (const line of r.stdout.split('\n')) {
    const m = /^\.?([\d.]+) = (\w+(?:\d+)?): ?(.*)$/.exec(line.trim());
    if (!m) continue;
    const [, oid, type, value] = m;
    out.set(oid!, type === 'STRING' ? value!.replace(/^"|"$/g, '') : Number(value));
  }
  return out;
}
