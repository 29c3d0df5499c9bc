/**
 * "Problems now": what an operator must look at.
 *
 * With alerting configured (issue 8), the alert engine is the authority: every pending and firing alert is
 * a problem, with its acknowledgement and silences. The threshold checks below (sites down or degraded,
 * uplinks over their warn threshold, interfaces down while admin up, optical levels beyond the
 * transceiver's thresholds, servers struggling) remain for what no configured rule watches: a check is
 * dropped, or trimmed to its uncovered details, when a rule of the matching kind selects the same series.
 * Without alerting (or with no rules) the list is the threshold checks alone, as before.
 */
import type { LoadedConfig } from '../config/model.js';
import type { LiveState } from '../live.js';
import type { Alerting, AlertView } from '../alerts/index.js';
import type { CompiledRule } from '../alerts/rules.js';
import type { Target } from '../types.js';
import { inventory, isFresh, opticalByTarget, rowKey, type Inventory } from './inventory.js';
import { M } from './metrics.js';
import { round } from './series.js';
import type { StatusView } from '../status/index.js';
import { servers } from './servers.js';
import { siteSummary } from './sites.js';
import type { Problem } from '../http/contract.js';

export type { Problem };

/** What the problems list needs from the alert engine. */
export type AlertSource = Pick<Alerting, 'alerts' | 'rules' | 'silences'>;

/**
 * Which alert rules would watch (a detail of) a threshold problem: rule kinds, the label sets of the series
 * involved (every one must be selected by the rule's match/exclude) and an optional extra condition.
 */
interface Part {
  detail: string | null;
  kinds: CompiledRule['kind'][];
  labels: Record<string, string>[];
  when?: (r: CompiledRule) => boolean;
}
type Derived = Omit<Problem, 'source' | 'alert'> & { parts: Part[] };

const identity = (t: Target | undefined, target: string): Record<string, string> => ({ target, site: t?.site ?? '', ...(t?.labels ?? {}) });
const viaSnmp = (r: CompiledRule) => r.config.kind === 'probe_failing' && (!r.config.probes || r.config.probes.includes('snmp'));
/**
 * Which rules watch a reason of a degraded site. `site_unreachable` fires exactly when a target is down
 * (netmon_target_state 0, CONTRACT.md), so it covers `site_down` and unreachable servers, never a degraded
 * reason: an SNMP agent that is silent, refuses the credentials or errs while ping answers is the SNMP
 * probe failing.
 */
const DEGRADED_KINDS: Record<string, { kinds: CompiledRule['kind'][]; when?: (r: CompiledRule) => boolean }> = {
  loss: { kinds: ['ping_loss'] },
  latency: { kinds: ['ping_latency'] },
  snmp_silent: { kinds: ['probe_failing'], when: viaSnmp },
  snmp_auth: { kinds: ['probe_failing'], when: viaSnmp },
  snmp_error: { kinds: ['probe_failing'], when: viaSnmp },
};

