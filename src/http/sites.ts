/**
 * Sites: reachability state of every configured site (from the newest ping and SNMP results) and one
 * site's detail (its targets, interfaces with current traffic, optical levels, ping history).
 */
import type { SiteConfig } from '../config/schema.js';
import type { LiveState } from '../live.js';
import type { Store } from '../store/types.js';
import type { Sample, Target } from '../types.js';
import { byTarget, inventory, isFresh, opticalByTarget, portKey, portLabels, rowKey, type Inventory, type OpticalReading } from './inventory.js';
import { M, SITE_THRESHOLDS } from './metrics.js';
import { align, currentRate, round } from './series.js';
import type { Window } from './params.js';
import type { LoadedConfig } from '../config/model.js';
import type { InterfaceRow, SiteDetailResponse, SiteOpticalResponse, SitePingResponse, SiteState, SiteSummary } from './contract.js';

export type { InterfaceRow, SiteState, SiteSummary };

const RANK: Record<SiteState, number> = { unknown: 0, up: 1, degraded: 2, down: 3 };

/** The live figures every site summary needs, indexed once. */
export interface LiveIndex {
  pingState: Map<string, Sample[]>;
  pingLoss: Map<string, Sample[]>;
  pingMedian: Map<string, Sample[]>;
  success: Map<string, Sample[]>;
  optical: Map<string, OpticalReading[]>;
  /** Why a target's newest run of a probe failed (timeout, auth...). */
  failure: (target: string, probe: string) => string | undefined;
}

export function liveIndex(live: LiveState): LiveIndex {
  return {
    pingState: byTarget(live, M.pingState),
    pingLoss: byTarget(live, M.pingLoss),
    pingMedian: byTarget(live, M.pingMedian),
    success: byTarget(live, M.probeSuccess),
    optical: opticalByTarget(live),
    failure: (target, probe) => live.targetStatus(target, probe)?.reason,
  };
}

/**
 * A target the built-in simulator serves: its SNMP agent is simulated on a loopback address, so a ping of
 * that address is answered by netmon's own machine and says nothing about the simulated site. Its site's
 * reachability is what its agent says: silent (a cut fibre, see the simulator's flapping site) is down.
 */
export function isSimulated(config: LoadedConfig, t: Target): boolean {
  return config.simulate.enabled && /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(t.address) && t.probes.some((p) => p.kind === 'snmp');
}

/** SNMP failures that mean the agent did not answer at all (not a wrong credential or a protocol error). */
const SILENT = new Set(['timeout', 'unreachable']);

function targetState(t: Target, idx: LiveIndex, now: number, simulated: boolean) {
  const reasons: string[] = [];
  const first = (m: Map<string, Sample[]>) => {
    const s = m.get(t.name)?.[0];
    return isFresh(s, t, 'ping', now) ? s : undefined;
  };
  const ping = first(idx.pingState);
  const loss = first(idx.pingLoss);
  const median = first(idx.pingMedian);
  const snmpS = idx.success.get(t.name)?.find((s) => s.labels.probe === 'snmp');
  const snmp = isFresh(snmpS, t, 'snmp', now) ? snmpS : undefined;
  let state: SiteState = 'unknown';
  if (ping) {
    state = ping.value <= 0 ? 'down' : ping.value < 2 ? 'degraded' : 'up';
    if (state === 'down') reasons.push('ping_down');
  }
  if (loss && loss.value >= SITE_THRESHOLDS.degradedLoss && state !== 'down') {
    state = 'degraded';
    reasons.push('loss');
  }
  if (median && median.value >= SITE_THRESHOLDS.degradedRttSeconds && state !== 'down') {
    state = 'degraded';
    reasons.push('latency');
  }
  if (state === 'degraded' && reasons.length === 0) reasons.push(loss && loss.value > 0 ? 'loss' : 'latency');
  if (snmp) {
    if (snmp.value === 0) {
      reasons.push('snmp_failed');
      // Without ping, an agent that stops answering is all we know: the site is down. With ping up, it is
      // degraded, unless the ping is the simulator's loopback (see isSimulated) and the agent is silent.
      if (!ping || (simulated && SILENT.has(idx.failure(t.name, 'snmp') ?? ''))) state = 'down';
      else if (state === 'up') state = 'degraded';
    } else if (state === 'unknown') state = 'up';
  }
  const updated = Math.max(ping?.ts ?? 0, snmp?.ts ?? 0) || null;
  return { state, reasons, rtt: median?.value ?? null, loss: loss?.value ?? null, updated };
}

