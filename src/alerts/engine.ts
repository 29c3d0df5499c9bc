/**
 * The state machine: inactive → pending (condition true) → firing (held for `for`) → resolved (condition
 * false for `keep_firing_for`, or the series went stale). Between a rule's firing and clearing thresholds
 * (`hold`) a firing alert keeps firing, so a value hovering at the threshold does not flap. Transitions are
 * written to SQLite (state + history) as they happen; a restart reloads the instances as they were.
 */
import { createHash } from 'node:crypto';
import type { ProbeResult } from '../scheduler.js';
import type { AlertsDb } from './db.js';
import type { CompiledRule } from './rules.js';
import { renderTemplate } from './template.js';
import type { AlertInstance, HistoryEvent, Observation } from './types.js';

export type Transition = 'pending' | 'firing' | 'resolved' | 'inactive';

export interface EngineOptions {
  db: AlertsDb;
  rules: CompiledRule[];
  now?: () => number;
  onTransition?: (a: AlertInstance, t: Transition) => void;
  onError?: (rule: string, err: unknown) => void;
}

export function fingerprint(labels: Record<string, string>): string {
  const h = createHash('sha256');
  for (const k of Object.keys(labels).sort()) h.update(`${k}\u0000${labels[k]}\u0000`);
  return h.digest('hex').slice(0, 16);
}

/** Samples are stamped when a probe finishes and slip by a little from one run to the next: `for: 1m` with a 60 s interval must fire on the second bad sample. */
const forGrace = (forMs: number) => Math.min(5000, forMs * 0.05);

export class AlertEngine {
  private readonly byFp = new Map<string, AlertInstance>();
  private rules = new Map<string, CompiledRule>();
  private readonly now: () => number;

  constructor(private readonly opts: EngineOptions) {
    this.now = opts.now ?? Date.now;
    this.setRules(opts.rules);
    const t = this.now();
    for (const a of opts.db.loadInstances()) {
      // The process was down: nothing was observed, which is not the series' fault. Give them a fresh stale period.
      a.lastSeenAt = Math.max(a.lastSeenAt, t);
      this.byFp.set(a.fingerprint, a);
    }
  }

  setRules(rules: CompiledRule[]): void {
    this.rules = new Map(rules.map((r) => [r.name, r]));
    for (const a of this.byFp.values()) {
      if (this.rules.has(a.rule) || a.state === 'resolved') continue;
      this.clearInstance(a, this.now()); // rule removed from the config
    }
  }

  getRules(): CompiledRule[] {
    return [...this.rules.values()];
  }

  instances(): AlertInstance[] {
    return [...this.byFp.values()];
  }

  get(fp: string): AlertInstance | undefined {
    return this.byFp.get(fp);
  }

  /** Evaluate every rule on a probe result. */
  accept(result: ProbeResult): void {
    for (const rule of this.rules.values()) {
      let obs: Observation[];
      try {
        obs = rule.observe(result);
      } catch (err) {
        this.opts.onError?.(rule.name, err);
        continue;
      }
      for (const o of obs) this.apply(rule, o);
    }
  }

  /** Feed observations made outside probe results (config reload status). */
  observe(ruleKind: CompiledRule['kind'], make: (rule: CompiledRule) => Observation | undefined): void {
    for (const rule of this.rules.values()) {
      if (rule.kind !== ruleKind) continue;
      const o = make(rule);
      if (o) this.apply(rule, o);
    }
  }

