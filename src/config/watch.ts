/**
 * `server.watch_config`: reload when a config file changes. Watches the directories of every file the
 * config is made of (main file, includes, web config, certificate and key) rather than the files, so
 * editors that save by renaming a new file over the old one, and new files an `include:` pattern would
 * match, are seen too. Changes are debounced (an editor's save is several events, a `git pull` many), and
 * a reload happens only when the content actually changed (a `touch` or an unrelated file is ignored).
 *
 * A reload also waits until every watched file is stable: the same size, mtime and content at the end of
 * the debounce as at its start. An editor that truncates, then writes, showed the reload an empty file; a
 * file seen between two writes of a copy is cut short. Such states never last a whole debounce.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

export interface ConfigWatcherOptions {
  onChange: () => void;
  /** Quiet time after the last event before reloading. Default 500 ms. */
  debounceMs?: number;
  log?: (level: 'info' | 'warn', msg: string, extra?: Record<string, unknown>) => void;
}

/** Editor droppings: hidden files (`.foo.yaml.swp`, `.#foo.yaml`), backups (`foo.yaml~`), vim's write test file `4913`. */
const IGNORED = /^\.|~$|\.sw[a-p]$|\.tmp$|\.bak$|^4913$/;
const YAML = /\.ya?ml$/i;

function statOf(file: string): string {
  try {
    const st = statSync(file);
    return `${st.size}:${st.mtimeMs}`;
  } catch (err) {
    return `<${(err as NodeJS.ErrnoException).code ?? 'error'}>`;
  }
}

export class ConfigWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  private files = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  /** Content of the files as last loaded: a change of it is what triggers a reload. */
  private fingerprint = '';
  /** Content, size and mtime seen at the previous look: a reload needs the same at the next one. */
  private pending: string | undefined;
  private closed = false;

  constructor(private readonly opts: ConfigWatcherOptions) {}

  /** Watch exactly these files (and YAML files appearing beside them); an empty list stops watching. */
  setFiles(files: readonly string[]): void {
    if (this.closed) return;
    this.files = new Set(files.map((f) => path.resolve(f)));
    const dirs = new Set([...this.files].map((f) => path.dirname(f)));
    for (const [dir, w] of this.watchers) {
      if (dirs.has(dir)) continue;
      w.close();
      this.watchers.delete(dir);
    }
    for (const dir of dirs) {
      if (this.watchers.has(dir)) continue;
      try {
        const w = watch(dir, { persistent: false }, (_event, name) => this.event(dir, name));
        w.on('error', (err) => {
          this.opts.log?.('warn', 'config watch: stopped watching a directory', { dir, err: String(err) });
          w.close();
          this.watchers.delete(dir);
        });
        this.watchers.set(dir, w);
      } catch (err) {
        this.opts.log?.('warn', 'config watch: cannot watch a directory; reload with SIGHUP or POST /-/reload', { dir, err: String(err) });
      }
    }
    if (!this.files.size) this.cancel();
    this.fingerprint = this.compute().content;
    this.pending = undefined;
  }

  /** Directories being watched (tests). */
  get directories(): string[] {
    return [...this.watchers.keys()];
  }

  close(): void {
    this.closed = true;
    this.cancel();
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }

  private cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private event(dir: string, name: string | Buffer | null): void {
    if (this.closed) return;
    if (name !== null) {
      const base = String(name);
      if (IGNORED.test(base)) return;
      if (!this.files.has(path.join(dir, base)) && !YAML.test(base)) return;
    }
    this.arm();
  }

  private arm(): void {
    this.cancel();
    this.timer = setTimeout(() => this.fire(), this.opts.debounceMs ?? 500);
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    if (this.closed) return;
    const now = this.compute();
    if (now.content === this.fingerprint) {
      this.pending = undefined;
      return;
    }
    if (now.stable !== this.pending) {
      // Changed since the last look (or first look after events): look again one debounce later.
      this.pending = now.stable;
      this.arm();
      return;
    }
    this.pending = undefined;
    this.fingerprint = now.content;
    this.opts.onChange();
  }

  /** `content`: every watched file plus the YAML file names of their directories; `stable`: that plus sizes and mtimes. */
  private compute(): { content: string; stable: string } {
    const h = createHash('sha256');
    const stats: string[] = [];
    for (const f of [...this.files].sort()) {
      h.update(f).update('\0');
      try {
        stats.push(statOf(f));
        h.update(readFileSync(f));
      } catch (err) {
        h.update(`<${(err as NodeJS.ErrnoException).code ?? 'error'}>`);
      }
      h.update('\0');
    }
    for (const dir of [...this.watchers.keys()].sort()) {
      try {
        const names = readdirSync(dir).filter((n) => YAML.test(n) && !IGNORED.test(n)).sort();
        h.update(dir).update(names.join('\0'));
        // A new file an include pattern matches is loaded too: it must be stable as well (not part of `content`,
        // so that editing an unrelated YAML file beside the config reloads nothing).
        for (const n of names) stats.push(`${n}:${statOf(path.join(dir, n))}`);
      } catch {
        h.update(`${dir}<gone>`);
      }
    }
    const content = h.digest('hex');
    return { content, stable: `${content}|${stats.join(',')}` };
  }
}
