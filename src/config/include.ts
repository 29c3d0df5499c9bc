/** `include:` patterns → files. Only `*` and `?` within one path segment: enough for `targets/*.yaml`, and predictable. */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { displayPath, libraryMessage } from './errors.js';

export type Expansion = { files: string[] } | { error: string };

const hasWildcard = (s: string) => /[*?]/.test(s);

function segmentRegex(seg: string): RegExp {
  const body = seg.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`);
}

function kind(p: string): 'file' | 'dir' | undefined {
  try {
    const st = statSync(p);
    return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : undefined;
  } catch {
    return undefined;
  }
}

/** Matching files, sorted so that load order (and so duplicate reporting) is deterministic. */
export function expandInclude(baseDir: string, pattern: string): Expansion {
  const shown = `include \`${pattern}\``;
  if (pattern.includes('**')) return { error: `${shown}: \`**\` is not supported; use one \`*\` per directory level` };
  const abs = path.resolve(baseDir, pattern);
  if (!hasWildcard(pattern)) {
    try {
      const st = statSync(abs);
      return st.isFile() ? { files: [abs] } : { error: `${shown}: not a file` };
    } catch (err) {
      return { error: `${shown}: ${libraryMessage(err)}` };
    }
  }
  const { root } = path.parse(abs);
  const segments = abs.slice(root.length).split(path.sep);
  let candidates = [root];
  for (const [i, seg] of segments.entries()) {
    const last = i === segments.length - 1;
    const next: string[] = [];
    for (const dir of candidates) {
      if (!hasWildcard(seg)) {
        const p = path.join(dir, seg);
        // `targets/*.yaml` with `targets` a file: say so rather than "matches no file".
        if (!last && candidates.length === 1 && kind(p) === 'file') return { error: `${shown}: ${displayPath(p)} is a file, not a directory` };
        next.push(p);
        continue;
      }
      const re = segmentRegex(seg);
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch (err) {
        // A directory that exists but cannot be listed is not "no match": the files may be there.
        return { error: `${shown}: cannot read directory ${displayPath(dir)}: ${libraryMessage(err)}` };
      }
      // Like shells, `*` does not match hidden files (editor backups, `.#foo.yaml` locks).
      for (const n of names) if (re.test(n) && (!n.startsWith('.') || seg.startsWith('.'))) next.push(path.join(dir, n));
    }
    candidates = next.filter((p) => kind(p) === (last ? 'file' : 'dir'));
  }
  if (!candidates.length) return { error: `${shown} matches no file` };
  return { files: candidates.sort() };
}
