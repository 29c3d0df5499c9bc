/** Where netmon's own files are, whether it runs from src/ (tsx, vitest) or from the compiled dist/. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || dir.endsWith('dist')) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the netmon package root');
    dir = up;
  }
  return dir;
}

export const ROOT = findRoot();
export const PROFILES_DIR = join(ROOT, 'probes', 'profiles');
export const DASHBOARD_DIR = join(ROOT, 'dashboard');
export const DEFAULT_CONFIG = join(ROOT, 'config', 'netmon.yaml');
