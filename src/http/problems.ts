/**
 * "Problems now": what an operator must look at, computed from the newest samples and the configured
 * thresholds: sites down or degraded, uplinks over their warn threshold, interfaces down while admin up,
 * optical levels beyond the transceiver's thresholds, servers struggling.
 */
import type { LoadedConfig } from '../config/model.js';
import type { LiveState } from '../live.js';
import { inventory, isFresh, opticalByTarget, rowKey } from './inventory.js';
import { M } from './metrics.js';
import { round } from './series.js';
import { servers } from './servers.js';
import { liveIndex, siteSummary } from './sites.js';

export interface Problem {
  kind: 'site_down' | 'site_degraded' | 'uplink_saturated' | 'interface_down' | 'optical_low' | 'optical_high' | 'server';
  severity: 'critical' | 'warning';
  /** What it is about: a site id, an uplink name, "target if_name", a server target. */
  subject: string;
  site: string | null;
  site_name: string | null;
  target: string | null;
  /** The measured figure and the threshold it crossed, where there is one (ratio, dBm...). */
  value: number | null;
  threshold: number | null;
  /** Extra detail: reasons of a site state, the interface alias, the warnings of a server. */
  detail: string[];
  ts: number | null;
}

export function problems(config: LoadedConfig, live: LiveState, now = Date.now()): Problem[] {
  const inv = inventory(config);
  const idx = liveIndex(live);
  const out: Problem[] = [];
  const siteName = (id: string | undefined) => (id ? (inv.sites.get(id)?.name ?? id) : null);
  const down = new Set<string>();

  for (const site of config.sites) {
    const s = siteSummary(site, inv, idx, now);
    if (s.state === 'down' || s.state === 'degraded') {
      if (s.state === 'down') down.add(site.id);
      out.push({ kind: s.state === 'down' ? 'site_down' : 'site_degraded', severity: s.state === 'down' ? 'critical' : 'warning', subject: site.id, site: site.id, site_name: site.name, target: null, value: s.state === 'degraded' ? s.loss_ratio : null, threshold: null, detail: s.reasons, ts: s.updated_at });
    }
  }

  for (const u of config.uplinks) {
    const t = inv.byName.get(u.target);
    for (const s of live.find(M.uplinkBytesPerSecond, { uplink: u.name })) {
      if (!isFresh(s, t, 'snmp', now)) continue;
      const util = (s.value * 8) / u.capacity;
      if (util >= u.warn_utilization) {
        out.push({ kind: 'uplink_saturated', severity: util >= 0.95 ? 'critical' : 'warning', subject: u.name, site: t?.site ?? null, site_name: siteName(t?.site), target: u.target, value: round(util, 4), threshold: u.warn_utilization, detail: [s.labels.direction ?? '', u.display_name ?? u.name], ts: s.ts });
      }
    }
  }

  const admin = new Map(live.find(M.ifAdmin).map((s) => [rowKey(s.labels), s]));
  const optics = opticalByTarget(live);
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
    out.push({ kind: 'interface_down', severity: important ? 'critical' : 'warning', subject: `${target} ${s.labels.if_name ?? s.labels.if_index ?? ''}`.trim(), site: t?.site ?? null, site_name: siteName(t?.site), target, value: null, threshold: null, detail: [s.labels.if_alias ?? ''].filter(Boolean), ts: s.ts });
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
      out.push({
        kind: low ? 'optical_low' : 'optical_high',
        severity: o.level === 'alarm' ? 'critical' : 'warning',
        subject: `${target} ${o.labels.if_name ?? o.labels.if_index ?? ''}`.trim(),
        site: t?.site ?? null,
        site_name: siteName(t?.site),
        target,
        value: which === 'rx' ? o.rx_dbm : o.tx_dbm,
        threshold: (low ? th[`${which}_low_${o.level === 'alarm' ? 'alarm' : 'warn'}_dbm`] : th[`${which}_high_${o.level === 'alarm' ? 'alarm' : 'warn'}_dbm`]) ?? null,
        detail: [which],
        ts: o.ts,
      });
    }
  }

  for (const s of servers(config, live, now)) {
    if (s.warnings.length === 0) continue;
    out.push({ kind: 'server', severity: s.warnings.includes('unreachable') ? 'critical' : 'warning', subject: s.target, site: s.site, site_name: s.site_name, target: s.target, value: null, threshold: null, detail: s.warnings, ts: s.updated_at });
  }

  const SEV = { critical: 0, warning: 1 };
  const KIND = { site_down: 0, uplink_saturated: 1, optical_low: 2, interface_down: 3, server: 4, site_degraded: 5, optical_high: 6 };
  return out.sort((a, b) => SEV[a.severity] - SEV[b.severity] || KIND[a.kind] - KIND[b.kind] || a.subject.localeCompare(b.subject));
}
