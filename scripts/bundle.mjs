#!/usr/bin/env node
// `npm run bundle`: one tarball that runs on an offline linux-x64 host with only Node 20:
//   tar xf netmon-VERSION-linux-x64-node20.tar.gz && ./netmon/bin/netmon.js run --config netmon/config/netmon.yaml
// It holds what `npm pack` ships (dist/, bin/, probes/profiles/, dashboard/, config/, deploy/) plus the
// production node_modules, with better-sqlite3's native addon as this checkout built it: for this platform
// and this Node's ABI, so the bundle is made with the Node it will run on. Plain JavaScript: runs before a build.
//
//   node scripts/bundle.mjs [--out DIR] [--no-build]
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { out: { type: 'string', default: '.' }, 'no-build': { type: 'boolean', default: false } } });
const ADDON = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';

function fail(message) {
  process.stderr.write(`bundle: ${message}\n`);
  process.exit(1);
}

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' } });
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
  return r.stdout;
}

if (process.platform !== 'linux' || process.arch !== 'x64') fail(`the bundle is for linux-x64 and carries a native addon built here; this is ${process.platform}-${process.arch}`);
const major = process.versions.node.split('.')[0];
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const name = `netmon-${version}-linux-x64-node${major}.tar.gz`;

if (!values['no-build']) run('npm', ['run', 'build'], root);
for (const f of ['dist/src/cli.js', 'dashboard/dist/main.js', ADDON]) {
  try {
    statSync(join(root, f));
  } catch {
    fail(`${f} is missing: run \`npm ci\` and \`npm run build\` first`);
  }
}

const stage = mkdtempSync(join(tmpdir(), 'netmon-bundle-'));
try {
  // What `npm pack` ships is exactly the package's `files`: the bundle stays in step with the npm package.
  // --ignore-scripts: prepack would build again.
  run('npm', ['pack', '--loglevel=warn', '--ignore-scripts', '--pack-destination', stage], root);
  const packed = readdirSync(stage).find((f) => f.endsWith('.tgz'));
  const app = join(stage, 'netmon');
  mkdirSync(app);
  run('tar', ['xzf', join(stage, packed), '-C', app, '--strip-components=1'], stage);
  rmSync(join(stage, packed));
  copyFileSync(join(root, 'package-lock.json'), join(app, 'package-lock.json'));
  // Production dependencies only, at the locked versions; from the npm cache when it has them.
  run('npm', ['ci', '--loglevel=warn', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], app);
  mkdirSync(dirname(join(app, ADDON)), { recursive: true });
  copyFileSync(join(root, ADDON), join(app, ADDON));
  // The addon must load here, with this Node, from the bundle alone.
  run(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()"], app);
  const out = resolve(values.out);
  mkdirSync(out, { recursive: true });
  run('tar', ['czf', join(out, name), '--owner=0', '--group=0', '-C', stage, 'netmon'], stage);
  const mb = (statSync(join(out, name)).size / 1e6).toFixed(1);
  process.stdout.write(`${join(out, name)} (${mb} MB): netmon ${version} for linux-x64, Node ${major} (ABI ${process.versions.modules})\n`);
} finally {
  rmSync(stage, { recursive: true, force: true });
}
