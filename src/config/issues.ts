/**
 * Zod issues → config problems. Messages come from our own error map (plain phrases, never the input value,
 * which may be a secret); custom messages in the schema take precedence over it, as zod orders them.
 */
import type { z } from 'zod';
import { formatPath, type ConfigProblem } from './errors.js';
import { knownKeys } from './schema-keys.js';
import { didYouMean } from './suggest.js';
import { locate, type YamlSource } from './source.js';

function kindOf(v: unknown): string {
  if (v === null || v === undefined) return 'an empty value';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a number';
  return `a ${typeof v}`;
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a map',
  record: 'a map',
  array: 'a list',
};

const list = (values: readonly unknown[]) => [...new Set(values.map(String))].join(', ');

function sizeMessage(iss: { origin: string; inclusive?: boolean }, bound: number | bigint, small: boolean): string {
  const n = Number(bound);
  if (iss.origin === 'string') return small && n === 1 ? 'must not be empty' : `must be at ${small ? 'least' : 'most'} ${n} characters`;
  if (iss.origin === 'array') return small && n === 1 ? 'must not be empty' : `must have at ${small ? 'least' : 'most'} ${n} items`;
  const op = small ? (iss.inclusive ? '>=' : '>') : iss.inclusive ? '<=' : '<';
  return `must be ${op} ${n}`;
}

const errorMap: z.core.$ZodErrorMap = (iss) => {
  switch (iss.code) {
    case 'invalid_type': {
      const got = kindOf(iss.input);
      // YAML turns an unquoted 12345 or `yes`-like value into a number/boolean; a community often looks like one.
      const scalar = typeof iss.input === 'number' || typeof iss.input === 'boolean';
      const quote = iss.expected === 'string' && scalar ? '; put it in quotes to make it a string' : '';
      return `expected ${EXPECTED[iss.expected] ?? iss.expected}, got ${got}${quote}`;
    }
    case 'invalid_value':
      return `expected one of: ${list(iss.values)}`;
    case 'invalid_union':
      return 'options' in iss && Array.isArray(iss.options) ? `expected one of: ${list(iss.options)}` : 'matches none of the allowed forms';
    case 'too_small':
      return sizeMessage(iss, iss.minimum, true);
    case 'too_big':
      return sizeMessage(iss, iss.maximum, false);
    case 'invalid_format':
      return `expected ${iss.format}`;
    case 'not_multiple_of':
      return `must be a multiple of ${String(iss.divisor)}`;
    default:
      return undefined;
  }
};

/** One problem per issue (per key for unknown keys), positioned in `src`. */
function issueProblems(issue: z.core.$ZodIssue, src: YamlSource, schema: z.ZodType): ConfigProblem[] {
  const path = issue.path;
  const at = (p: PropertyKey[], key = false) => locate(src, p, key);
  const problem = (p: PropertyKey[], loc: { line: number; column: number }, message: string): ConfigProblem => ({
    file: src.display,
    line: loc.line,
    column: loc.column,
    path: formatPath(p),
    message,
  });

  if (issue.code === 'unrecognized_keys') {
    const known = knownKeys(schema, path);
    return issue.keys.map((k) => problem(path, at([...path, k], true), `unknown key "${k}"${didYouMean(k, known)}`));
  }
  if (issue.code === 'invalid_key') {
    const key = String(path[path.length - 1]);
    const why = issue.issues[0]?.message ?? 'invalid';
    return [problem(path.slice(0, -1), at(path, true), `key "${key}": ${why}`)];
  }
  const loc = at(path);
  if (loc.found) return [problem(path, loc, issue.message)];
  // Absent from the document: point at the map that should hold it.
  const parent = path.slice(0, loc.depth);
  const missing = String(path[loc.depth]);
  const hint = issue.message.includes(', got ') ? '' : ` (${issue.message})`;
  const message = issue.code === 'custom' ? issue.message : `missing required key "${missing}"${hint}`;
  return [problem(parent, loc, message)];
}

/** Validates one parsed file against a schema: its output, or undefined with one positioned problem per issue. */
export function validateSource<S extends z.ZodType>(src: YamlSource, schema: S, problems: ConfigProblem[]): z.output<S> | undefined {
  const r = schema.safeParse(src.data, { error: errorMap });
  if (r.success) return r.data;
  for (const issue of r.error.issues) problems.push(...issueProblems(issue, src, schema));
  return undefined;
}