export function siteSummary(site: SiteConfig, inv: Inventory, idx: LiveIndex, now: number): SiteSummary {
  const targets = inv.bySite.get(site.id) ?? [];
  let state: SiteState = 'unknown';
  const reasons = new Set<string>();
  let rtt: number | null = null;
  let loss: number | null = null;
  let updated: number | null = null;
  let optical: OpticalReading['level'] = null;
  const OPT = { ok: 1, warn: 2, alarm: 3 } as const;
  for (const t of targets) {
    const ts = targetState(t, idx, now, isSimulated(inv.config, t));
    if (RANK[ts.state] > RANK[state]) state = ts.state;
    ts.reasons.forEach((r) => reasons.add(r));
    if (ts.rtt !== null) rtt = Math.max(rtt ?? 0, ts.rtt);
    if (ts.loss !== null) loss = Math.max(loss ?? 0, ts.loss);
    if (ts.updated) updated = Math.max(updated ?? 0, ts.updated);
    for (const o of idx.optical.get(t.name) ?? []) if (o.level && (!optical || OPT[o.level] > OPT[optical])) optical = o.level;
  }
  if (state === 'unknown') reasons.add('no_data');
  return {
    id: site.id,
    name: site.name,
    group: site.group,
    state,
    reasons: [...reasons],
    rtt_ms: rtt === null ? null : round(rtt * 1000, 2),
    loss_ratio: round(loss, 4),
    optical,
    targets: targets.map((t) => t.name),
    updated_at: updated,
  };
}

export function siteSummaries(config: LoadedConfig, live: LiveState, now = Date.now()): SiteSummary[] {
  const inv = inventory(config);
  const idx = liveIndex(live);
  return config.sites.map((s) => siteSummary(s, inv, idx, now));
}

export function countStates(sites: SiteSummary[]): Record<SiteState, number> {
  const c: Record<SiteState, number> = { up: 0, degraded: 0, down: 0, unknown: 0 };
  for (const s of sites) c[s.state]++;
  return c;
}

/** Interfaces of a target: status from the live state, current rates from the store's newest buckets. */
export function interfaces(t: Target, live: LiveState, store: Store, optics: OpticalReading[], now: number): InterfaceRow[] {
  const rows = new Map<string, InterfaceRow>();
  const row = (labels: Record<string, string>) => {
    const k = labels.if_index ?? rowKey(labels);
    let r = rows.get(k);
    if (!r) {
      r = { target: t.name, if_index: labels.if_index ?? null, if_name: labels.if_name ?? null, if_alias: labels.if_alias ?? null, admin_up: null, oper_up: null, speed_bps: null, in_bps: null, out_bps: null, optical: null };
      rows.set(k, r);
    }
    return r;
  };
  for (const s of live.find(M.ifOper, { target: t.name })) row(s.labels).oper_up = s.value === 1;
  for (const s of live.find(M.ifAdmin, { target: t.name })) row(s.labels).admin_up = s.value === 1;
  for (const s of live.find(M.ifSpeed, { target: t.name })) row(s.labels).speed_bps = s.value * 8;
  const interval = t.probes.find((p) => p.kind === 'snmp')?.intervalMs ?? 60e3;
  for (const [metric, key] of [[M.ifIn, 'in_bps'], [M.ifOut, 'out_bps']] as const) {
    for (const series of store.findSeries(metric, { target: t.name })) {
      const k = series.labels.if_index ?? rowKey(series.labels);
      const r = rows.get(k);
      if (!r) continue; // an interface the agent no longer lists
      const rate = currentRate(store, series.id, now, interval);
      r[key] = rate ? round(rate.value * 8, 1) : null;
    }
  }
  for (const o of optics) {
    const r = (o.labels.if_index && rows.get(o.labels.if_index)) || [...rows.values()].find((x) => x.if_name && x.if_name === o.labels.if_name);
    if (r) r.optical = o;
  }
  return [...rows.values()].sort((a, b) => Number(a.if_index) - Number(b.if_index) || String(a.if_name).localeCompare(String(b.if_name)));
}

