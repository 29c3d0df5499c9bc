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
