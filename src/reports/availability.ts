/**
 * Availability (SLA) report (issue 22), from the stored `netmon_site_state` series: the very decision the
 * tiles, /sites and the site_unreachable alert use (src/status).
 *
 * Timeline of a site: a state sample holds from its timestamp until the next sample, but no longer than
 * the series' freshness window (2 probe intervals + timeout of the site's probes, the longest of them:
 * the status module keeps a decision while its freshest input is fresh). Time not covered so is UNKNOWN:
 * netmon was down, or its decision was unknown (no state sample is written then); never counted as up.
 * Time in a maintenance window is taken out of every share and reported separately.
 *
 *   scheduled  = range − maintenance
 *   up/degraded/down/unknown shares are of `scheduled`
 *   availability = (up + degraded) ÷ scheduled        (unknown counts against it)
 *
 * Samples are read at one-second resolution; older than the raw retention, from 5-minute (or hourly)
 * buckets: each bucket then stands for its worst state (min), held for the bucket plus the freshness window.
 */
import { inventory } from '../domain/inventory.js';
import type { LoadedConfig } from '../config/model.js';
import type { MaintenanceConfig } from '../config/maintenance.js';
import type { Store } from '../store/types.js';
import { STATE_METRICS } from '../status/samples.js';
import { maintenanceIntervals, type Interval } from './maintenance.js';
import { monthRange, monthsOf } from './tz.js';
import type { AvailabilityPeriod, AvailabilityReport, Durations, GroupAvailability, Outage, Shares, SiteAvailability } from '../http/contract.js';

export type SlaState = 'up' | 'degraded' | 'down' | 'unknown' | 'maintenance';
const BY_VALUE: Record<number, SlaState> = { 0: 'down', 1: 'degraded', 2: 'up' };

export interface Segment {
  from: number;
  to: number;
  state: SlaState;
}

export interface SiteInput {
  id: string;
  name: string;
  group: string;
  /** Freshness window of the site's state series, ms. */
  freshMs: number;
}

export interface AvailabilityInput {
  timezone: string;
  sites: SiteInput[];
  maintenance: readonly MaintenanceConfig[];
}

/** A list of segments that merges a piece into the previous one when it continues it in the same state. */
function segments(): { out: Segment[]; push: (a: number, b: number, state: SlaState) => void } {
  const out: Segment[] = [];
  const push = (a: number, b: number, state: SlaState) => {
    if (!(b > a)) return;
    const last = out[out.length - 1];
    if (last && last.state === state && last.to === a) last.to = b;
    else out.push({ from: a, to: b, state });
  };
  return { out, push };
}

/** Build the timeline of [from, to) from samples (sorted by ts; include the one before `from`). */
export function timeline(ts: readonly number[], vals: readonly number[], holdMs: number, from: number, to: number): Segment[] {
  const { out, push } = segments();
  let cursor = from;
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!;
    if (t >= to) break;
    const next = i + 1 < ts.length ? ts[i + 1]! : Infinity;
    const end = Math.min(next, t + holdMs, to);
    const start = Math.max(t, from);
    if (end <= start) continue;
    if (start > cursor) push(cursor, start, 'unknown');
    push(Math.max(start, cursor), end, BY_VALUE[vals[i]!] ?? 'unknown');
    cursor = Math.max(cursor, end);
  }
  push(cursor, to, 'unknown');
  return out;
}

/** Paint maintenance intervals (sorted, disjoint) over a timeline. */
export function overlay(segs: Segment[], windows: readonly Interval[]): Segment[] {
  const { out, push } = segments();
  for (const s of segs) {
    let a = s.from;
    for (const [wa, wb] of windows) {
      if (wb <= a || wa >= s.to) continue;
      push(a, Math.max(a, wa), s.state);
      push(Math.max(a, wa), Math.min(s.to, wb), 'maintenance');
      a = Math.min(s.to, wb);
    }
    push(a, s.to, s.state);
  }
  return out;
}

function durations(segs: readonly Segment[]): Durations {
  const d: Durations = { up_ms: 0, degraded_ms: 0, down_ms: 0, unknown_ms: 0, maintenance_ms: 0 };
  for (const s of segs) d[`${s.state}_ms`] += s.to - s.from;
  return d;
}