export function siteDetail(config: LoadedConfig, live: LiveState, store: Store, id: string, now = Date.now()): SiteDetailResponse | null {
  const inv = inventory(config);
  const site = inv.sites.get(id);
  if (!site) return null;
  const idx = liveIndex(live);
  const summary = siteSummary(site, inv, idx, now);
  const targets = (inv.bySite.get(id) ?? []).map((t) => {
    const optics = idx.optical.get(t.name) ?? [];
    return {
      name: t.name,
      role: t.role,
      address: t.address,
      probes: t.probes.map((p) => {
        const st = live.targetStatus(t.name, p.kind);
        return { kind: p.kind, interval_ms: p.intervalMs, ok: st ? st.ok : null, reason: st?.reason ?? null, message: st?.message ?? null, at: st?.at ?? null };
      }),
      interfaces: t.probes.some((p) => p.kind === 'snmp') ? interfaces(t, live, store, optics, now) : [],
      optics,
    };
  });
  return { ...summary, targets };
}

/** Ping history (smoke): per target min/median/max and quantile bands of the RTT, and the loss ratio; seconds. */
export function sitePing(config: LoadedConfig, store: Store, id: string, w: Window): SitePingResponse | null {
  const inv = inventory(config);
  if (!inv.sites.has(id)) return null;
  const out = [];
  for (const t of inv.bySite.get(id) ?? []) {
    if (!t.probes.some((p) => p.kind === 'ping')) continue;
    const one = (metric: string, match: Record<string, string> = {}) => {
      const s = store.findSeries(metric, { target: t.name, ...match })[0];
      return s ? store.range(s.id, w.from, w.to, w.points) : null;
    };
    const qs = ['0.1', '0.25', '0.75', '0.9'];
    const ranges = [one(M.pingMin), one(M.pingMedian), one(M.pingMax), ...qs.map((q) => one(M.pingQuantile, { smoke_quantile: q })), one(M.pingLoss)];
    const a = align(ranges, [(r) => r.min, (r) => r.mean, (r) => r.max, ...qs.map(() => (r: { mean: number[] }) => r.mean), (r) => r.mean]);
    const r6 = (c: (number | null)[]) => c.map((v) => round(v, 6));
    const [min = [], median = [], max = [], q10 = [], q25 = [], q75 = [], q90 = [], loss = []] = a.cols.map(r6);
    out.push({ target: t.name, step_ms: ranges.find((r) => r)?.stepMs ?? null, ts: a.ts, min, median, max, q10, q25, q75, q90, loss });
  }
  return { site: id, from: w.from, to: w.to, capped: w.capped, targets: out };
}

/** Optical level history of a site's fibre ports (dBm, bucket min/mean/max) with their current thresholds. */
export function siteOptical(config: LoadedConfig, live: LiveState, store: Store, id: string, w: Window): SiteOpticalResponse | null {
  const inv = inventory(config);
  if (!inv.sites.has(id)) return null;
  const optics = opticalByTarget(live);
  const ports = [];
  for (const t of inv.bySite.get(id) ?? []) {
    const rx = store.findSeries(M.opticalRx, { target: t.name });
    const tx = store.findSeries(M.opticalTx, { target: t.name });
    for (const s of rx) {
      const k = portKey(s.labels);
      const txs = tx.find((x) => portKey(x.labels) === k);
      const a = align(
        [store.range(s.id, w.from, w.to, w.points), txs ? store.range(txs.id, w.from, w.to, w.points) : null],
        [(r) => r.mean, (r) => r.mean],
      );
      const lo = store.range(s.id, w.from, w.to, w.points);
      const loA = align([lo], [(r) => r.min]);
      const loAt = new Map(loA.ts.map((t, i) => [t, loA.cols[0]![i]]));
      const now = optics.get(t.name)?.find((o) => portKey(o.labels) === k);
      ports.push({
        target: t.name,
        labels: portLabels(s.labels),
        ts: a.ts,
        rx_dbm: a.cols[0]!.map((v) => round(v, 2)),
        tx_dbm: a.cols[1]!.map((v) => round(v, 2)),
        rx_min_dbm: a.ts.map((t) => round(loAt.get(t), 2)),
        thresholds: now?.thresholds ?? null,
        level: now?.level ?? null,
      });
    }
  }
  return { site: id, from: w.from, to: w.to, capped: w.capped, ports };
}
