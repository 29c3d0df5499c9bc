/**
 * Log de-duplication for conditions that repeat every poll (a failing target, a counter that keeps
 * giving gaps): one line the first time a key goes wrong, then at most one summary line with a count
 * per `summaryMs` while it keeps happening, and one line when it is over. Summaries are written when
 * the condition happens again (no timer), so a key that stops without `clear()` costs nothing.
 */
export type RepeatLogFn = (level: 'info' | 'warn' | 'error', msg: string, extra: Record<string, unknown>) => void;

interface Entry {
  since: number;
  lastLog: number;
  total: number;
  /** Occurrences since the last line written for this key. */
  unlogged: number;
}

const SUMMARY_MS = 5 * 60_000;

export class RepeatLog {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly log: RepeatLogFn,
    private readonly summaryMs = SUMMARY_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The condition happened `n` times for `key`: the first line, or a summary when one is due. */
  occur(key: string, level: 'warn' | 'error', msg: string, extra: Record<string, unknown>, n = 1): void {
    const t = this.now();
    const e = this.entries.get(key);
    if (!e) {
      this.entries.set(key, { since: t, lastLog: t, total: n, unlogged: 0 });
      this.log(level, msg, extra);
      return;
    }
    e.total += n;
    e.unlogged += n;
    if (t - e.lastLog < this.summaryMs) return;
    this.log(level, `${msg} (still happening: ${e.unlogged} more since the last line, ${e.total} in all)`, { ...extra, repeated: e.unlogged, total: e.total, sinceMs: t - e.since });
    e.lastLog = t;
    e.unlogged = 0;
  }

  /** The condition is over for `key`: one info line if it had been logged, else nothing. */
  clear(key: string, msg: string, extra: Record<string, unknown>): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.log('info', msg, { ...extra, total: e.total, durationMs: this.now() - e.since });
  }
}
