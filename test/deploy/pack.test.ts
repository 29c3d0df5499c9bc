/**
 * The package an admin installs: `npm pack` (of the built output), unpacked, its production dependencies
 * installed offline from the npm cache with `npm ci --omit=dev` against the lockfile, then `netmon --version`
 * and `netmon check-config` run from it, with no dev dependency (tsc, tsx, vitest) present.
 *
 * better-sqlite3's native addon: compiling it from source takes minutes on this shared machine, so the install
 * runs with --ignore-scripts and the addon this checkout built (same Node, same ABI) is copied in. A real offline
 * host builds it once with python3, make and g++ (README, "Production"); that path was run by hand.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../src/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'netmon-pack-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sh(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 300_000, env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm pack → npm ci --omit=dev → netmon', () => {
  it('installs offline without dev dependencies and runs --version and check-config', () => {
    // --ignore-scripts: not prepack's build, which would rewrite dist/ under the feet of other test files
    // spawning bin/netmon.js; `npm test` (and the CLI tests' rule: `npm run build` first) has built it.
    const pack = sh('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], ROOT);
    expect(pack.code, pack.stderr).toBe(0);
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
    const app = join(dir, 'app');
    mkdirSync(app);
    expect(sh('tar', ['xzf', join(dir, tarball), '-C', app, '--strip-components=1'], dir).code).toBe(0);
    expect(existsSync(join(app, 'dist/src/cli.js'))).toBe(true);
    expect(existsSync(join(app, 'src'))).toBe(false); // the built output, not the sources
    cpSync(join(ROOT, 'package-lock.json'), join(app, 'package-lock.json'));
    const ci = sh('npm', ['ci', '--omit=dev', '--offline', '--ignore-scripts'], app);
    expect(ci.code, ci.stderr).toBe(0);
    for (const dev of ['typescript', 'tsx', 'vitest', 'eslint']) expect(existsSync(join(app, 'node_modules', dev)), dev).toBe(false);
    const addon = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';
    mkdirSync(join(app, 'node_modules/better-sqlite3/build/Release'), { recursive: true });
    cpSync(join(ROOT, addon), join(app, addon));

    const version = sh(join(app, 'bin/netmon.js'), ['--version'], dir);
    const { version: v } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(version).toEqual({ code: 0, stdout: `netmon ${v}\n`, stderr: '' });
    const check = sh(join(app, 'bin/netmon.js'), ['check-config'], dir);
    expect(check).toEqual({ code: 0, stdout: 'config OK: 1 main file + 4 included, 127 targets, 118 sites, 2 uplinks, 2 credentials\n', stderr: '' });
    expect(existsSync(join(app, 'deploy/netmon.service'))).toBe(true);
  }, 600_000);
});
