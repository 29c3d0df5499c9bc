/**
 * The web config file named by `server.web_config`: TLS and basic auth, in the format of Prometheus
 * exporter-toolkit's `--web.config.file` (a subset: see README.md, "Web config"). Read, positioned and
 * validated with the same helpers as the main config; the certificate and key are read and checked here,
 * so a bad pair is a config problem (file, line, field) rather than a failure at listen time.
 *
 * Problems never include a value: the file holds password hashes and points at a private key.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createSecureContext } from 'node:tls';
import { displayPath, formatPath, libraryMessage, type ConfigProblem } from './errors.js';
import { validateSource } from './issues.js';
import type { WebConfig } from './model.js';
import { webConfigFile } from './schema.js';
import { locate, readSource } from './source.js';

const TLS_VERSIONS = { TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' } as const;

/** OpenSSL's reason without its error code prefix (`error:0A00018E:SSL routines::ca md too weak` → `ca md too weak`). */
function tlsReason(err: unknown): string {
  const m = String((err as Error).message ?? err);
  return m.replace(/^error:[0-9A-F]+:[^:]*:[^:]*:/, '').trim() || 'invalid';
}

/** Loads `file`; on any problem, pushes it to `problems` and returns undefined. */
export function loadWebConfig(file: string, env: NodeJS.ProcessEnv, problems: ConfigProblem[]): WebConfig | undefined {
  const src = readSource(file, env, problems);
  if (!src) return undefined;
  const out = validateSource(src, webConfigFile, problems);
  if (!out) return undefined;
  const report = (p: PropertyKey[], message: string) => {
    const { line, column } = locate(src, p);
    problems.push({ file: src.display, line, column, path: formatPath(p), message });
  };
  const dir = path.dirname(src.file);
  // A Map: user names are keys from the file, and must never meet Object.prototype (`__proto__`, `constructor`).
  const users = new Map(Object.entries(out.basic_auth_users));
  const web: WebConfig = { file: src.file, files: [], users };
  const t = out.tls_server_config;
  if (!t) return web;

  const read = (key: 'cert_file' | 'key_file'): { file: string; data: Buffer } | undefined => {
    const abs = path.resolve(dir, t[key]);
    web.files.push(abs);
    try {
      return { file: abs, data: readFileSync(abs) };
    } catch (err) {
      report(['tls_server_config', key], `cannot read ${displayPath(abs)}: ${libraryMessage(err)}`);
      return undefined;
    }
  };
  const cert = read('cert_file');
  const key = read('key_file');
  if (!cert || !key) return undefined;
  const minVersion = TLS_VERSIONS[t.min_version];
  // One at a time first, so the problem points at the file at fault.
  const attempts: ['cert_file' | 'key_file', Parameters<typeof createSecureContext>[0], string][] = [
    ['cert_file', { cert: cert.data }, 'not a usable PEM certificate'],
    ['key_file', { key: key.data }, 'not a usable PEM private key'],
    ['key_file', { cert: cert.data, key: key.data, minVersion }, 'the key does not go with the certificate'],
  ];
  for (const [field, options, what] of attempts) {
    try {
      createSecureContext(options);
    } catch (err) {
      report(['tls_server_config', field], `${what}: ${tlsReason(err)}`);
      return undefined;
    }
  }
  web.tls = { certFile: cert.file, keyFile: key.file, cert: cert.data, key: key.data, minVersion };
  return web;
}

/** One line for `check-config`: what the web config turns on. */
export function describeWebConfig(web: WebConfig): string {
  const parts = [web.tls ? `HTTPS (${web.tls.minVersion} or newer)` : 'plain HTTP'];
  if (web.users.size) parts.push(`basic auth for ${web.users.size} user${web.users.size === 1 ? '' : 's'}`);
  return parts.join(', ');
}
