/**
 * A guard for reloads made by `server.watch_config`: a file seen while it is still being written can be cut
 * exactly between two entries, and then it parses and validates, with fewer targets. The watcher waits for
 * the files to be stable, but a writer that pauses longer than that (a slow copy, a script writing in
 * pieces) still shows a cut file. What such a cut looks like is most of one file's targets vanishing at once:
 * that change is not applied from a file event. The admin applies it on purpose (SIGHUP, `systemctl reload`,
 * POST /-/reload), which always works. Removing one target, or a few of many, is an ordinary edit.
 */
import { ConfigError, displayPath, type ConfigProblem } from './errors.js';
import type { LoadedConfig } from './model.js';

const MAX_NAMES = 5;

/** A problem per file of which `next` removes more than half of the targets (two or more). */
function shrinkProblems(running: LoadedConfig, next: LoadedConfig): ConfigProblem[] {
  const before = running.targetFiles;
  const after = next.targetFiles;
  if (!before || !after) return [];
  const removedByFile = new Map<string, { total: number; removed: string[] }>();
  for (const [name, file] of before) {
    const f = removedByFile.get(file) ?? { total: 0, removed: [] };
    f.total++;
    if (!after.has(name)) f.removed.push(name); // moved to another file is not removed
    removedByFile.set(file, f);
  }
  const problems: ConfigProblem[] = [];
  for (const [file, { total, removed }] of removedByFile) {
    if (removed.length < 2 || removed.length * 2 <= total) continue;
    const names = removed.length > MAX_NAMES ? `${removed.slice(0, MAX_NAMES).join(', ')}, … ${removed.length - MAX_NAMES} more` : removed.join(', ');
    problems.push({
      file: displayPath(file),
      line: 0,
      column: 0,
      path: '',
      message:
        `the change removes ${removed.length} of its ${total} targets (${names}): not applied by watch_config, ` +
        'in case the file is still being written; apply it with SIGHUP (`systemctl reload netmon`) or POST /-/reload',
    });
  }
  return problems;
}

/** Throws a ConfigError (the reload then fails and keeps the running config) for a suspicious watched change. */
export function checkWatchedChange(running: LoadedConfig, next: LoadedConfig): void {
  const problems = shrinkProblems(running, next);
  if (problems.length) throw new ConfigError(problems, next.files);
}
