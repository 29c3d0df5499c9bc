/**
 * docs/vi/README.md (for the operations team) stays in step with README.md: every `##` section of the English
 * README has its Vietnamese counterpart, marked `<!-- en: Section -->` right before the Vietnamese heading, in
 * the same order; a section added, renamed or removed on one side fails here until the other follows.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../src/paths.js';

/** `## ` headings outside code fences. */
function headings(text: string): { line: number; title: string }[] {
  let fenced = false;
  return text.split('\n').flatMap((l, i) => {
    if (l.startsWith('```')) fenced = !fenced;
    return !fenced && l.startsWith('## ') ? [{ line: i, title: l.slice(3).trim() }] : [];
  });
}

describe('docs/vi/README.md', () => {
  const en = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const vi = readFileSync(join(ROOT, 'docs/vi/README.md'), 'utf8');
  const viLines = vi.split('\n');

  it('has a counterpart of every ## section of README.md, in the same order', () => {
    const anchors = headings(vi).map(({ line, title }) => {
      const m = /^<!-- en: (.+) -->$/.exec(viLines[line - 1] ?? '');
      expect(m, `the Vietnamese heading "${title}" (line ${line + 1}) has no <!-- en: … --> anchor on the line before`).not.toBeNull();
      return m![1]!;
    });
    expect(anchors).toEqual(headings(en).map((h) => h.title));
  });

  it('every anchor names an English section and heads a Vietnamese one', () => {
    const titles = new Set(headings(en).map((h) => h.title));
    viLines.forEach((l, i) => {
      const m = /^<!-- en: (.+) -->$/.exec(l);
      if (!m) return;
      expect(titles.has(m[1]!), `anchor "${m[1]}" (line ${i + 1}) names no ## section of README.md`).toBe(true);
      expect(viLines[i + 1], `anchor "${m[1]}" (line ${i + 1}) is not followed by a ## heading`).toMatch(/^## \S/);
    });
  });

  it('is linked from README.md', () => {
    expect(en).toContain('(docs/vi/README.md)');
  });
});