function shares(d: Durations): Shares {
  const scheduled = d.up_ms + d.degraded_ms + d.down_ms + d.unknown_ms;
  const f = (x: number) => (scheduled > 0 ? x / scheduled : null);
  return { scheduled_ms: scheduled, up: f(d.up_ms), degraded: f(d.degraded_ms), down: f(d.down_ms), unknown: f(d.unknown_ms), availability: f(d.up_ms + d.degraded_ms) };
}

function sum(list: readonly Durations[]): Durations {
  const d: Durations = { up_ms: 0, degraded_ms: 0, down_ms: 0, unknown_ms: 0, maintenance_ms: 0 };
  for (const x of list) for (const k of Object.keys(d) as (keyof Durations)[]) d[k] += x[k];
  return d;
}

/** Samples floored to the second, several within one second reduced to the worst (lowest) state. */
function perSecond(ts: readonly number[], vals: readonly number[]): { ts: number[]; min: number[] } {
  const out = { ts: [] as number[], min: [] as number[] };
  for (let i = 0; i < ts.length; i++) {
    const t = Math.floor(ts[i]! / 1000) * 1000;
    const n = out.ts.length;
    if (n && out.ts[n - 1] === t) out.min[n - 1] = Math.min(out.min[n - 1]!, vals[i]!);
    else {
      out.ts.push(t);
      out.min.push(vals[i]!);
    }
  }
  return out;
}

/**
 * Every sample of the site's state series over [from, to] (plus the one before `from`), at one-second
 * resolution (samples within a second: the worst), with the hold each stands for. Within the raw
 * retention the samples are read as stored (one pass, no bucketing: most of a month's report is this).
 */
function stateSamples(store: Store, site: string, from: number, to: number, freshMs: number): { ts: number[]; vals: number[]; holdMs: number } {
  const lo = from - freshMs;
  const ranges = store.findSeries(STATE_METRICS.site[0], { site }).map((s) => {
    const raw = store.samples(s.id, lo, to);
    if (raw) return { ...perSecond(raw.ts, raw.values), resolution: 'raw', stepMs: 1000 };
    return store.range(s.id, lo, to, Math.ceil((to - lo) / 1000) + 1);
  });
  const holdMs = Math.max(freshMs, ...ranges.filter((r) => r.resolution !== 'raw').map((r) => r.stepMs + freshMs));
  // Usually one series; several only when the site's group label changed within the range.
  if (ranges.length === 1) return { ts: ranges[0]!.ts, vals: ranges[0]!.min, holdMs };
  const pts = new Map<number, number>();
  for (const r of ranges) r.ts.forEach((t, i) => pts.set(t, Math.min(pts.get(t) ?? Infinity, r.min[i]!)));
  const ts = [...pts.keys()].sort((a, b) => a - b);
  return { ts, vals: ts.map((t) => pts.get(t)!), holdMs };
}

/**
 * The site's reason series over the report range, read once: sample (or minute-bucket) times per reason.
 * An outage's causes are then the reasons with a time in [its start's minute, its end), found by binary
 * search; a site that flaps has thousands of outages, and a read per outage was most of the report's time.
 */
function reasonTimes(store: Store, site: string, from: number, to: number): { reason: string; ts: number[]; stepMs: number }[] {
  return store.findSeries(STATE_METRICS.siteReason[0], { site }).filter((s) => s.labels.reason).map((s) => {
    // Minute buckets keep the read on raw data within its retention; an hourly rollup would reach an hour back.
    const r = store.range(s.id, from, Math.max(from, to - 1), Math.ceil((to - from) / 60_000) + 2);
    return { reason: s.labels.reason!, ts: r.ts, stepMs: r.stepMs };
  });
}

