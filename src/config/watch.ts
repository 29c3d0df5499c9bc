/**
 * `server.watch_config`: reload when a config file changes. Watches the directories of every file the
 * config is made of (main file, includes, web config, certificate and key) rather than the files, so
 * editors that save by renaming a new file over the old one, and new files an `include:` pattern would
 * match, are seen too. Changes are debounced (an editor's save is several events, a `git pull` many), and
 * a reload happens only when the content actually changed (a `touch` or an unrelated file is ignored).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, watch, type FSWatcher } from 'node:fs';
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

export class ConfigWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  private files = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private fingerprint = '';
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
    this.fingerprint = this.compute();
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
    this.cancel();
    this.timer = setTimeout(() => this.fire(), this.opts.debounceMs ?? 500);
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    if (this.closed) return;
    const now = this.compute();
    if (now === this.fingerprint) return;
    this.fingerprint = now;
    this.opts.onChange();
  }

  /** Content of every watched file plus the YAML file names of their directories. */
  private compute(): string {
    const h = createHash('sha256');
    for (const f of [...this.files].sort()) {
      h.update(f).update('\0');
      try {
        h.update(readFileSync(f));
      } catch (err) {
        h.update(`<${(err as NodeJS.ErrnoException).code ?? 'error'}>`);
      }
      h.update('\0');
    }
    for (const dir of [...this.watchers.keys()].sort()) {
      try {
        h.update(dir).update(readdirSync(dir).filter((n) => YAML.test(n) && !IGNORED.test(n)).sort().join('\0'));
      } catch {
        h.update(`${dir}<gone>`);
      }
    }
    return h.digest('hex');
  }
}
