/**
 * `${VAR}` / `${VAR:-default}` substitution in YAML scalar values, so secrets can stay out of config files.
 * Works on parsed scalars rather than raw text: a value can never inject YAML structure, and positions stay exact.
 * Messages name variables, never their values.
 */
import { visit, type Document } from 'yaml';

const REF_RE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/;

export type Expanded = { value: string } | { error: string };

export function expandEnv(text: string, env: NodeJS.ProcessEnv): Expanded {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const at = text.indexOf('$', i);
    if (at < 0) break;
    out += text.slice(i, at);
    if (text.startsWith('$${', at)) {
      out += '${';
      i = at + 3;
      continue;
    }
    if (!text.startsWith('${', at)) {
      out += '$';
      i = at + 1;
      continue;
    }
    const m = REF_RE.exec(text.slice(at));
    if (!m) return { error: 'invalid variable reference: expected ${NAME} or ${NAME:-default} (write $${ for a literal ${)' };
    const [whole, name, fallback] = m as unknown as [string, string, string | undefined];
    const value = env[name];
    if (value !== undefined && value !== '') out += value;
    else if (fallback !== undefined) out += fallback;
    else if (value === undefined) return { error: `environment variable ${name} is not set (write \${${name}:-default} to give a default)` };
    i = at + whole.length;
  }
  return { value: out + text.slice(i) };
}

/** Substitutes in place in every scalar value (not keys); reports each failing scalar. */
export function substituteEnv(doc: Document, env: NodeJS.ProcessEnv, report: (offset: number, message: string) => void): void {
  visit(doc, {
    Scalar(key, node) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('$')) return;
      const r = expandEnv(node.value, env);
      if ('error' in r) report(node.range?.[0] ?? 0, r.error);
      else node.value = r.value;
    },
  });
}
