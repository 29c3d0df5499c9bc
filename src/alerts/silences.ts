/**
 * Silences, bounded: each one checked (matcher count and size, RE2 patterns, clean text) before it is
 * stored, at most `limits.silences` not yet ended, all stored ones (ended included) within
 * `limits.total_bytes`, ended ones pruned after `limits.keep_expired` or sooner to make room. What an older
 * netmon stored is checked again on load: a silence that no longer passes (a backtracking pattern, a huge
 * comment, one too many) is dropped from the database with a counted log line instead of hanging or
 * bloating the daemon.
 */
import { randomUUID } from 'node:crypto';
import type { AlertingConfig } from '../config/schema.js';
import type { AlertsDb } from './db.js';
import { compileMatchers, InvalidMatcher, type LabelTest } from './matcher.js';
import { textProblem, utf8Bytes } from './text.js';
import type { Silence, SilenceMatcher } from './types.js';

export type Limits = AlertingConfig['limits'];

/** A request netmon refuses: 409 (too many), 413 (too large), 422 (not acceptable content), with the reason. */
export class Rejected extends Error {
  constructor(
    readonly status: 409 | 413 | 422,
    message: string,
  ) {
    super(message);
  }
}

export interface SilenceInput {
  matchers: SilenceMatcher[];
  startsAt?: number;
  endsAt: number;
  createdBy: string;
  comment: string;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const MAX_NAME = 200;

/** Throws Rejected unless `comment` (multi-line) or a one-line `text` is acceptable. */
export function checkText(field: string, s: string, multiline: boolean, maxBytes: number): void {
  const bytes = utf8Bytes(s);
  if (bytes > maxBytes) throw new Rejected(413, `${field}: ${bytes} bytes, at most ${maxBytes}`);
  const problem = textProblem(s, multiline);
  if (problem) throw new Rejected(422, `${field}: ${problem}`);
}

/** The compiled test of a silence, or Rejected saying what is wrong with it. */
function validate(s: Silence, limits: Limits): LabelTest {
  if (!Array.isArray(s.matchers) || s.matchers.length === 0) throw new Rejected(422, 'matchers: at least one matcher');
  if (s.matchers.length > limits.matchers) throw new Rejected(413, `matchers: ${s.matchers.length}, at most ${limits.matchers}`);
  s.matchers.forEach((m, i) => {
    if (typeof m.name !== 'string' || !LABEL_NAME.test(m.name) || m.name.length > MAX_NAME) throw new Rejected(422, `matchers.${i}.name: expected a label name`);
    if (typeof m.value !== 'string') throw new Rejected(422, `matchers.${i}.value: expected a string`);
    checkText(`matchers.${i}.value`, m.value, false, limits.value_bytes);
  });
  checkText('comment', s.comment, true, limits.comment_bytes);
  checkText('created_by', s.createdBy, false, MAX_NAME);
  try {
    return compileMatchers(s.matchers);
  } catch (e) {
    if (e instanceof InvalidMatcher) throw new Rejected(422, `matchers: ${e.message}`);
    throw e;
  }
}

interface Entry {
  s: Silence;
  test: LabelTest;
  bytes: number;
}

export class Silences {
  /** Newest first. */
  private list: Entry[] = [];
  private bytes = 0;

  constructor(
    private readonly db: AlertsDb,
    private limits: Limits,
    private readonly log: (level: 'info' | 'warn', msg: string, extra?: Record<string, unknown>) => void,
  ) {}