/** The dashboard's own threshold checks, each with what a rule must watch to cover it. */
function thresholdProblems(config: LoadedConfig, live: LiveState, status: StatusView, now: number, inv: Inventory): Derived[] {
  const optics = opticalByTarget(live);
  const out: Derived[] = [];
  const siteName = (id: string | undefined) => (id ? (inv.sites.get(id)?.name ?? id) : null);
  const down = new Set<string>();

  for (const site of config.sites) {
    const s = siteSummary(site, inv, status, optics, now);
    if (s.state !== 'down' && s.state !== 'degraded') continue;
    const targets = (inv.bySite.get(site.id) ?? []).filter((t) => t.probes.some((p) => p.kind === 'ping' || p.kind === 'snmp'));
    const labels = targets.map((t) => identity(t, t.name));
    if (s.state === 'down') {
      down.add(site.id);
      out.push({ kind: 'site_down', severity: 'critical', subject: site.id, site: site.id, site_name: site.name, target: null, value: null, threshold: null, detail: s.reasons, ts: s.updated_at, parts: [{ detail: null, kinds: ['site_unreachable'], labels }] });
    } else {
      const parts: Part[] = s.reasons.map((r) => ({ detail: r, labels, kinds: DEGRADED_KINDS[r]?.kinds ?? [], ...(DEGRADED_KINDS[r]?.when ? { when: DEGRADED_KINDS[r].when } : {}) }));
      out.push({ kind: 'site_degraded', severity: 'warning', subject: site.id, site: site.id, site_name: site.name, target: null, value: s.loss_ratio, threshold: null, detail: s.reasons, ts: s.updated_at, parts });
    }
  }

  for (const u of config.uplinks) {
    const t = inv.byName.get(u.target);
    for (const s of live.find(M.uplinkBytesPerSecond, { uplink: u.name })) {
      if (!isFresh(s, t, 'snmp', now)) continue;
      const util = (s.value * 8) / u.capacity;
      if (util < u.warn_utilization) continue;
      const direction = s.labels.direction ?? '';
      out.push({
        kind: 'uplink_saturated', severity: util >= 0.95 ? 'critical' : 'warning', subject: u.name, site: t?.site ?? null, site_name: siteName(t?.site), target: u.target, value: round(util, 4), threshold: u.warn_utilization, detail: [direction, u.display_name ?? u.name], ts: s.ts,
        parts: [{
          detail: null, kinds: ['uplink_utilization'], labels: [{ ...identity(t, u.target), uplink: u.name, direction }],
          when: (r) => r.config.kind === 'uplink_utilization' && (!r.config.uplinks || r.config.uplinks.includes(u.name)) && r.config.directions.includes(direction as 'in' | 'out'),
        }],
      });
    }
  }

  const admin = new Map(live.find(M.ifAdmin).map((s) => [rowKey(s.labels), s]));
  const uplinkPorts = new Set(config.uplinks.map((u) => `${u.target}\u0000${u.interface}`));
  for (const s of live.find(M.ifOper)) {
    if (s.value !== 0) continue;
    const a = admin.get(rowKey(s.labels));
    const target = s.labels.target ?? '';
    const t = inv.byName.get(target);
    if (!a || a.value !== 1 || !isFresh(s, t, 'snmp', now) || (t && down.has(t.site))) continue;
    const important = uplinkPorts.has(`${target}\u0000${s.labels.if_name}`) || (optics.get(target) ?? []).some((o) => o.labels.if_index === s.labels.if_index);
    // An access port nobody described and nothing is plugged into is not a problem; a described one (ifAlias) is.
    if (!important && !s.labels.if_alias) continue;
    const port = { ...identity(t, target), if_index: s.labels.if_index ?? '', if_name: s.labels.if_name ?? '', if_alias: s.labels.if_alias ?? '' };
    out.push({ kind: 'interface_down', severity: important ? 'critical' : 'warning', subject: `${target} ${s.labels.if_name ?? s.labels.if_index ?? ''}`.trim(), site: t?.site ?? null, site_name: siteName(t?.site), target, value: null, threshold: null, detail: [s.labels.if_alias ?? ''].filter(Boolean), ts: s.ts, parts: [{ detail: null, kinds: ['interface_down'], labels: [port] }] });
  }

  for (const [target, rows] of optics) {
    const t = inv.byName.get(target);
    for (const o of rows) {
      if (o.level !== 'warn' && o.level !== 'alarm') continue;
      if (!isFresh({ ts: o.ts } as never, t, 'snmp', now)) continue;
      const th = o.thresholds;
      const rxLow = o.rx_dbm !== null && ((th.rx_low_warn_dbm != null && o.rx_dbm <= th.rx_low_warn_dbm) || (th.rx_low_alarm_dbm != null && o.rx_dbm <= th.rx_low_alarm_dbm));
      const txLow = o.tx_dbm !== null && ((th.tx_low_warn_dbm != null && o.tx_dbm <= th.tx_low_warn_dbm) || (th.tx_low_alarm_dbm != null && o.tx_dbm <= th.tx_low_alarm_dbm));
      const low = rxLow || txLow;
      const which = rxLow || !txLow ? 'rx' : 'tx';
      const alarm = o.level === 'alarm';
      // Rx low is what optical_rx_low watches; at the warning level only if the rule fires there too.
      const parts: Part[] =
        low && which === 'rx'
          ? [{ detail: null, kinds: ['optical_rx_low'], labels: [{ ...identity(t, target), if_index: o.labels.if_index ?? '', if_name: o.labels.if_name ?? '' }], when: (r) => alarm || (r.config.kind === 'optical_rx_low' && r.config.device_threshold === 'low_warning') }]
          : [{ detail: null, kinds: [], labels: [] }];
      out.push({
        kind: low ? 'optical_low' : 'optical_high',
        severity: alarm ? 'critical' : 'warning',
        subject: `${target} ${o.labels.if_name ?? o.labels.if_index ?? ''}`.trim(),
        site: t?.site ?? null,
        site_name: siteName(t?.site),
        target,
        value: which === 'rx' ? o.rx_dbm : o.tx_dbm,
        threshold: (low ? th[`${which}_low_${alarm ? 'alarm' : 'warn'}_dbm`] : th[`${which}_high_${alarm ? 'alarm' : 'warn'}_dbm`]) ?? null,
        detail: [which],
        ts: o.ts,
        parts,
      });
    }
  }

  for (const s of servers(config, live, status, now)) {
    if (s.warnings.length === 0) continue;
    const labels = [identity(inv.byName.get(s.target), s.target)];
    const KINDS: Record<string, CompiledRule['kind'][]> = { unreachable: ['site_unreachable'], cpu: ['host_cpu'], memory: ['host_memory'], disk: ['host_disk'] };
    const parts: Part[] = s.warnings.map((w) => ({ detail: w, kinds: KINDS[w] ?? [], labels }));
    out.push({ kind: 'server', severity: s.warnings.includes('unreachable') ? 'critical' : 'warning', subject: s.target, site: s.site, site_name: s.site_name, target: s.target, value: null, threshold: null, detail: s.warnings, ts: s.updated_at, parts });
  }
  return out;
}

