/**
 * Sites: the summary of every configured site (its state from the status module, its figures) and one
 * site's detail (its targets, interfaces with current traffic, optical levels, ping history).
 */
import type { SiteConfig } from '../config/schema.js';
import type { LiveState } from '../live.js';
import type { Store } from '../store/types.js';
import type { Target } from '../types.js';
import type { StatusView } from '../status/index.js';
import { inventory, opticalByTarget, portKey, portLabels, rowKey, type Inventory, type OpticalReading } from './inventory.js';
import { M } from './metrics.js';
import { align, currentRate, round } from './series.js';
import type { Window } from '../http/params.js';
import type { LoadedConfig } from '../config/model.js';
import type { InterfaceRow, SiteDetailResponse, SiteOpticalResponse, SitePingResponse, SiteSort, SiteState, SitesQuery, SiteSummary } from '../http/contract.js';

export type { InterfaceRow, SiteState, SiteSummary };

const OPTICAL_RANK = { ok: 1, warn: 2, alarm: 3 } as const;

/** A site's summary: state and reasons as the status module decided them; worst RTT and loss of its targets; worst optics. */
export function siteSummary(site: SiteConfig, inv: Inventory, status: StatusView, optics: Map<string, OpticalReading[]>, now: number): SiteSummary {
  const st = status.site(site.id, now);
  let rtt: number | null = null;
  let loss: number | null = null;
  let optical: OpticalReading['level'] = null;
  for (const t of st.targets) {
    if (t.rtt_seconds !== null) rtt = Math.max(rtt ?? 0, t.rtt_seconds);
    if (t.loss_ratio !== null) loss = Math.max(loss ?? 0, t.loss_ratio);
    for (const o of optics.get(t.target) ?? []) if (o.level && (!optical || OPTICAL_RANK[o.level] > OPTICAL_RANK[optical])) optical = o.level;
  }
  return {
    id: site.id,
    name: site.name,
    short_name: site.short_name ?? site.name,
    group: site.group,
    state: st.state,
    reasons: st.reasons,
    rtt_ms: rtt === null ? null : round(rtt * 1000, 2),
    loss_ratio: round(loss, 4),
    optical,
    targets: (inv.bySite.get(site.id) ?? []).map((t) => t.name),
    updated_at: st.updated_at,
  };
}

export function siteSummaries(config: LoadedConfig, live: LiveState, status: StatusView, now = Date.now()): SiteSummary[] {
  const inv = inventory(config);
  const optics = opticalByTarget(live);
  return config.sites.map((s) => siteSummary(s, inv, status, optics, now));
}

/** Lower case without diacritics ("Phú Lộc" → "phu loc", "Đông" → "dong"), so an operator can type without Vietnamese input. */
function foldText(v: string): string {
  return v.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase();
}

const STATE_ORDER: Record<SiteState, number> = { down: 0, degraded: 1, unknown: 2, up: 3 };
const collator = new Intl.Collator('vi');
/** By what the tiles show, then the full name. */
const byName = (a: SiteSummary, b: SiteSummary) => collator.compare(a.short_name, b.short_name) || collator.compare(a.name, b.name);
/** Highest first; a site not measured goes last, whatever the direction. */
const desc = (f: (s: SiteSummary) => number | null) => (a: SiteSummary, b: SiteSummary) => (f(b) ?? -1) - (f(a) ?? -1);
const SORTS: Record<SiteSort, (a: SiteSummary, b: SiteSummary) => number> = {
  state: (a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state],
  rtt: desc((s) => s.rtt_ms),
  loss: desc((s) => s.loss_ratio),
  name: () => 0,
};

/** The sites a /sites query asks for, in its order (config order without `sort`). */
export function filterSites(list: SiteSummary[], q: SitesQuery): SiteSummary[] {
  const words = q.q ? foldText(q.q).split(/\s+/).filter(Boolean) : [];
  const out = list.filter((s) => {
    if (q.group && !q.group.includes(s.group)) return false;
    if (q.state && !q.state.includes(s.state)) return false;
    if (words.length === 0) return true;
    const hay = foldText([s.id, s.name, s.short_name, ...s.targets].join(' '));
    return words.every((w) => hay.includes(w));
  });
  const cmp = q.sort ? SORTS[q.sort] : null;
  return cmp ? out.sort((a, b) => cmp(a, b) || byName(a, b)) : out;
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

export function siteDetail(config: LoadedConfig, live: LiveState, status: StatusView, store: Store, id: string, now = Date.now()): SiteDetailResponse | null {
  const inv = inventory(config);
  const site = inv.sites.get(id);
  if (!site) return null;
  const allOptics = opticalByTarget(live);
  const summary = siteSummary(site, inv, status, allOptics, now);
  const targets = (inv.bySite.get(id) ?? []).map((t) => {
    const optics = allOptics.get(t.name) ?? [];
    const st = status.target(t.name, now);
    return {
      name: t.name,
      role: t.role,
      address: t.address,
      state: st.state,
      reasons: st.reasons,
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
