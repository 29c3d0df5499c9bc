/**
 * The offline bundle (`npm run bundle`, issue 18): built from this checkout, unpacked in a fresh directory, then
 * run in a network namespace of its own with only loopback up (no route anywhere: the test shows a connection
 * out fails with ENETUNREACH), with a PATH holding nothing but `node` (no npm, no compiler, no checkout on the
 * module path). `check-config` and `run` work from it: /-/healthy answers and the shipped (simulated) network
 * is polled, then SIGTERM stops it cleanly.
 *
 * Needs `npm run build` first (the bundle packs dist/); root and `ip netns` for the namespace.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../src/paths.js';
import { requireTool } from '../helpers/requireTool.js';
import { waitFor } from '../security/helpers.js';

const ok = requireTool({ root: true, netns: true, commands: ['ip', 'tar', 'npm'] }, 'offline bundle in a network namespace');
const dir = mkdtempSync(join(tmpdir(), 'netmon-bundle-test-'));
const ns = `netmon-bundle-${process.pid}`;
let nsAdded = false;
afterAll(() => {
  if (nsAdded) spawnSync('ip', ['netns', 'del', ns]);
  rmSync(dir, { recursive: true, force: true });
});

const host = join(dir, 'host');
const nodeOnly = join(dir, 'node-only');
/** A command inside the namespace with an empty environment but PATH=<node only>: what an offline host has. */
const inNs = (args: string[]) => ['netns', 'exec', ns, 'env', '-i', `PATH=${nodeOnly}`, `HOME=${host}`, ...args];
const sh = (cmd: string, args: string[], cwd = dir) => {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
};
/** Runs a line of JavaScript with node inside the namespace, returns its stdout. */
const nodeInNs = (code: string) => sh('ip', inNs(['node', '-e', code]), host).out.trim();

describe.runIf(ok)('npm run bundle → an offline host with only Node 20', () => {
  it('builds one linux-x64 tarball with the built output and production dependencies only', () => {
    expect(existsSync(join(ROOT, 'dist/src/cli.js')), 'run `npm run build` first').toBe(true);
    const r = sh(process.execPath, [join(ROOT, 'scripts/bundle.mjs'), '--no-build', '--out', dir], ROOT);
    expect(r.code, r.out).toBe(0);
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const name = `netmon-${version}-linux-x64-node20.tar.gz`;
    expect(readdirSync(dir).filter((f) => f.endsWith('.tar.gz'))).toEqual([name]);
    expect(r.out).toContain(`netmon ${version} for linux-x64, Node 20 (ABI ${process.versions.modules})`);
    mkdirSync(host);
    expect(sh('tar', ['xf', join(dir, name), '-C', host]).code).toBe(0);
    expect(readdirSync(host)).toEqual(['netmon']);
    const app = join(host, 'netmon');
    for (const f of ['bin/netmon.js', 'dist/src/cli.js', 'dashboard/dist/main.js', 'dashboard/public/index.html', 'config/netmon.yaml', 'deploy/netmon.service', 'node_modules/better-sqlite3/build/Release/better_sqlite3.node', 'node_modules/express']) {
      expect(existsSync(join(app, f)), f).toBe(true);
    }
    expect(readdirSync(join(app, 'probes/profiles')).length).toBeGreaterThan(0);
    for (const absent of ['src', 'test', 'node_modules/typescript', 'node_modules/tsx', 'node_modules/vitest', 'node_modules/eslint']) expect(existsSync(join(app, absent)), absent).toBe(false);
  }, 300_000);

  it('runs in a namespace with no network and only node on PATH: check-config, /-/healthy, polling, SIGTERM', async () => {
    expect(existsSync(join(host, 'netmon')), 'the bundle of the previous test').toBe(true);
    mkdirSync(nodeOnly);
    symlinkSync(process.execPath, join(nodeOnly, 'node'));
    expect(sh('ip', ['netns', 'add', ns]).code).toBe(0);
    nsAdded = true;
    expect(sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']).code).toBe(0);
    // No network: nothing but loopback is reachable, and there is no npm to fetch anything with.
    expect(nodeInNs("require('net').connect(443, '192.0.2.1').on('error', (e) => console.log(e.code))")).toBe('ENETUNREACH');
    expect(sh('ip', inNs(['node', '-e', "require('child_process').execSync('npm --version', { stdio: 'ignore' })"]), host).code).not.toBe(0);

    const check = sh('ip', inNs(['./netmon/bin/netmon.js', 'check-config', 'netmon/config/netmon.yaml']), host);
    expect(check).toEqual({ code: 0, out: 'config OK: 1 main file + 4 included, 127 targets, 118 sites, 2 uplinks, 2 credentials\n' });

    const child = spawn('ip', inNs(['./netmon/bin/netmon.js', 'run', '--config', 'netmon/config/netmon.yaml']), { cwd: host, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      await waitFor('netmon is running', () => (out.includes('netmon is running. Dashboard: http://127.0.0.1:9300/') ? true : undefined), 60_000, 200).catch((err: Error) => {
        throw new Error(`${err.message}\n${out.slice(-2000)}`);
      });
      const get = (path: string) => nodeInNs(`fetch('http://127.0.0.1:9300${path}').then(async (r) => console.log(r.status, await r.text()))`);
      expect(get('/-/healthy')).toBe('200 netmon is healthy.');
      // The simulated network is polled from the bundle: the SNMP probe succeeds on the data-centre core.
      await waitFor('a successful SNMP poll', () => (/netmon_probe_success\{[^}]*probe="snmp"[^}]*target="dc-core"[^}]*\} 1/.test(get('/metrics')) ? true : undefined), 60_000, 1000);
    } finally {
      // `ip netns exec` and `env` exec into node: this pid is netmon's.
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(out).toMatch(/"msg":"stopped"/);
  }, 150_000);
});