const covered = (p: Part, rules: CompiledRule[]) =>
  p.kinds.length > 0 && p.labels.length > 0 && rules.some((r) => p.kinds.includes(r.kind) && (p.when?.(r) ?? true) && p.labels.every((l) => r.selects(l)));

/** A threshold problem without the parts configured rules watch; undefined when nothing is left. */
function uncovered(d: Derived, rules: CompiledRule[]): Problem | undefined {
  const { parts, ...p } = d;
  const open = rules.length ? parts.filter((x) => !covered(x, rules)) : parts;
  if (open.length === 0) return undefined;
  if (open.length < parts.length && parts.every((x) => x.detail !== null)) {
    p.detail = open.map((x) => x.detail!);
    if (p.kind === 'server') p.severity = p.detail.includes('unreachable') ? 'critical' : 'warning';
  }
  return { ...p, source: 'threshold', alert: null };
}

/** What an alert is about: an uplink's display name, else the port, disk or probe of its target, else its site. */
function alertSubject(l: Record<string, string>, inv: Inventory): string {
  if (l.uplink) return inv.config.uplinks.find((u) => u.name === l.uplink)?.display_name ?? l.uplink;
  const what = l.if_name ?? l.mountpoint ?? l.storage ?? l.probe ?? '';
  return [l.target ?? l.site ?? '', what].filter(Boolean).join(' ') || (l.alertname ?? '');
}

function alertProblem(a: AlertView, inv: Inventory, silenceEnds: Map<string, number>, rule: CompiledRule | undefined): Problem {
  const l = a.labels;
  const site = l.site || (l.target ? inv.byName.get(l.target)?.site : undefined) || null;
  const ends = a.silenced_by.map((id) => silenceEnds.get(id) ?? 0);
  const severity = a.severity === 'critical' || a.severity === 'info' ? a.severity : 'warning';
  return {
    kind: 'alert',
    source: 'alert',
    severity,
    subject: alertSubject(l, inv),
    site,
    site_name: site ? (inv.sites.get(site)?.name ?? site) : null,
    target: l.target ?? null,
    value: Number.isFinite(a.value) ? round(a.value, 6) : null,
    threshold: null,
    detail: [],
    ts: a.starts_at ?? a.active_since,
    alert: {
      fingerprint: a.fingerprint,
      alertname: a.alertname,
      state: a.state === 'pending' ? 'pending' : 'firing',
      summary: a.annotations.summary ?? '',
      description: a.annotations.description ?? null,
      labels: l,
      active_since: a.active_since,
      starts_at: a.starts_at,
      acknowledged: a.acknowledged,
      silenced_by: a.silenced_by,
      silenced_until: ends.length ? Math.max(...ends) : null,
      rule_kind: rule?.kind ?? null,
      default_summary: !!rule && rule.config.summary === undefined,
    },
  };
}

export function problems(config: LoadedConfig, live: LiveState, status: StatusView, now = Date.now(), alerts?: AlertSource): Problem[] {
  const inv = inventory(config);
  const rules = alerts?.rules() ?? [];
  const out: Problem[] = [];
  for (const d of thresholdProblems(config, live, status, now, inv)) {
    const p = uncovered(d, rules);
    if (p) out.push(p);
  }
  if (alerts) {
    const silenceEnds = new Map(alerts.silences().map((s) => [s.id, s.endsAt]));
    const byName = new Map(rules.map((r) => [r.name, r]));
    for (const a of alerts.alerts()) if (a.state !== 'resolved') out.push(alertProblem(a, inv, silenceEnds, byName.get(a.alertname)));
  }

  // Critical first; within a severity what needs someone now (firing alerts, threshold problems) before
  // what is still pending, and muted (silenced) ones last.
  const SEV = { critical: 0, warning: 1, info: 2 };
  const rank = (p: Problem) => (p.alert?.silenced_by.length ? 2 : p.alert?.state === 'pending' ? 1 : 0);
  const KIND = { alert: 0, site_down: 1, uplink_saturated: 2, optical_low: 3, interface_down: 4, server: 5, site_degraded: 6, optical_high: 7 };
  return out.sort(
    (a, b) =>
      SEV[a.severity] - SEV[b.severity] ||
      rank(a) - rank(b) ||
      KIND[a.kind] - KIND[b.kind] ||
      (a.alert?.alertname ?? '').localeCompare(b.alert?.alertname ?? '') ||
      a.subject.localeCompare(b.subject),
  );
}
