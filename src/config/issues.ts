/**
 * Zod issues → config problems. Messages come from our own error map (plain phrases); custom messages in the
 * schema take precedence over it, as zod orders them. The bad value is echoed after the message (`got "5 minutes"`),
 * except where it may be a secret (see `isSecretPath`).
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

/** Fields whose value is never shown: communities, keys, passwords, headers, URLs that may carry user:password@. */
const SECRET_SEGMENTS = /^(community|auth_key|priv_key|username|password|headers|url|external_url|basic_auth_users|.*(secret|token|passw).*)$/i;

function isSecretPath(path: readonly PropertyKey[]): boolean {
  return path.some((seg) => typeof seg === 'string' && SECRET_SEGMENTS.test(seg));
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v = data;
  for (const seg of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

const MAX_ECHO = 60;

/** The value at a non-secret path as the admin wrote it (`"swich"`, `0`), or undefined. */
function shownValue(src: YamlSource, path: readonly PropertyKey[]): string | undefined {
  if (isSecretPath(path)) return undefined;
  const v = valueAt(src.data, path);
  if (typeof v === 'string') return JSON.stringify(v.length > MAX_ECHO ? `${v.slice(0, MAX_ECHO)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** The message with the bad value: `expected a number, got the string "9300"`, `must be at least 1s (got "0s")`. */
function withValue(issue: z.core.$ZodIssue, src: YamlSource): string {
  const shown = shownValue(src, issue.path);
  if (shown === undefined) return issue.message;
  const typed = issue.code === 'invalid_type' ? issue.message.replace(/, got an? (\w+)/, `, got the $1 ${shown}`) : issue.message;
  if (typed !== issue.message) return typed;
  const raw = valueAt(src.data, issue.path);
  if (issue.code === 'custom' && typeof raw === 'string' && issue.message.includes(raw)) return issue.message; // it says the value already
  const hint = issue.code === 'invalid_value' && typeof raw === 'string' ? didYouMean(raw, issue.values.map(String)) : '';
  return `${issue.message} (got ${shown})${hint}`;
}

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
  if (loc.found) return [problem(path, loc, withValue(issue, src))];
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