  /** Load what is stored, newest first, dropping (and counting) what no longer passes the checks and limits. */
  load(now: number): void {
    const dropped: Record<string, number> = {};
    this.list = [];
    this.bytes = 0;
    let pending = 0;
    let invalid = 0;
    for (const s of this.db.silences().sort((a, b) => b.createdAt - a.createdAt)) {
      const ended = s.endsAt <= now;
      let reason: string | null = null;
      if (ended && s.endsAt < now - this.limits.keep_expired) reason = 'ended before keep_expired';
      else if (!ended && pending >= this.limits.silences) reason = `over limits.silences (${this.limits.silences})`;
      else {
        try {
          const e = this.entry(s);
          if (this.bytes + e.bytes > this.limits.total_bytes) reason = `over limits.total_bytes (${this.limits.total_bytes})`;
          else {
            if (!ended) pending++;
            this.list.push(e);
            this.bytes += e.bytes;
          }
        } catch (e) {
          if (!(e instanceof Rejected)) throw e;
          reason = `invalid (${e.status})`;
          // The id and the reason only (the first few): the content may be what made it dangerous.
          if (++invalid <= 10) this.log('warn', 'dropped a stored silence that fails validation', { id: String(s.id).slice(0, 64), reason: e.message.slice(0, 300) });
        }
      }
      if (reason) {
        this.db.deleteSilence(s.id);
        dropped[reason] = (dropped[reason] ?? 0) + 1;
      }
    }
    const total = Object.values(dropped).reduce((a, b) => a + b, 0);
    if (total) this.log('warn', `dropped ${total} stored silence(s) on load`, { dropped, kept: this.list.length });
  }

  reconfigure(limits: Limits): void {
    this.limits = limits;
  }

  all(now: number): (Silence & { active: boolean })[] {
    return this.list.map(({ s }) => ({ ...s, active: s.startsAt <= now && now < s.endsAt }));
  }

  get size(): number {
    return this.list.length;
  }

  /** Bytes of all stored silences (their JSON). */
  get storedBytes(): number {
    return this.bytes;
  }

  add(input: SilenceInput, now: number): Silence {
    const s: Silence = { id: randomUUID(), matchers: input.matchers, startsAt: input.startsAt ?? now, endsAt: input.endsAt, createdBy: input.createdBy, comment: input.comment, createdAt: now };
    const e = this.entry(s);
    this.prune(now);
    const pending = this.list.filter((x) => x.s.endsAt > now).length;
    if (pending >= this.limits.silences) throw new Rejected(409, `${pending} silences are active or pending, at most ${this.limits.silences} (limits.silences): end some first`);
    this.makeRoom(e.bytes, now);
    if (this.bytes + e.bytes > this.limits.total_bytes) throw new Rejected(413, `silences take ${this.bytes} bytes, and this one ${e.bytes} more would pass limits.total_bytes (${this.limits.total_bytes}): end and let some expire first`);
    this.db.saveSilence(s);
    this.list.unshift(e);
    this.bytes += e.bytes;
    return s;
  }

  /** End a silence now. False if there is no such silence. */
  expire(id: string, now: number): boolean {
    const e = this.list.find((x) => x.s.id === id);
    if (!e) return false;
    if (e.s.endsAt > now) {
      e.s.endsAt = now;
      if (e.s.startsAt > now) e.s.startsAt = now;
      this.db.saveSilence(e.s);
    }
    return true;
  }

  /** Ids of the active silences muting an alert with these labels. */
  matching(labels: Record<string, string>, now: number): string[] {
    const ids: string[] = [];
    for (const { s, test } of this.list) if (s.startsAt <= now && now < s.endsAt && test(labels)) ids.push(s.id);
    return ids;
  }

  /** Drop silences that ended more than keep_expired ago. */
  prune(now: number): void {
    this.dropEnded((s) => s.endsAt < now - this.limits.keep_expired);
  }

  private entry(s: Silence): Entry {
    const test = validate(s, this.limits);
    return { s, test, bytes: utf8Bytes(JSON.stringify(s)) };
  }

  /** Drop the oldest-ended silences until `bytes` more fit (ended ones only: an active silence is never dropped). */
  private makeRoom(bytes: number, now: number): void {
    if (this.bytes + bytes <= this.limits.total_bytes) return;
    const ended = this.list.filter((x) => x.s.endsAt <= now).sort((a, b) => a.s.endsAt - b.s.endsAt);
    const drop = new Set<Silence>();
    let total = this.bytes;
    for (const e of ended) {
      if (total + bytes <= this.limits.total_bytes) break;
      drop.add(e.s);
      total -= e.bytes;
    }
    this.dropEnded((s) => drop.has(s));
  }

  private dropEnded(which: (s: Silence) => boolean): void {
    const keep: Entry[] = [];
    for (const e of this.list) {
      if (which(e.s)) {
        this.db.deleteSilence(e.s.id);
        this.bytes -= e.bytes;
      } else keep.push(e);
    }
    this.list = keep;
  }
}
