/** `netmon check-config [FILE]`: validate and summarise, without ever printing a secret. */
import { ConfigError } from './errors.js';
import { loadConfig } from './loader.js';
import { describeWebConfig } from './web.js';

const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function checkConfig(file: string, env: NodeJS.ProcessEnv = process.env): { ok: boolean; text: string } {
  try {
    const c = loadConfig(file, env);
    const text =
      `config OK: 1 main file + ${c.files.length - 1} included, ${count(c.targets.length, 'target')}, ` +
      `${count(c.sites.length, 'site')}, ${count(c.uplinks.length, 'uplink')}, ${count(c.credentials.size, 'credential')}` +
      (c.web ? `; web config: ${describeWebConfig(c.web)}` : '');
    return { ok: true, text };
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, text: err.format() };
    throw err;
  }
}
