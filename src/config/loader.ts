/**
 * Loads the main config file and its includes, validates everything, and either returns the merged
 * configuration or throws one ConfigError listing every problem in every file.
 */
import path from 'node:path';
import type { z } from 'zod';
import { ConfigError, displayPath, formatPath, libraryMessage, type ConfigProblem } from './errors.js';
import { expandInclude } from './include.js';
import { validateSource as validate } from './issues.js';
import type { LoadedConfig, WebConfig } from './model.js';
import { checkReferences } from './references.js';
import { includeFile, mainFile } from './schema.js';
import { locate, readSource, type YamlSource } from './source.js';
import { loadWebConfig } from './web.js';
import { PROBE_KIND_NAMES, PROBE_KINDS } from '../../probes/registry.js';
import type { ProbeKind } from '../../probes/kind.js';
import type { ProbeKindName, SpecOf } from '../types.js';

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

type Part = { src: YamlSource; out: z.output<typeof includeFile> };
const KINDS: { readonly [K in ProbeKindName]: ProbeKind<SpecOf<K>> } = PROBE_KINDS;

/** Problems of a target's probe blocks that need the defaults (timeout shorter than interval), in each kind's words. */
function probeTimingProblems(parts: Part[], defaults: z.output<typeof mainFile>['defaults'], problems: ConfigProblem[]): void {
  for (const { src, out } of parts) {
    out.targets.forEach((t, i) => {
      for (const kind of PROBE_KIND_NAMES) problems.push(...kindProblems(kind, t[kind], defaults[kind], src, ['targets', i, kind]));
    });
  }
}

function kindProblems<K extends ProbeKindName>(kind: K, block: unknown, defaults: unknown, src: YamlSource, at: PropertyKey[]): ConfigProblem[] {
  const k = KINDS[kind];
  if (block === undefined || !k.check) return [];
  return k.check(block, defaults).map(({ key, message }) => {
    const p = [...at, key];
    const loc = locate(src, p);
    const shown = loc.found ? p : at;
    const { line, column } = loc.found ? loc : locate(src, at);
    return { file: src.display, line, column, path: formatPath(shown), message };
  });
}

const whole = (src: YamlSource, message: string): ConfigProblem => ({ file: src.display, line: 0, column: 0, path: '', message });

/** An empty main file, or an include that defines nothing: an error (or, with `allow_empty: true`, a warning). */
function emptinessProblems(main: YamlSource, parts: Part[], problems: ConfigProblem[], warnings: ConfigProblem[]): void {
  if (main.empty) problems.push(whole(main, 'the file is empty: a netmon config needs at least `targets:` (here or in files named by `include:`)'));
  for (const { src, out } of parts) {
    if (out.sites.length || out.targets.length || Object.keys(out.credentials).length) continue;
    if (out.allow_empty) warnings.push(whole(src, 'defines no sites, targets or credentials (allowed by `allow_empty: true`)'));
    else {
      problems.push(
        whole(src, 'included file defines no sites, targets or credentials: what it defined before would silently stop being monitored; restore it, or write `allow_empty: true` in it if it is meant to be empty'),
      );
    }
  }
}

/** A whole config with no target (all jobs would stop, the reload would "succeed"): an error unless `allow_empty: true`. */
function noTargetProblem(main: YamlSource, mainOut: z.output<typeof mainFile>, parts: Part[], problems: ConfigProblem[], warnings: ConfigProblem[]): void {
  if (main.empty || mainOut.targets.length || parts.some((p) => p.out.targets.length)) return;
  if (mainOut.allow_empty) warnings.push(whole(main, 'no targets: nothing is polled (allowed by `allow_empty: true`)'));
  else {
    problems.push(
      whole(main, 'defines no targets, here or in the files named by `include:`: every target would stop being monitored; add targets, or write `allow_empty: true` in this file if netmon should run with none'),
    );
  }
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
  try {
    return load(file, env);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    // Whatever a library throws past the checks above still names the file, and never its text.
    throw new ConfigError([{ file: displayPath(path.resolve(file)), line: 0, column: 0, path: '', message: libraryMessage(err) }], [path.resolve(file)]);
  }
}

function load(file: string, env: NodeJS.ProcessEnv): LoadedConfig {
  const problems: ConfigProblem[] = [];
  const mainPath = path.resolve(file);
  const files = [mainPath];
  const main = readSource(mainPath, env, problems);
  if (!main) throw new ConfigError(problems, files);

  const mainOut = validate(main, mainFile, problems);
  const sources = [main];
  const parts: Part[] = [];
  const warnings: ConfigProblem[] = [];
  const included = includedFiles(main, problems);
  const includeFailed = problems.some((p) => p.path.startsWith('include['));
  for (const f of included) {
    files.push(f);
    const src = readSource(f, env, problems);
    if (!src) continue;
    sources.push(src);
    const out = validate(src, includeFile, problems);
    if (out) parts.push({ src, out });
  }
  emptinessProblems(main, parts, problems, warnings);
  if (mainOut) probeTimingProblems([{ src: main, out: mainOut }, ...parts], mainOut.defaults, problems);
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
  // Judged on a config that is otherwise valid: with other problems the reload fails anyway.
  if (mainOut && !problems.length) noTargetProblem(main, mainOut, parts, problems, warnings);
  if (problems.length || !mainOut) throw new ConfigError(sorted(problems, [...files, ...webFiles].map(displayPath)), [...files, ...webFiles]);

  const all = [mainOut, ...parts.map((p) => p.out)];
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
    targetFiles: new Map([{ src: main, out: mainOut }, ...parts].flatMap(({ src, out }) => out.targets.map((t) => [t.name, src.file] as const))),
    alerting: mainOut.alerting,
    ...(mainOut.traps ? { traps: mainOut.traps } : {}),
    ...(mainOut.flows ? { flows: mainOut.flows } : {}),
    remoteWrite: mainOut.remote_write,
    cluster: mainOut.cluster,
    maintenance: mainOut.maintenance,
    limits: mainOut.limits,
    reports: mainOut.reports,
    web,
    warnings,
  };
}