/** First index of a sorted array whose value is ≥ x. */
function lowerBound(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Reasons with a sample in [from, to] (an outage's causes). */
function causes(series: ReturnType<typeof reasonTimes>, from: number, to: number): string[] {
  const out = new Set<string>();
  for (const s of series) {
    const i = lowerBound(s.ts, Math.floor(from / s.stepMs) * s.stepMs);
    if (i < s.ts.length && s.ts[i]! < to) out.add(s.reason);
  }
  return [...out].sort();
}

/** A site's timeline over the whole report range, maintenance painted in, and its outages' causes. */
interface SiteTimeline {
  site: SiteInput;
  segs: Segment[];
  windows: Interval[];
  causes: (from: number, to: number) => string[];
}

function siteTimeline(store: Store, input: AvailabilityInput, site: SiteInput, from: number, to: number): SiteTimeline {
  const { ts, vals, holdMs } = stateSamples(store, site.id, from, to, site.freshMs);
  const windows = maintenanceIntervals(input.maintenance, site, from, to, input.timezone);
  const segs = overlay(timeline(ts, vals, holdMs, from, to), windows);
  // Reasons are read only for a site that was down at all (most were not).
  let reasons: ReturnType<typeof reasonTimes> | undefined;
  return { site, segs, windows, causes: (a, b) => causes((reasons ??= reasonTimes(store, site.id, from, to)), a, b) };
}

/** The part of a timeline within [from, to). */
function clip(segs: readonly Segment[], from: number, to: number): Segment[] {
  return segs.filter((s) => s.to > from && s.from < to).map((s) => ({ from: Math.max(s.from, from), to: Math.min(s.to, to), state: s.state }));
}

function siteAvailability(t: SiteTimeline, from: number, to: number): SiteAvailability {
  const segs = clip(t.segs, from, to);
  const d = durations(segs);
  const outages = segs
    .filter((s) => s.state === 'down')
    .map((s): Outage => ({ start: s.from, end: s.to, duration_ms: s.to - s.from, causes: t.causes(s.from, s.to) }));
  const maintenance = t.windows.filter(([a, b]) => b > from && a < to).map(([a, b]) => ({ start: Math.max(a, from), end: Math.min(b, to) }));
  return { site: t.site.id, name: t.site.name, group: t.site.group, ...d, ...shares(d), outages, maintenance };
}

function period(timelines: readonly SiteTimeline[], from: number, to: number): AvailabilityPeriod {
  const sites = timelines.map((t) => siteAvailability(t, from, to));
  const groups = [...new Set(sites.map((s) => s.group))].map((group): GroupAvailability => {
    const members = sites.filter((s) => s.group === group);
    const d = sum(members);
    return { group, sites: members.length, ...d, ...shares(d) };
  });
  const d = sum(sites);
  return { from, to, sites, groups, overall: { sites: sites.length, ...d, ...shares(d) } };
}

/** The report over [from, to) and per local calendar month it touches. `to` past `now` is cut to now (the future is not unknown). */
export function availabilityReport(store: Store, input: AvailabilityInput, from: number, to: number, now = Date.now()): AvailabilityReport {
  const end = Math.max(from, Math.min(to, now));
  const timelines = input.sites.map((s) => siteTimeline(store, input, s, from, end));
  const whole = period(timelines, from, end);
  const months = monthsOf(from, end, input.timezone).map((month) => {
    const m = monthRange(month, input.timezone);
    const [f, t] = [Math.max(from, m.from), Math.min(end, m.to)];
    // A one-month report (the printed one) is its month: the same figures, not computed twice.
    return { month, ...(f === from && t === end ? whole : period(timelines, f, t)) };
  });
  return { timezone: input.timezone, ...whole, months };
}

/** Default freshness when a site has no probes configured: the status module's with 60 s / 2 s defaults. */
const DEFAULT_FRESH_MS = 2 * 60_000 + 2_000;

/** The report's view of a loaded config: sites with their freshness windows, the zone, the windows. */
export function availabilityInput(config: LoadedConfig): AvailabilityInput {
  const inv = inventory(config);
  const sites = config.sites.map((s): SiteInput => {
    const specs = (inv.bySite.get(s.id) ?? []).flatMap((t) => t.probes).filter((p) => p.kind === 'ping' || p.kind === 'snmp');
    const freshMs = specs.length ? Math.max(...specs.map((p) => 2 * p.intervalMs + p.timeoutMs)) : DEFAULT_FRESH_MS;
    return { id: s.id, name: s.name, group: s.group, freshMs };
  });
  return { timezone: config.server.timezone, sites, maintenance: config.maintenance ?? [] };
}
