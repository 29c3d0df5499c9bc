/** One config file as YAML: parsed with positions kept, so any field path can be mapped back to line and column. */
import { readFileSync } from 'node:fs';
import { isAlias, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import { displayPath, formatPath, libraryMessage, UNKNOWN_ALIAS, type ConfigProblem } from './errors.js';
import { substituteEnv } from './env.js';
import { decodeUtf8 } from './text.js';

export interface YamlSource {
  /** Absolute path. */
  file: string;
  display: string;
  doc: Document;
  lines: LineCounter;
  /** The document as plain data after `${VAR}` substitution; `{}` for an empty file. */
  data: unknown;
  /** Nothing but comments and blank lines. */
  empty: boolean;
}

export interface Location {
  line: number;
  column: number;
  /** False when the path ends before its last segment (a missing key): the position is then the deepest node found. */
  found: boolean;
  /** The segments actually found. */
  depth: number;
}

/** At most this many YAML errors per file: one mistake can derail the parser for the rest of the file. */
const MAX_YAML_ERRORS = 10;

function parse(text: string, lines?: LineCounter): Document {
  return parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
}

/**
 * The YAML problems of a file. A tab where YAML wants spaces derails the parser into a cascade of errors
 * (hundreds of "Unexpected token" in a flow map) that never name the tab: when the file parses better with
 * its tabs made spaces (same offsets), one message names the first tab instead, plus what remains.
 */
function yamlProblems(text: string, doc: Document, lines: LineCounter): { offset: number; message: string }[] {
  const errors = [...doc.errors, ...doc.warnings];
  if (!errors.length) return [];
  const tab = text.indexOf('\t');
  const shown = errors.map((e) => ({ offset: e.pos[0], message: libraryMessage(e) }));
  if (tab >= 0) {
    const untabbed = parse(text.replaceAll('\t', ' '));
    const onTabLine = (offset: number) => {
      const start = text.lastIndexOf('\n', offset - 1) + 1;
      const end = text.indexOf('\n', offset);
      return text.slice(start, end < 0 ? undefined : end).includes('\t');
    };
    // The tab is to blame when the file parses better without tabs, or an error sits on a line holding one.
    // Then it is the one message: what follows a misplaced tab is noise until it is fixed.
    if (untabbed.errors.length + untabbed.warnings.length < errors.length || errors.some((e) => onTabLine(e.pos[0]))) {
      const count = text.split('\t').length - 1;
      const more = count > 1 ? ` (${count} tabs in this file; this is the first)` : '';
      return [{ offset: tab, message: `YAML: a tab character; YAML allows only spaces for indentation and structure: replace tabs with spaces${more}` }];
    }
  }
  if (shown.length <= MAX_YAML_ERRORS) return shown;
  const { offset } = shown[MAX_YAML_ERRORS]!;
  const more = `YAML: ${shown.length - MAX_YAML_ERRORS} more errors from line ${lines.linePos(offset).line} on, probably caused by the ones above`;
  return [...shown.slice(0, MAX_YAML_ERRORS), { offset, message: more }];
}

/** Reads, decodes (UTF-8 only), parses and substitutes. Returns undefined (with problems reported) when the file cannot be read or parsed. */
export function readSource(file: string, env: NodeJS.ProcessEnv, problems: ConfigProblem[]): YamlSource | undefined {
  const display = displayPath(file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    problems.push({ file: display, line: 0, column: 0, path: '', message: `cannot read file: ${libraryMessage(err)}` });
    return undefined;
  }
  const decoded = decodeUtf8(bytes);
  if (!('text' in decoded)) {
    problems.push({ file: display, line: decoded.line, column: decoded.column, path: '', message: decoded.message });
    return undefined;
  }
  const { text } = decoded;
  const lines = new LineCounter();
  const doc = parse(text, lines);
  const at = (offset: number) => lines.linePos(offset);
  // Warnings (e.g. an unknown tag) are errors too: a config should mean exactly one thing.
  const yamlErrors = yamlProblems(text, doc, lines);
  for (const e of yamlErrors) {
    const { line, col } = at(e.offset);
    problems.push({ file: display, line, column: col, path: '', message: e.message });
  }
  if (yamlErrors.length) return undefined;
  let envFailed = false;
  substituteEnv(doc, env, (offset, message) => {
    const { line, col } = at(offset);
    envFailed = true;
    problems.push({ file: display, line, column: col, path: '', message });
  });
  // An alias to no anchor parses, then makes toJS throw with the alias in its message: `community: *Secr3t`.
  const aliases = unknownAliases(doc);
  for (const offset of aliases) {
    const { line, col } = at(offset);
    problems.push({ file: display, line, column: col, path: '', message: UNKNOWN_ALIAS });
  }
  if (aliases.length) return undefined;
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    problems.push({ file: display, line: 0, column: 0, path: '', message: libraryMessage(err) });
    return undefined;
  }
  const src: YamlSource = { file, display, doc, lines, data: data ?? {}, empty: doc.contents === null };
  // Env errors are positioned before the path is known; fill it in now that we can walk the tree.
  if (envFailed) fillScalarPaths(src, problems);
  return src;
}

/** Offsets of aliases (`*name`) with no anchor (`&name`) before them, in document order as YAML requires. */
function unknownAliases(doc: Document): number[] {
  const anchors = new Set<string>();
  const bad: number[] = [];
  visit(doc, (_key, node) => {
    if (isAlias(node)) {
      if (!anchors.has(node.source)) bad.push(node.range?.[0] ?? 0);
    } else if (isNode(node) && node.anchor) anchors.add(node.anchor);
  });
  return bad;
}

function resolve(doc: Document, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

/** Finds the node at `path`; with `key`, the position of the last segment's key rather than its value. */
export function locate(src: YamlSource, path: readonly PropertyKey[], key = false): Location {
  let node: unknown = src.doc.contents;
  let offset = (node as Node | null)?.range?.[0] ?? 0;
  let depth = 0;
  for (const seg of path) {
    node = resolve(src.doc, node);
    let next: unknown;
    let keyNode: unknown;
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      // `key:` with no value has an empty node at the end of the line: point at the key instead.
      const empty = !pair?.value || (isScalar(pair.value) && pair.value.range?.[0] === pair.value.range?.[1]);
      next = empty ? pair?.key : pair.value;
      keyNode = pair?.key;
    } else if (isSeq(node) && typeof seg === 'number') {
      next = node.items[seg];
    }
    if (next === undefined || next === null) break;
    depth++;
    const target = key && depth === path.length && keyNode ? keyNode : next;
    offset = (target as Node).range?.[0] ?? offset;
    node = next;
  }
  const { line, col } = src.lines.linePos(offset);
  return { line, column: col, found: depth === path.length, depth };
}

/** Sets the field path of problems that were reported by position only (env substitution). */
function fillScalarPaths(src: YamlSource, problems: ConfigProblem[]): void {
  const paths = new Map<string, string>();
  const walk = (node: unknown, path: PropertyKey[]): void => {
    node = resolve(src.doc, node);
    if (isMap(node)) for (const p of node.items) walk(p.value, [...path, isScalar(p.key) ? String(p.key.value) : String(p.key)]);
    else if (isSeq(node)) node.items.forEach((n, i) => walk(n, [...path, i]));
    else if (isScalar(node) && node.range) {
      const { line, col } = src.lines.linePos(node.range[0]);
      paths.set(`${line}:${col}`, formatPath(path));
    }
  };
  walk(src.doc.contents, []);
  for (const p of problems) if (p.file === src.display && !p.path) p.path = paths.get(`${p.line}:${p.column}`) ?? '';
}
