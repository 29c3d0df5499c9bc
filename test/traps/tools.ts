/** Running Debian's snmptrap/snmpinform (package `snmp`) against the receiver, without MIBs or /var/lib/snmp. */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const persistent = mkdtempSync(join(tmpdir(), 'netmon-snmptrap-'));
export const TOOL_ENV = { ...process.env, SNMP_PERSISTENT_DIR: persistent, MIBS: '', MIBDIRS: '/nonexistent', SNMPCONFPATH: persistent };

/** Run a net-snmp command line tool; resolves with its exit code and output (never rejects on a non-zero exit). */
export function run(cmd: string, args: string[], prefix: string[] = []): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const all = [...prefix, cmd, ...args];
    const child = spawn(all[0]!, all.slice(1), { env: TOOL_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(t);
      resolve({ code, out });
    });
  });
}

/** Poll `check` until it returns a value (not undefined/false) or the deadline passes. */
export async function until<T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
