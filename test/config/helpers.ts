/** Writes config trees to temp dirs and returns load problems as formatted lines, paths relative to the tree. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/loader.js';

const dirs: string[] = [];

export function writeTree(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'netmon-config-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

export function removeTrees(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function loadError(dir: string, env: NodeJS.ProcessEnv = {}, main = 'netmon.yaml'): ConfigError {
  try {
    loadConfig(path.join(dir, main), env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

/** The formatted problems, one string per line, with the temp dir stripped. */
export function problems(files: Record<string, string | Buffer>, env: NodeJS.ProcessEnv = {}): string[] {
  const dir = writeTree(files);
  return loadError(dir, env).format().split('\n').map((l) => l.replaceAll(dir + path.sep, ''));
}
