/** One config file as YAML: parsed with positions kept, so any field path can be mapped back to line and column. */
import { readFileSync } from 'node:fs';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { displayPath, formatPath, type ConfigProblem } from './errors.js';
import { substituteEnv } from './env.js';

export interface YamlSource {
  /** Absolute path. */
  file: string;
  display: string;
  doc: Document;
  lines: LineCounter;
  /** The document as plain data after `${VAR}` substitution; `{}` for an empty file. */
  data: unknown;
}

export interface Location {
  line: number;
  column: number;
  /** False when the path ends before its last segment (a missing key): the position is then the deepest node found. */
  found: boolean;
  /** The segments actually found. */
  depth: number;
}

const READ_ERRORS: Record<string, string> = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'is a directory' };

export function readError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  return READ_ERRORS[code] ?? (err as Error).message;
}

/** Reads, parses and substitutes. Returns undefined (with problems reported) when the file cannot be read or parsed. */
export function readSource(file: string, env: NodeJS.ProcessEnv, problems: ConfigProblem[]): YamlSource | undefined {
  const display = displayPath(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    problems.push({ file: display, line: 0, column: 0, path: '', message: `cannot read file: ${readError(err)}` });
    return undefined;
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => lines.linePos(offset);
  // Warnings (e.g. an unknown tag) are errors too: a config should mean exactly one thing.
  const yamlErrors = [...doc.errors, ...doc.warnings];
  for (const e of yamlErrors) {
    // The parser's message without the source excerpt it may append (the excerpt could hold a secret).
    const message = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    const { line, col } = at(e.pos[0]);
    problems.push({ file: display, line, column: col, path: '', message: `YAML: ${message}` });
  }
  if (yamlErrors.length) return undefined;
  let envFailed = false;
  substituteEnv(doc, env, (offset, message) => {
    const { line, col } = at(offset);
    envFailed = true;
    problems.push({ file: display, line, column: col, path: '', message });
  });
  const src: YamlSource = { file, display, doc, lines, data: doc.toJS({ maxAliasCount: 1000 }) ?? {} };
  // Env errors are positioned before the path is known; fill it in now that we can walk the tree.
  if (envFailed) fillScalarPaths(src, problems);
  return src;
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
