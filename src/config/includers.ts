/**
 * Which main file includes a given file. `check-config` on an included file alone used to report every
 * credential and site it uses as "not defined" (they live in the main file); it now says which file to check.
 * Looks at the YAML files in the file's directory and the two above it, as the shipped layout
 * (config/netmon.yaml including targets/*.yaml) and most hand-made ones are.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { expandInclude } from './include.js';

const YAML = /\.ya?ml$/i;

function includes(candidate: string, file: string): boolean {
  let data: unknown;
  try {
    data = parseDocument(readFileSync(candidate, 'utf8')).toJS();
  } catch {
    return false;
  }
  const list = (data as { include?: unknown } | null)?.include;
  if (!Array.isArray(list)) return false;
  return list.some((pattern) => {
    if (typeof pattern !== 'string' || !pattern) return false;
    const r = expandInclude(path.dirname(candidate), pattern);
    return 'files' in r && r.files.includes(file);
  });
}

/** Absolute paths of the files that include `file` (none when it is a main file). */
export function findIncluders(file: string): string[] {
  const abs = path.resolve(file);
  const found: string[] = [];
  let dir = path.dirname(abs);
  for (let level = 0; level < 3; level++) {
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter((n) => YAML.test(n)).sort();
    } catch {
      // unreadable directory: nothing to find there
    }
    for (const n of names) {
      const candidate = path.join(dir, n);
      if (candidate !== abs && includes(candidate, abs)) found.push(candidate);
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return found;
}
