/** `netmon check-config [FILE]`: validate and summarise, without ever printing a secret. */
import { ConfigError, displayPath, type ConfigProblem } from './errors.js';
import { findIncluders } from './includers.js';
import { loadConfig } from './loader.js';
import { describeWebConfig } from './web.js';

const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const warning = (p: ConfigProblem) => `warning: ${p.line > 0 ? `${p.file}:${p.line}:${p.column}` : p.file}: ${p.path ? `${p.path}: ` : ''}${p.message}`;

function check(file: string, env: NodeJS.ProcessEnv): { ok: boolean; text: string } {
  try {
    const c = loadConfig(file, env);
    const text =
      `config OK: 1 main file + ${c.files.length - 1} included, ${count(c.targets.length, 'target')}, ` +
      `${count(c.sites.length, 'site')}, ${count(c.uplinks.length, 'uplink')}, ${count(c.credentials.size, 'credential')}` +
      (c.web ? `; web config: ${describeWebConfig(c.web)}` : '');
    return { ok: true, text: [...(c.warnings ?? []).map(warning), text].join('\n') };
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, text: err.format() };
    throw err;
  }
}

export function checkConfig(file: string, env: NodeJS.ProcessEnv = process.env): { ok: boolean; text: string } {
  // An included file alone lacks the credentials and sites of its main file: check the main file instead, and say so.
  const includers = findIncluders(file);
  if (!includers.length) return check(file, env);
  const main = includers[0]!;
  const others = includers.length > 1 ? ` (also included by ${includers.slice(1).map(displayPath).join(', ')})` : '';
  const note = `${displayPath(file)} is included by ${displayPath(main)}${others}: checking ${displayPath(main)}, the file to give netmon`;
  const r = check(main, env);
  return { ok: r.ok, text: `${note}\n${r.text}` };
}
