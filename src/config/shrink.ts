/**
 * A guard for reloads made by `server.watch_config`: a file seen while it is still being written can be cut
 * exactly between two entries, and then it parses and validates, with fewer targets. The watcher waits for
 * the files to be stable, but a writer that pauses longer than that (a slow copy, a script writing in
 * pieces) still shows a cut file. What such a cut looks like is most of one file's targets (or of the main
 * file's alert rules) vanishing at once: that change is not applied from a file event. The admin applies it
 * on purpose (SIGHUP, `systemctl reload`, POST /-/reload), which always works. Removing one target, or a few
 * of many, is an ordinary edit.
 */
import { ConfigError, displayPath, type ConfigProblem } from './errors.js';
import type { LoadedConfig } from './model.js';

const MAX_NAMES = 5;

function names(list: string[]): string {
  return list.length > MAX_NAMES ? `${list.slice(0, MAX_NAMES).join(', ')}, … ${list.length - MAX_NAMES} more` : list.join(', ');
}

/** `what` of one file, by name, before and after: a problem when more than half of them (two or more) are gone. */
function removal(file: string, what: string, before: readonly string[], after: ReadonlySet<string>): ConfigProblem[] {
  const removed = before.filter((n) => !after.has(n)); // moved to another file is not removed
  if (removed.length < 2 || removed.length * 2 <= before.length) return [];
  const message =
    `the change removes ${removed.length} of its ${before.length} ${what} (${names(removed)}): not applied by watch_config, ` +
    'in case the file is still being written; apply it with SIGHUP (`systemctl reload netmon`) or POST /-/reload';
  return [{ file: displayPath(file), line: 0, column: 0, path: '', message }];
}

/** Per file, the targets it defined that `next` no longer has; in the main file, the alert rules too. */
function shrinkProblems(running: LoadedConfig, next: LoadedConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (running.targetFiles && next.targetFiles) {
    const byFile = new Map<string, string[]>();
    for (const [name, file] of running.targetFiles) byFile.set(file, [...(byFile.get(file) ?? []), name]);
    const after = new Set(next.targetFiles.keys());
    for (const [file, before] of byFile) problems.push(...removal(file, 'targets', before, after));
  }
  const rules = (c: LoadedConfig) => (c.alerting?.rules ?? []).map((r) => r.name);
  problems.push(...removal(running.file, 'alert rules', rules(running), new Set(rules(next))));
  return problems;
}

/** Throws a ConfigError (the reload then fails and keeps the running config) for a suspicious watched change. */
export function checkWatchedChange(running: LoadedConfig, next: LoadedConfig): void {
  const problems = shrinkProblems(running, next);
  if (problems.length) throw new ConfigError(problems, next.files);
}
