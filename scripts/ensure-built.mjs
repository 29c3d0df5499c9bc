#!/usr/bin/env node
// `npm start`: build only when the compiled output is missing or older than its sources, then return.
// Plain JavaScript (not TypeScript) so that it runs before anything is compiled.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outputs = ['dist/src/cli.js', 'dashboard/dist/main.js'].map((f) => join(root, f));
const sources = ['src', 'probes', 'dashboard/src', 'tsconfig.json', 'tsconfig.build.json', 'dashboard/tsconfig.json', 'package.json'];

/** Newest modification time under `p` (TypeScript sources and config files). */
function newest(p) {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...readdirSync(p).map((n) => newest(join(p, n))));
}

const built = Math.min(...outputs.map((f) => (existsSync(f) ? statSync(f).mtimeMs : 0)));
const changed = Math.max(...sources.map((s) => newest(join(root, s))));
if (built > 0 && built >= changed) process.exit(0);
process.stderr.write(built ? 'netmon: sources changed since the last build; building\n' : 'netmon: not built yet; building\n');
const r = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
