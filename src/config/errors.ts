/** Config problems: where (file, line, column, field path) and what, formatted one per line for admins. */
import path from 'node:path';

export interface ConfigProblem {
  /** Display path of the file: relative to the working directory when inside it, else absolute. */
  file: string;
  /** 1-based; 0 when the problem concerns the whole file (e.g. it cannot be read). */
  line: number;
  column: number;
  /** Field path such as `targets[3].snmp.community`; empty for the document itself. */
  path: string;
  message: string;
}

function formatProblem(p: ConfigProblem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}:${p.column}` : p.file;
  return `${where}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
}

export class ConfigError extends Error {
  constructor(
    readonly problems: ConfigProblem[],
    /** Every file read before giving up, main first: a reload should keep watching them. */
    readonly files: string[] = [],
  ) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
  }

  /** One line per problem, `file:line:col: path: message`. */
  format(): string {
    return this.problems.map(formatProblem).join('\n');
  }
}

export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

/** `['targets', 3, 'snmp']` → `targets[3].snmp`; keys that are not plain words are quoted. */
export function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of segments) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(String(seg))) out += (out ? '.' : '') + String(seg);
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}

// ---- Library errors (fs, yaml, anything thrown while loading) in netmon's words ----
//
// A library's own message is never shown as is: the YAML parser quotes what it could not read (`Unresolved
// alias …: Secr3t` for `community: *Secr3t`, `Unresolved tag: !Secr3t`), and that may be a secret. Every
// such message goes through `libraryMessage`, and the caller positions it (file, line, column).

const FS_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  ELOOP: 'too many levels of symbolic links',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  EIO: 'input/output error',
  ENAMETOOLONG: 'name too long',
};

/** YAML messages that quote the file's text, by code and opening words → what to say instead. */
const YAML_QUOTING: [code: string, starts: RegExp, say: string][] = [
  ['TAG_RESOLVE_FAILED', /^/, 'unknown YAML tag (a value starting with ! must be quoted)'],
  ['BAD_DIRECTIVE', /^/, 'unknown YAML directive (a line starting with % must be quoted)'],
  ['UNEXPECTED_TOKEN', /^Block scalar header/, 'extra characters after | or > (a value starting with | or > must be quoted)'],
  ['BAD_DQ_ESCAPE', /^/, 'invalid escape sequence in a double-quoted string (write \\\\ for a backslash, or use single quotes)'],
];

/** What netmon says for a YAML alias to an anchor that does not exist (`community: *Secr3t`). */
export const UNKNOWN_ALIAS = 'unknown YAML alias (a value starting with * must be quoted)';

function yamlText(e: { code: string; message: string }): string {
  const first = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  const quoting = YAML_QUOTING.find(([code, starts]) => code === e.code && starts.test(first));
  return `YAML: ${quoting ? quoting[2] : first}`;
}

/**
 * The one formatter for errors raised by libraries while reading a config: an fs error by its code
 * (`permission denied (EACCES)`; ENOENT needs no code), a YAML error without the text it quotes, anything
 * else by its kind only (its message may quote a value). Positioning is the caller's: the result is the
 * `message` of a ConfigProblem.
 */
export function libraryMessage(err: unknown): string {
  const e = err as { code?: unknown; syscall?: unknown; message?: unknown; name?: unknown } | null;
  if (e && typeof e.code === 'string' && typeof e.syscall === 'string') {
    const words = FS_ERRORS[e.code];
    return e.code === 'ENOENT' ? words! : `${words ?? 'cannot be read'} (${e.code})`;
  }
  if (e && typeof e.code === 'string' && typeof e.message === 'string' && /^YAML(Parse|Warning)?/.test(String(e.name))) {
    return yamlText({ code: e.code, message: e.message });
  }
  if (err instanceof ReferenceError && /alias/i.test(err.message)) {
    // yaml's toJS: an unresolved alias (caught earlier, positioned) or too many alias expansions.
    return /Excessive alias count/.test(err.message) ? 'YAML: aliases expand to too many values (a value starting with * must be quoted)' : `YAML: ${UNKNOWN_ALIAS}`;
  }
  return `unexpected ${e && typeof e.name === 'string' ? e.name : 'error'} (its text is not shown: it may quote a config value)`;
}

/** A failed reload or start, as admins read it: the ConfigError's lines, or a library error made safe. */
export function describeLoadError(err: unknown): string {
  return err instanceof ConfigError ? err.format() : libraryMessage(err);
}
