/**
 * Silence matchers, compiled once. Regex matchers run on RE2JS, a port of RE2: matching is linear in the
 * label value whatever the pattern (no backtracking), so a hostile pattern such as `(?:.|.|.|.)+!` cannot
 * pin the event loop as JavaScript's backtracking RegExp did. Anchored like Alertmanager: the pattern must
 * match the whole label value. RE2 syntax also means no lookaround and no backreferences (rejected).
 *
 * Compiling is where a pattern could still cost: counted repetitions expand (`(?:.{999}x){…}` is a program of
 * ~90,000 instructions and takes ~130 ms to build). `programBound` bounds the expansion from the text first,
 * so an over-large pattern is refused before any compile work, and the compiled program size is checked after.
 */
import { RE2JS } from 're2js';

/** Instructions a compiled matcher may have (RE2 counts one per literal, class or operator). */
export const MAX_PROGRAM_SIZE = 10_000;

export type LabelTest = (labels: Record<string, string>) => boolean;

export interface MatcherSpec {
  name: string;
  value: string;
  regex?: boolean;
}

/** The pattern is not one netmon will run: why, for a 422 answer or the log. */
export class InvalidMatcher extends Error {}

/** End (exclusive) of the escape starting at `i` (`\d`, `\p{Greek}`, `\x{1F600}`). */
function escapeEnd(p: string, i: number): number {
  if ('pPx'.includes(p[i + 1] ?? '') && p[i + 2] === '{') {
    const close = p.indexOf('}', i + 3);
    return close < 0 ? p.length : close + 1;
  }
  return i + 2;
}

/** End (exclusive) of the character class starting at `i` (`[^]a-z\]]`, `[[:alpha:]]`). */
function classEnd(p: string, i: number): number {
  let j = i + 1;
  if (p[j] === '^') j++;
  if (p[j] === ']') j++;
  while (j < p.length) {
    if (p[j] === '\\') j = escapeEnd(p, j);
    else if (p[j] === '[' && p[j + 1] === ':') {
      const close = p.indexOf(':]', j + 2);
      j = close < 0 ? j + 1 : close + 2;
    } else if (p[j] === ']') return j + 1;
    else j++;
  }
  return p.length;
}

/**
 * The number of items the pattern expands to, from its text, without compiling: every literal, class,
 * escape and operator counts 1, and a counted repetition `{n}`, `{n,}`, `{n,m}` multiplies what it repeats
 * (a group: all of it) by its largest count. RE2's program is this size within a few instructions per
 * repetition (measured: `.{1000}` 1001 → 1002, `(?:.{99}x){90 times}` 9360 → 9002), so a pattern far over
 * the limit is refused before the compile work that would build it; the compiled size is checked after.
 * Misreading an exotic construct over-counts (a `{2}` inside `\Q…\E` is taken as a repetition).
 */
export function programBound(p: string): number {
  const open: number[] = [0]; // size so far of each open group, innermost last
  let last = 0; // size of the item a following repetition applies to
  const add = (n: number) => (open[open.length - 1]! += n);
  for (let i = 0; i < p.length; ) {
    const c = p[i]!;
    if (c === '(') {
      open.push(0);
      last = 0;
      i++;
    } else if (c === ')') {
      last = (open.length > 1 ? open.pop()! : 0) + 1;
      add(last);
      i++;
    } else {
      const rep = c === '{' ? /^\{(\d{1,9})(?:(,)(\d{0,9}))?\}/.exec(p.slice(i, i + 24)) : null;
      if (rep) {
        const n = Number(rep[1]);
        const max = rep[2] === undefined ? n : rep[3] ? Number(rep[3]) : n + 1;
        add(last * Math.max(0, max - 1) + 1);
        last = last * Math.max(1, max) + 1;
        i += rep[0].length;
      } else {
        last = 1;
        add(1);
        i = c === '\\' ? escapeEnd(p, i) : c === '[' ? classEnd(p, i) : i + 1;
      }
    }
  }
  return open.reduce((a, b) => a + b, 0);
}

/** Compile a regex matcher's pattern with RE2 semantics, or throw InvalidMatcher saying why. */
export function compilePattern(pattern: string): RE2JS {
  if (programBound(pattern) > MAX_PROGRAM_SIZE) throw new InvalidMatcher(`regular expression too large once its repetitions are expanded (over ${MAX_PROGRAM_SIZE} items)`);
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (e) {
    throw new InvalidMatcher(`invalid regular expression (RE2 syntax): ${(e as Error).message}`);
  }
  if (re.programSize() > MAX_PROGRAM_SIZE) throw new InvalidMatcher(`regular expression too large (${re.programSize()} instructions, at most ${MAX_PROGRAM_SIZE})`);
  return re;
}

/** One test over an alert's labels for all of a silence's matchers (all must match; a missing label is ""). */
export function compileMatchers(matchers: readonly MatcherSpec[]): LabelTest {
  const tests = matchers.map((m): LabelTest => {
    if (!m.regex) return (labels) => (labels[m.name] ?? '') === m.value;
    const re = compilePattern(m.value);
    return (labels) => re.matches(labels[m.name] ?? '');
  });
  return (labels) => tests.every((t) => t(labels));
}
