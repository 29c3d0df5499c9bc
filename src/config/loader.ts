/**
 * Loads the main config file and its includes, validates everything, and either returns the merged
 * configuration or throws one ConfigError listing every problem in every file.
 */
import path from 'node:path';
import type { z } from 'zod';
import { ConfigError, displayPath, type ConfigProblem } from './errors.js';
import { expandInclude } from './include.js';
import { validateSource as validate } from './issues.js';
import type { LoadedConfig, WebConfig } from './model.js';
import { checkReferences } from './references.js';
import { includeFile, mainFile } from './schema.js';
import { locate, readSource, type YamlSource } from './source.js';
import { loadWebConfig } from './web.js';

/** Files named by `include:`, deduplicated, without the main file itself (`*.yaml` next to it would match it). */
function includedFiles(main: YamlSource, problems: ConfigProblem[]): string[] {
  const raw = (main.data as { include?: unknown }).include;
  if (!Array.isArray(raw)) return []; // a malformed `include` is reported by validation
  const dir = path.dirname(main.file);
  const files = new Set<string>();
  raw.forEach((pattern, i) => {
    if (typeof pattern !== 'string' || !pattern) return;
    const r = expandInclude(dir, pattern);
    if ('error' in r) {
      const { line, column } = locate(main, ['include', i]);
      problems.push({ file: main.display, line, column, path: `include[${i}]`, message: r.error });
    } else for (const f of r.files) if (f !== main.file) files.add(f);
  });
  return [...files];
}

/** Problems ordered by file (load order), then position. */
function sorted(problems: ConfigProblem[], order: string[]): ConfigProblem[] {
  const rank = (p: ConfigProblem) => order.indexOf(p.file);
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => rank(a.p) - rank(b.p) || a.p.line - b.p.line || a.p.column - b.p.column || a.i - b.i)
    .map(({ p }) => p);
}

export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const problems: ConfigProblem[] = [];
  const mainPath = path.resolve(file);
  const files = [mainPath];
  const main = readSource(mainPath, env, problems);
  if (!main) throw new ConfigError(problems, files);

  const mainOut = validate(main, mainFile, problems);
  const sources = [main];
  const parts: z.output<typeof includeFile>[] = [];
  const included = includedFiles(main, problems);
  const includeFailed = problems.some((p) => p.path.startsWith('include['));
  for (const f of included) {
    files.push(f);
    const src = readSource(f, env, problems);
    if (!src) continue;
    sources.push(src);
    const out = validate(src, includeFile, problems);
    if (out) parts.push(out);
  }
  // With a file missing or unparsable, "X is not defined" would mostly be noise: report those after it is fixed.
  const complete = sources.length === files.length && !includeFailed;
  problems.push(...checkReferences(sources, main, complete));
  // The web config (TLS, basic auth) is checked even when the main file has other problems: one run reports all.
  const webFiles: string[] = [];
  let web: WebConfig | undefined;
  const webRef = (main.data as { server?: { web_config?: unknown } }).server?.web_config;
  if (typeof webRef === 'string' && webRef) {
    const webPath = path.resolve(path.dirname(mainPath), webRef);
    web = loadWebConfig(webPath, env, problems);
    webFiles.push(webPath, ...(web?.files ?? []));
  }
  if (problems.length || !mainOut) throw new ConfigError(sorted(problems, [...files, ...webFiles].map(displayPath)), [...files, ...webFiles]);

  const all = [mainOut, ...parts];
  return {
    file: mainPath,
    files,
    server: mainOut.server,
    storage: { ...mainOut.storage, path: path.resolve(path.dirname(mainPath), mainOut.storage.path) },
    scheduler: mainOut.scheduler,
    defaults: mainOut.defaults,
    simulate: mainOut.simulate,
    credentials: new Map(all.flatMap((p) => Object.entries(p.credentials))),
    sites: all.flatMap((p) => p.sites),
    uplinks: mainOut.uplinks,
    targets: all.flatMap((p) => p.targets),
    alerting: mainOut.alerting,
    maintenance: mainOut.maintenance,
    web,
  };
}
