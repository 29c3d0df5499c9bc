/**
 * Rules from the config, compiled to functions from a probe result to observations. Each kind knows which
 * samples it reads and what identifies an instance; the state machine (engine.ts) does the rest.
 */
import type { AlertingConfig, AlertRuleConfig, SiteConfig, UplinkConfig } from '../config/schema.js';
import type { ProbeResult } from '../scheduler.js';
import type { Sample, Target } from '../types.js';
import { BaselineTracker, type BaselinePersistence } from './baseline.js';
import type { Observation, Severity, Verdict } from './types.js';

export interface CompiledRule {
  name: string;
  kind: AlertRuleConfig['kind'];
  severity: Severity;
  forMs: number;
  keepFiringForMs: number;
  labels: Record<string, string>;
  summary: string;
  description: string;
  config: AlertRuleConfig;
  observe(result: ProbeResult): Observation[];
  /** Whether the rule's `match`/`exclude` select a series with these labels (a missing label is ""). */
  selects(labels: Record<string, string>): boolean;
}

export interface RuleContext {
  uplinks: readonly UplinkConfig[];
  sites: readonly SiteConfig[];
  baselines?: BaselinePersistence;
}

export const DEFAULT_SUMMARIES: Record<AlertRuleConfig['kind'], string> = {
  uplink_utilization: 'Uplink {{ uplink_name }} ({{ direction }}) at {{ value | percent }} of its capacity (threshold {{ threshold | percent }})',
  interface_down: 'Interface {{ if_name }} on {{ target }} is down while administratively up',
  site_unreachable: 'Site {{ site_name }} ({{ target }}) is unreachable',
  ping_loss: 'Packet loss to {{ target }} ({{ site_name }}) is {{ value | percent }}',
  ping_latency: 'Latency to {{ target }} ({{ site_name }}) is {{ value | ms }} (threshold {{ threshold | ms }})',
  optical_rx_low: 'Fibre Rx power on {{ target }} {{ if_name }} ({{ site_name }}) is {{ value | dbm }}, below {{ threshold | dbm }}',
  optical_rx_drop: 'Fibre Rx power on {{ target }} {{ if_name }} ({{ site_name }}) fell {{ drop_db | round:1 }} dB below its baseline of {{ baseline_dbm | dbm }}: {{ value | dbm }}',
  host_cpu: 'CPU of {{ target }} is {{ value | percent }} busy',
  host_memory: 'Memory of {{ target }} is {{ value | percent }} used',
  host_disk: 'Disk {{ disk }} of {{ target }} is {{ value | percent }} full',
  probe_failing: 'The {{ probe }} probe of {{ target }} is failing ({{ reason }})',
  agent_restarted: 'The SNMP agent of {{ target }} restarted {{ value | duration }} ago',
  config_reload_failed: 'The configuration reload failed; netmon keeps running the previous configuration',
  threshold: '{{ metric }} of {{ target }} is {{ value }} (threshold {{ threshold }})',
};

/** Past `fire`, fire; before `clear`, clear; in between, hold. For "above" rules fire > clear. */
export function aboveVerdict(v: number, fire: number, clear = fire): Verdict {
  if (v > fire) return 'fire';
  if (v < clear || clear >= fire) return 'clear';
  return 'hold';
}

export function belowVerdict(v: number, fire: number, clear = fire): Verdict {
  return aboveVerdict(-v, -fire, -clear);
}

/** Labels that describe rather than identify a series: kept for templates, not in the alert's identity. */
const DESCRIPTIVE = new Set(['if_alias', 'if_descr', 'method']);

function identity(labels: Record<string, string>, target: Target): Record<string, string> {
  const out: Record<string, string> = { target: target.name, site: target.site, ...target.labels };
  for (const [k, v] of Object.entries(labels)) if (!DESCRIPTIVE.has(k)) out[k] = v;
  return out;
}

function compileMatchers(m: Record<string, string>): [string, RegExp][] {
  return Object.entries(m).map(([k, re]) => [k, new RegExp(`^(?:${re})$`)]);
}

