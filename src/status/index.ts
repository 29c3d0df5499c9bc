/**
 * The status module: the one answer to "is this site up?". A pipeline deriver: every probe result updates
 * the target's signals (the ping tracker's verdict, the SNMP verdict, both with hysteresis), and the result
 * leaves with `netmon_target_state`, `netmon_site_state` and their reasons (samples.ts), so the store,
 * /metrics and the alert engine see the very decision the API serves (tiles, /sites, /problems, overview).
 *
 * It knows nothing of simulated networks: a simulated site answers ping and SNMP like any other, over real
 * packets (src/simulator/echo.ts).
 */
import type { LoadedConfig } from '../config/model.js';
import { inventory } from '../domain/inventory.js';
import type { ProbeResult } from '../scheduler.js';
import type { Sample, Target } from '../types.js';
import { Confirmed } from './confirm.js';
import { decideSite, decideTarget, isFresh, snmpVerdict, type Decision, type Signals, type SnmpVerdict } from './decide.js';
import { ReachabilityTracker, type Reachability, type Thresholds } from './reachability.js';
import { stateSamples } from './samples.js';

export type { Decision } from './decide.js';
export type { Thresholds } from './reachability.js';

export interface TargetStatus extends Decision {
  target: string;
  site: string;
  /** Loss ratio and median RTT (seconds) of the newest fresh ping cycle; null without one. */
  loss_ratio: number | null;
  rtt_seconds: number | null;
  /** End of the newest fresh result that went into the decision. */
  updated_at: number | null;
}

export interface SiteStatus extends Decision {
  site: string;
  targets: TargetStatus[];
  updated_at: number | null;
}

/** What the API needs from the status module. */
export interface StatusView {
  /** Bumped whenever a result changes a target's decision: a cache built from the status may be kept while it stays (and time does not make its inputs stale). */
  readonly generation: number;
  target(name: string, now?: number): TargetStatus;
  site(id: string, now?: number): SiteStatus;
}

interface TargetSignals extends Signals {
  snmpConfirmed?: Confirmed<SnmpVerdict>;
  /** Figures of the newest ping cycle. */
  figures?: { loss: number; medianS: number | null; at: number; freshMs: number };
}

export interface StatusOptions {
  thresholds?: Partial<Thresholds>;
}

const PING_DOWN_ERRORS = new Set(['unreachable']);

export class StatusModule implements StatusView {
  private readonly tracker: ReachabilityTracker;
  private readonly signals = new Map<string, TargetSignals>();
  /** The decision each target's newest result left with (state and reasons), to tell when one changes. */
  private readonly last = new Map<string, string>();
  /**
   * The time of each site's newest state samples. Every result of a site's targets re-states the site, and
   * two of them can finish in the same millisecond (or be published a millisecond out of order): the site's
   * series then get strictly increasing times, so no store or remote-write receiver sees two values at one.
   */
  private readonly siteTs = new Map<string, number>();
  private known: LoadedConfig | undefined;
  generation = 0;

  constructor(
    private readonly config: () => LoadedConfig,
    opts: StatusOptions = {},
  ) {
    this.tracker = new ReachabilityTracker(opts.thresholds);
  }

  /** The pipeline deriver: take the result in, return the state samples it carries from now on. */
  readonly derive = (res: ProbeResult): Sample[] => {
    this.retainConfigured();
    const ping = this.accept(res);
    const ts = res.startedAt + res.durationMs;
    const decision = decideTarget(this.signalsOf(res.target.name), ts);
    const said = `${decision.state}:${decision.reasons.join('+')}`;
    if (this.last.get(res.target.name) !== said) {
      this.last.set(res.target.name, said);
      this.generation++;
    }
    const site = this.site(res.target.site, ts, res.target);
    const siteConfig = inventory(this.config()).sites.get(res.target.site);
    const group = siteConfig?.group ?? res.target.labels.site_group;
    const siteTs = Math.max(ts, (this.siteTs.get(res.target.site) ?? -Infinity) + 1);
    this.siteTs.set(res.target.site, siteTs);
    return stateSamples({
      target: res.target,
      decision,
      site: { labels: { site: res.target.site, ...(group ? { site_group: group } : {}) }, decision: site, ts: siteTs },
      ...(ping ? { ping } : {}),
      ts,
    });
  };