  private apply(rule: CompiledRule, o: Observation): void {
    const labels: Record<string, string> = { ...o.labels, ...rule.labels, alertname: rule.name, severity: rule.severity };
    const fp = fingerprint(labels);
    let a = this.byFp.get(fp);
    const live = a && a.state !== 'resolved' ? a : undefined;
    const holds = o.verdict === 'fire' || (o.verdict === 'hold' && live?.state === 'firing');
    if (!live) {
      if (!holds) return;
      a = {
        fingerprint: fp,
        rule: rule.name,
        labels,
        state: 'pending',
        activeSince: o.ts,
        firedAt: null,
        resolvedAt: null,
        lastTrueAt: o.ts,
        lastSeenAt: o.ts,
        lastVerdict: o.verdict,
        staleAfterMs: o.staleAfterMs ?? null,
        value: o.value,
        annotations: {},
      };
      this.annotate(rule, a, o);
      this.byFp.set(fp, a);
      if (rule.forMs <= 0) this.transition(a, 'firing', o.ts);
      else this.transition(a, 'pending', o.ts);
      return;
    }
    a = live;
    a.lastSeenAt = Math.max(a.lastSeenAt, o.ts);
    a.lastVerdict = o.verdict;
    a.staleAfterMs = o.staleAfterMs ?? null;
    a.value = o.value;
    this.annotate(rule, a, o);
    if (a.state === 'pending') {
      if (!holds) return this.transition(a, 'inactive', o.ts);
      a.lastTrueAt = o.ts;
      if (o.ts - a.activeSince >= rule.forMs - forGrace(rule.forMs)) this.transition(a, 'firing', o.ts);
      return;
    }
    // firing
    if (holds) a.lastTrueAt = o.ts;
    else if (o.ts - a.lastTrueAt >= rule.keepFiringForMs) this.transition(a, 'resolved', o.ts);
  }

  /** Time-driven transitions: keep_firing_for running out without new observations, and stale series. */
  tick(now = this.now()): void {
    for (const a of this.byFp.values()) {
      if (a.state === 'resolved') continue;
      const rule = this.rules.get(a.rule);
      if (a.staleAfterMs !== null && now - a.lastSeenAt > a.staleAfterMs) {
        this.clearInstance(a, now);
        continue;
      }
      if (a.state === 'firing' && a.lastVerdict === 'clear' && rule && now - a.lastTrueAt >= rule.keepFiringForMs) this.transition(a, 'resolved', now);
    }
  }

  /** Drop a resolved instance once every receiver has been told. */
  forget(fp: string): void {
    const a = this.byFp.get(fp);
    if (!a || a.state !== 'resolved') return;
    this.byFp.delete(fp);
    this.opts.db.deleteInstance(fp);
  }

  /** Persist the fields that change without a transition (last values, times). */
  flush(): void {
    this.opts.db.saveInstances(this.byFp.values());
  }

  private clearInstance(a: AlertInstance, ts: number): void {
    if (a.state === 'pending') this.transition(a, 'inactive', ts);
    else if (a.state === 'firing') this.transition(a, 'resolved', ts);
  }

  private annotate(rule: CompiledRule, a: AlertInstance, o: Observation): void {
    const vars = { ...o.vars, ...a.labels, value: o.value, threshold: o.threshold };
    a.annotations = { summary: renderTemplate(rule.summary, vars) };
    if (rule.description) a.annotations.description = renderTemplate(rule.description, vars);
  }

  private transition(a: AlertInstance, t: Transition, ts: number): void {
    const db = this.opts.db;
    if (t === 'pending') a.state = 'pending';
    else if (t === 'firing') {
      a.state = 'firing';
      a.firedAt = ts;
      a.resolvedAt = null;
    } else if (t === 'resolved') {
      a.state = 'resolved';
      a.resolvedAt = ts;
    }
    const event: HistoryEvent = {
      ts,
      fingerprint: a.fingerprint,
      rule: a.rule,
      severity: a.labels.severity ?? '',
      event: t,
      value: Number.isFinite(a.value) ? a.value : null,
      labels: a.labels,
      summary: a.annotations.summary ?? '',
    };
    if (t === 'inactive') {
      this.byFp.delete(a.fingerprint);
      db.deleteInstance(a.fingerprint);
      db.addHistory(event);
    } else {
      db.saveInstance(a);
      db.addHistory(event);
    }
    this.opts.onTransition?.(a, t);
  }
}