const HOST_DISK_TYPES = new Set(['fixed_disk', 'network_disk', 'removable_disk', 'flash_memory']);
const TICKS_MAX_SECONDS = 2 ** 32 / 100;

export function compileRules(cfg: AlertingConfig, ctx: RuleContext): CompiledRule[] {
  return cfg.rules.map((r) => compileRule(r, cfg, ctx));
}

export function compileRule(r: AlertRuleConfig, cfg: AlertingConfig, ctx: RuleContext): CompiledRule {
  const match = compileMatchers(r.match);
  const exclude = compileMatchers(r.exclude);
  const selected = (labels: Record<string, string>) =>
    match.every(([k, re]) => re.test(labels[k] ?? '')) && !(exclude.length > 0 && exclude.every(([k, re]) => re.test(labels[k] ?? '')));
  const siteName = (id: string) => ctx.sites.find((s) => s.id === id)?.name ?? id;
  const stale = (res: ProbeResult) => 3 * res.spec.intervalMs + res.spec.timeoutMs;

  /** One observation per selected sample of `metric`. */
  const perSample = (
    res: ProbeResult,
    metric: string | ((s: Sample) => boolean),
    judge: (s: Sample, labels: Record<string, string>) => Omit<Observation, 'labels' | 'ts' | 'staleAfterMs'> | undefined,
  ): Observation[] => {
    const out: Observation[] = [];
    for (const s of res.samples) {
      if (typeof metric === 'string' ? s.metric !== metric : !metric(s)) continue;
      const labels = identity(s.labels, res.target);
      const all = { ...s.labels, ...labels };
      if (!selected(all)) continue;
      const j = judge(s, labels);
      if (!j) continue;
      out.push({ ...j, labels, ts: s.ts, staleAfterMs: stale(res), vars: { site_name: siteName(res.target.site), ...s.labels, ...j.vars } });
    }
    return out;
  };

  /** One observation per target from a value computed over the result. */
  const perTarget = (res: ProbeResult, value: number | undefined, verdict: (v: number) => Verdict, threshold: number, vars: Record<string, string | number> = {}): Observation[] => {
    if (value === undefined || !Number.isFinite(value)) return [];
    const labels = identity({}, res.target);
    if (!selected(labels)) return [];
    const ts = res.startedAt + res.durationMs;
    return [{ labels, value, verdict: verdict(value), ts, threshold, staleAfterMs: stale(res), vars: { site_name: siteName(res.target.site), ...vars } }];
  };

  let observe: (res: ProbeResult) => Observation[];
  switch (r.kind) {
    case 'uplink_utilization': {
      const wanted = r.uplinks ? new Set(r.uplinks) : null;
      observe = (res) =>
        perSample(res, 'netmon_uplink_utilization_ratio', (s) => {
          const u = s.labels.uplink ?? '';
          if ((wanted && !wanted.has(u)) || !r.directions.includes(s.labels.direction as 'in' | 'out')) return undefined;
          const display = ctx.uplinks.find((x) => x.name === u)?.display_name ?? u;
          return { value: s.value, verdict: aboveVerdict(s.value, r.above, r.clear_below), threshold: r.above, vars: { uplink_name: display } };
        });
      break;
    }
    case 'interface_down':
      observe = (res) => {
        const admin = new Map<string, number>();
        for (const s of res.samples) if (s.metric === 'netmon_interface_admin_up') admin.set(s.labels.if_index ?? s.labels.if_name ?? '', s.value);
        return perSample(res, 'netmon_interface_oper_up', (s) => {
          const a = admin.get(s.labels.if_index ?? s.labels.if_name ?? '');
          if (a === undefined) return undefined;
          return { value: s.value, verdict: s.value === 0 && a === 1 ? 'fire' : 'clear' };
        });
      };
      break;
    case 'site_unreachable': {
      // Latest word of each signal per target: true = down, false = up (unknown signals are absent).
      const signals = new Map<string, { ping?: boolean; snmp?: boolean }>();
      observe = (res) => {
        const sig = signals.get(res.target.name) ?? {};
        signals.set(res.target.name, sig);
        if (res.kind === 'ping') {
          const st = res.samples.find((s) => s.metric === 'netmon_ping_reachability_state');
          if (st) sig.ping = st.value === 0;
          else return []; // the ping probe itself failed (fping missing...): that says nothing about the site
        } else if (res.kind === 'snmp') {
          if (!res.error) sig.snmp = false;
          else if (res.error.reason === 'timeout' || res.error.reason === 'unreachable') sig.snmp = true;
          else return []; // auth or protocol errors: the site answers; probe_failing covers it
        } else return [];
        const known = (r.via === 'ping' ? [sig.ping] : r.via === 'snmp' ? [sig.snmp] : [sig.ping, sig.snmp]).filter((x): x is boolean => x !== undefined);
        if (known.length === 0) return [];
        const down = r.via === 'all' ? known.every(Boolean) : known.some(Boolean);
        return perTarget(res, down ? 1 : 0, (v) => (v === 1 ? 'fire' : 'clear'), 1, {
          via: [sig.ping !== undefined && `ping ${sig.ping ? 'down' : 'up'}`, sig.snmp !== undefined && `snmp ${sig.snmp ? 'down' : 'up'}`].filter(Boolean).join(', '),
        });
      };
      break;
    }
    case 'ping_loss':
      observe = (res) => perSample(res, 'netmon_ping_loss_ratio', (s) => ({ value: s.value, verdict: aboveVerdict(s.value, r.above, r.clear_below), threshold: r.above }));
      break;
    case 'ping_latency': {
      const fire = r.above / 1000;
      const clear = (r.clear_below ?? r.above) / 1000;
      observe = (res) => perSample(res, 'netmon_ping_rtt_median_seconds', (s) => ({ value: s.value, verdict: aboveVerdict(s.value, fire, clear), threshold: fire }));
      break;
    }
    case 'optical_rx_low': {
      const thresholdMetric = r.device_threshold ? `netmon_optical_rx_power_${r.device_threshold}_dbm` : null;
      observe = (res) => {
        const device = new Map<string, number>();
        if (thresholdMetric) for (const s of res.samples) if (s.metric === thresholdMetric) device.set(rowKey(s.labels), s.value);
        return perSample(res, 'netmon_optical_rx_power_dbm', (s) => {
          const thr = device.get(rowKey(s.labels)) ?? r.below_dbm;
          if (thr === undefined) return undefined;
          return { value: s.value, verdict: belowVerdict(s.value, thr, thr + r.hysteresis_db), threshold: thr };
        });
      };
      break;
    }
    case 'optical_rx_drop': {
      const tracker = new BaselineTracker(r.baseline_window, ctx.baselines && prefixed(ctx.baselines, r.name));
      observe = (res) =>
        perSample(res, 'netmon_optical_rx_power_dbm', (s, labels) => {
          if (s.value <= -39.9) return undefined; // loss of signal: not a slow decline (optical_rx_low says it)
          const base = tracker.update(JSON.stringify(sortedEntries(labels)), s.ts, s.value);
          const drop = base - s.value;
          return { value: s.value, verdict: aboveVerdict(drop, r.drop_db - 1e-9, r.drop_db - r.hysteresis_db), threshold: base - r.drop_db, vars: { baseline_dbm: base, drop_db: drop } };
        });
      break;
    }
    case 'host_cpu':
      observe = (res) => {
        const direct = res.samples.filter((s) => s.metric === 'netmon_host_cpu_utilization_ratio');
        const cpus = direct.length ? direct : res.samples.filter((s) => s.metric === 'netmon_host_cpu_load_ratio');
        const v = cpus.length ? cpus.reduce((a, s) => a + s.value, 0) / cpus.length : undefined;
        return perTarget(res, v, (x) => aboveVerdict(x, r.above, r.clear_below), r.above);
      };
      break;
    case 'host_memory':
      observe = (res) => {
        const total = res.samples.find((s) => s.metric === 'netmon_host_memory_total_bytes')?.value;
        const avail = res.samples.find((s) => s.metric === 'netmon_host_memory_available_bytes')?.value;
        const v = total && avail !== undefined ? Math.min(1, Math.max(0, 1 - avail / total)) : undefined;
        return perTarget(res, v, (x) => aboveVerdict(x, r.above, r.clear_below), r.above);
      };
      break;
    case 'host_disk':
      observe = (res) => {
        const used = new Map<string, number>();
        for (const s of res.samples)
          if (s.metric === 'netmon_host_filesystem_used_bytes' || s.metric === 'netmon_host_storage_used_bytes') used.set(s.metric.replace('used', 'size') + rowKey(s.labels), s.value);
        return perSample(
          res,
          (s) => (s.metric === 'netmon_host_filesystem_size_bytes' || s.metric === 'netmon_host_storage_size_bytes') && s.value > 0 && (!s.labels.storage_type || HOST_DISK_TYPES.has(s.labels.storage_type)),
          (s) => {
            const u = used.get(s.metric + rowKey(s.labels));
            if (u === undefined) return undefined;
            const v = u / s.value;
            return { value: v, verdict: aboveVerdict(v, r.above, r.clear_below), threshold: r.above, vars: { disk: s.labels.mountpoint ?? s.labels.storage ?? rowKey(s.labels) } };
          },
        );
      };
      break;
    case 'probe_failing': {
      const kinds = r.probes ? new Set<string>(r.probes) : null;
      observe = (res) => {
        if (kinds && !kinds.has(res.kind)) return [];
        return perSample(res, 'netmon_probe_success', (s) => ({ value: s.value, verdict: s.value === 0 ? 'fire' : 'clear', threshold: 1, vars: { reason: res.error?.reason ?? 'ok' } }));
      };
      break;
    }
    case 'agent_restarted': {
      const windowS = r.window / 1000;
      // A sysUpTime that wrapped (TimeTicks overflow after 497 days) is not a restart: remembered per target until it passes the window.
      const wrapped = new Map<string, boolean>();
      const last = new Map<string, number>();
      observe = (res) =>
        perSample(res, 'netmon_snmp_agent_uptime_seconds', (s) => {
          const key = res.target.name;
          const prev = last.get(key);
          last.set(key, s.value);
          if (prev !== undefined && prev > TICKS_MAX_SECONDS - 86_400 && s.value < prev) wrapped.set(key, true);
          if (s.value >= windowS) wrapped.delete(key);
          const restarted = s.value < windowS && !wrapped.get(key);
          return { value: s.value, verdict: restarted ? 'fire' : 'clear', threshold: windowS };
        });
      break;
    }
    case 'config_reload_failed':
      observe = () => [];
      break;
    case 'threshold': {
      const fire = r.above ?? r.below!;
      const judge = r.above !== undefined ? aboveVerdict : belowVerdict;
      observe = (res) => perSample(res, r.metric, (s) => ({ value: s.value, verdict: judge(s.value, fire, r.clear ?? fire), threshold: fire, vars: { metric: r.metric } }));
      break;
    }
  }
  return {
    name: r.name,
    kind: r.kind,
    severity: r.severity ?? cfg.defaults.severity,
    forMs: r.for ?? cfg.defaults.for,
    keepFiringForMs: r.keep_firing_for ?? cfg.defaults.keep_firing_for,
    labels: r.labels,
    summary: r.summary ?? DEFAULT_SUMMARIES[r.kind],
    description: r.description ?? '',
    config: r,
    observe,
    selects: selected,
  };
}

/** Which row of a table a sample belongs to: if_index, else if_name, else all its labels. */
function rowKey(labels: Record<string, string>): string {
  return labels.if_index ?? labels.if_name ?? labels.mountpoint ?? labels.storage_index ?? labels.storage ?? JSON.stringify(sortedEntries(labels));
}

function sortedEntries(labels: Record<string, string>): [string, string][] {
  return Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function prefixed(p: BaselinePersistence, prefix: string): BaselinePersistence {
  return { load: (k) => p.load(`${prefix}|${k}`), save: (k, b) => p.save(`${prefix}|${k}`, b) };
}