  target(name: string, now = Date.now()): TargetStatus {
    const s = this.signals.get(name) ?? {};
    const d = decideTarget(s, now);
    const fig = s.figures && now - s.figures.at <= s.figures.freshMs ? s.figures : undefined;
    const times = [s.ping, s.snmp].filter((x) => isFresh(x, now)).map((x) => x!.at);
    return {
      target: name,
      site: inventory(this.config()).byName.get(name)?.site ?? '',
      ...d,
      loss_ratio: fig ? fig.loss : null,
      rtt_seconds: fig ? fig.medianS : null,
      updated_at: times.length ? Math.max(...times) : null,
    };
  }

  site(id: string, now = Date.now(), extra?: Target): SiteStatus {
    const members = inventory(this.config()).bySite.get(id) ?? [];
    const names = members.map((t) => t.name);
    if (extra && !names.includes(extra.name)) names.push(extra.name); // a result of a target the config does not list (tests, a reload race)
    const targets = names.map((n) => ({ ...this.target(n, now), site: id }));
    const times = targets.map((t) => t.updated_at).filter((x): x is number => x !== null);
    return { site: id, ...decideSite(targets), targets, updated_at: times.length ? Math.max(...times) : null };
  }

  private signalsOf(name: string): TargetSignals {
    let s = this.signals.get(name);
    if (!s) this.signals.set(name, (s = {}));
    return s;
  }

  /** Update the target's signals from one result; for a ping result that gave a verdict, that verdict and its method. */
  private accept(res: ProbeResult): { state: Reachability; method: string } | undefined {
    const s = this.signalsOf(res.target.name);
    const at = res.startedAt + res.durationMs;
    const freshMs = 2 * res.spec.intervalMs + res.spec.timeoutMs;
    if (res.kind === 'snmp') {
      const v = snmpVerdict(res.error);
      if (!s.snmpConfirmed) s.snmpConfirmed = new Confirmed(v, this.tracker.thresholds.confirmCycles);
      else s.snmpConfirmed.observe(v);
      s.snmp = { verdict: s.snmpConfirmed.value, at, freshMs };
      return undefined;
    }
    if (res.kind !== 'ping') return undefined;
    const loss = res.samples.find((x) => x.metric === 'netmon_ping_loss_ratio');
    let cycle: { loss: number; medianS: number | null; method: string } | undefined;
    if (loss) {
      const median = res.samples.find((x) => x.metric === 'netmon_ping_rtt_median_seconds');
      cycle = { loss: loss.value, medianS: median ? median.value : null, method: loss.labels.method ?? '' };
    } else if (res.error && PING_DOWN_ERRORS.has(res.error.reason)) {
      // The echoes could not even be sent (no route): as good as no reply. Other failures (fping missing,
      // a bad name) say nothing about the site: no verdict, and the ping signal ages out.
      cycle = { loss: 1, medianS: null, method: '' };
    }
    if (!cycle) return undefined;
    const v = this.tracker.update(res.target.name, cycle.loss, cycle.medianS === null ? undefined : cycle.medianS * 1000);
    s.ping = { verdict: v, at, freshMs };
    s.figures = { loss: cycle.loss, medianS: cycle.medianS, at, freshMs };
    return cycle.method ? { state: v.state, method: cycle.method } : undefined;
  }

  /** After a reload, forget targets no longer configured. */
  private retainConfigured(): void {
    const config = this.config();
    if (config === this.known) return;
    const first = this.known === undefined;
    this.known = config;
    if (first) return;
    const names = new Set(inventory(config).targets.map((t) => t.name));
    for (const k of this.signals.keys()) if (!names.has(k)) this.signals.delete(k);
    for (const k of this.last.keys()) if (!names.has(k)) this.last.delete(k);
    this.tracker.retain(names);
  }
}
