/**
 * What the API knows without touching the store: the configured inventory (sites, targets, probe intervals)
 * and the newest sample of every series (LiveState), indexed once per request so no endpoint scans the live
 * map more than a handful of times whatever the number of sites.
 */
import { buildTargets, type LoadedConfig } from '../config/model.js';
import type { SiteConfig } from '../config/schema.js';
import type { LiveState } from '../live.js';
import type { Sample, Target } from '../types.js';
import { M, OPTICAL_THRESHOLDS } from './metrics.js';
import type { OpticalReading } from '../http/contract.js';
import { pushTo } from '../multimap.js';

export type { OpticalReading };

export interface Inventory {
  config: LoadedConfig;
  targets: Target[];
  byName: Map<string, Target>;
  bySite: Map<string, Target[]>;
  sites: Map<string, SiteConfig>;
}

const cache = new WeakMap<LoadedConfig, Inventory>();

/** The inventory of a config, built once per (re)loaded config. */
export function inventory(config: LoadedConfig): Inventory {
  let inv = cache.get(config);
  if (inv) return inv;
  const targets = buildTargets(config);
  const bySite = new Map<string, Target[]>();
  for (const t of targets) pushTo(bySite, t.site, t);
  inv = { config, targets, byName: new Map(targets.map((t) => [t.name, t])), bySite, sites: new Map(config.sites.map((s) => [s.id, s])) };
  cache.set(config, inv);
  return inv;
}

/** Newest samples of a metric grouped by target. */
export function byTarget(live: LiveState, metric: string): Map<string, Sample[]> {
  const out = new Map<string, Sample[]>();
  for (const s of live.find(metric)) {
    const t = s.labels.target ?? '';
    pushTo(out, t, s);
  }
  return out;
}

/** Like byTarget over candidate names: per target, the samples of the first name that has any. */
export function firstByTarget(live: LiveState, names: readonly string[]): Map<string, Sample[]> {
  const out = new Map<string, Sample[]>();
  for (const n of names) for (const [t, ss] of byTarget(live, n)) if (!out.has(t)) out.set(t, ss);
  return out;
}

/** A sample is current if it is no older than three probe intervals (plus the timeout). */
export function isFresh(s: Sample | undefined, target: Target | undefined, kind: string, now: number): boolean {
  if (!s) return false;
  const spec = target?.probes.find((p) => p.kind === kind);
  const max = spec ? 3 * spec.intervalMs + spec.timeoutMs : 15 * 60e3;
  return now - s.ts <= max;
}

/** Identity of a row (an interface, an optical port) within a target: every label but `target`, `site` and the metric's own. */
export function rowKey(labels: Record<string, string>): string {
  return Object.entries(labels)
    .filter(([k]) => k !== 'smoke_quantile' && k !== 'method' && k !== 'site' && k !== 'site_group')
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/**
 * The port an optical reading belongs to. Rx and Tx sensors are separate entities (their own
 * ent_physical_index), so a port is its if_index, else its name, else the remaining labels.
 */
export function portKey(labels: Record<string, string>): string {
  const t = labels.target ?? '';
  if (labels.if_index) return `${t}|i${labels.if_index}`;
  if (labels.if_name) return `${t}|n${labels.if_name}`;
  return `${t}|${rowKey(labels)}`;
}

/** The labels that name a port (what the API shows), without the sensor's own index. */
export function portLabels(labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['target', 'site', 'if_index', 'if_name']) if (labels[k] !== undefined) out[k] = labels[k]!;
  if (!labels.if_index && !labels.if_name) Object.assign(out, labels);
  return out;
}

/** Classify an Rx/Tx level against its transceiver thresholds. */
export function opticalLevel(rx: number | null, tx: number | null, th: Record<string, number | null>): OpticalReading['level'] {
  let level: OpticalReading['level'] = null;
  const check = (v: number | null, p: 'rx' | 'tx') => {
    if (v === null) return;
    const la = th[`${p}_low_alarm_dbm`], lw = th[`${p}_low_warn_dbm`], hw = th[`${p}_high_warn_dbm`], ha = th[`${p}_high_alarm_dbm`];
    if (la == null && lw == null && hw == null && ha == null) return;
    if ((la != null && v <= la) || (ha != null && v >= ha)) level = 'alarm';
    else if (level !== 'alarm' && ((lw != null && v <= lw) || (hw != null && v >= hw))) level = 'warn';
    else level ??= 'ok';
  };
  check(rx, 'rx');
  check(tx, 'tx');
  return level;
}

/** Every optical port's newest levels and thresholds, grouped by target. */
export function opticalByTarget(live: LiveState): Map<string, OpticalReading[]> {
  const rows = new Map<string, OpticalReading>();
  const row = (s: Sample): OpticalReading => {
    const k = portKey(s.labels);
    let r = rows.get(k);
    if (!r) {
      const labels = portLabels(s.labels);
      r = { target: s.labels.target ?? '', labels, rx_dbm: null, tx_dbm: null, thresholds: Object.fromEntries(OPTICAL_THRESHOLDS.map(([key]) => [key, null])), level: null, ts: s.ts };
      rows.set(k, r);
    }
    r.ts = Math.max(r.ts, s.ts);
    return r;
  };
  for (const s of live.find(M.opticalRx)) row(s).rx_dbm = s.value;
  for (const s of live.find(M.opticalTx)) row(s).tx_dbm = s.value;
  for (const [key, names] of OPTICAL_THRESHOLDS) {
    for (const n of names) {
      for (const s of live.find(n)) {
        const r = rows.get(portKey(s.labels));
        if (r && r.thresholds[key] === null && Number.isFinite(s.value)) r.thresholds[key] = s.value;
      }
    }
  }
  const out = new Map<string, OpticalReading[]>();
  for (const r of rows.values()) {
    if (r.rx_dbm === null && r.tx_dbm === null) continue;
    r.level = opticalLevel(r.rx_dbm, r.tx_dbm, r.thresholds);
    pushTo(out, r.target, r);
  }
  return out;
}
