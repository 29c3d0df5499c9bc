/**
 * A rig for one rule kind's unit tests: a real Alerting (SQLite in a temp dir, injected clock, no timer)
 * with the given rules, fed probe results built by ../helpers.ts (shaped as the scheduler and pipeline
 * make them). Closed when the test ends.
 */
import { onTestFinished } from 'vitest';
import { Alerting, type AlertView } from '../../../src/alerts/index.js';
import type { ProbeResult } from '../../../src/scheduler.js';
import { configWith, tempDir } from '../helpers.js';

export const T0 = Date.UTC(2024, 9, 15, 1, 0, 0);
export const MIN = 60_000;
/** How long an instance lives without observations with the helpers' 60 s interval and 2 s timeout. */
export const STALE_MS = 3 * MIN + 2000;

export interface Rig {
  a: Alerting;
  now(): number;
  /** Move the clock on by `ms`. */
  advance(ms: number): void;
  /** Accept the result made for the current time. */
  feed(make: (ts: number) => ProbeResult): void;
  /** Pending and firing alerts, `alertname[label=value,...]` → state, for the labels asked for. */
  states(...labels: string[]): Record<string, AlertView['state']>;
  /** The one alert of `alertname` (throws if there is not exactly one). */
  only(alertname: string): AlertView;
  /** History events of a rule, oldest first. */
  events(rule: string): string[];
}

export function rig(rules: unknown[], alerting: Record<string, unknown> = {}): Rig {
  const dir = tempDir();
  let clock = T0;
  const a = new Alerting({ config: configWith({ ...alerting, rules }, dir.dir), now: () => clock, tickMs: 0 });
  onTestFinished(async () => {
    await a.close();
    dir.cleanup();
  });
  return {
    a,
    now: () => clock,
    advance(ms) {
      clock += ms;
      a.tick();
    },
    feed: (make) => a.accept(make(clock)),
    states: (...labels) => Object.fromEntries(a.alerts().map((x) => [`${x.alertname}${labels.length ? `[${labels.map((l) => `${l}=${x.labels[l] ?? ''}`).join(',')}]` : ''}`, x.state])),
    only(alertname) {
      const all = a.alerts().filter((x) => x.alertname === alertname);
      if (all.length !== 1) throw new Error(`expected one ${alertname} alert, got ${all.length}`);
      return all[0]!;
    },
    events: (rule) =>
      a
        .history({ rule, limit: 1000 })
        .reverse()
        .map((e) => e.event),
  };
}
