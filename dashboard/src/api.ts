/** The JSON API client (see docs/api.md). Every call records success so the page can tell when the daemon stops answering. */

export interface UplinkNow {
  name: string;
  display_name: string;
  capacity_bps: number;
  warn_utilization: number;
  in_bps: number | null;
  out_bps: number | null;
  updated_at: number | null;
}
export interface Overview {
  version: string;
  simulated: boolean;
  language: 'vi' | 'en';
  timezone: string;
  now: number;
  last_result_at: number | null;
  uplinks: UplinkNow[];
  sites: Record<SiteState, number>;
  /** Outcome of the last config (re)load; null from a server without it. */
  config_reload?: ConfigReload | null;
}
export interface ConfigReload {
  ok: boolean;
  at: number;
  last_success_at: number;
  trigger: string | null;
  error: string | null;
}
export interface Series {
  ts: number[];
  min: number[];
  mean: number[];
  max: number[];
}
export interface Direction {
  direction: string;
  resolution?: string;
  step_ms?: number;
  series: Series | null;
  stats: { peak_bps: number | null; p95_bps: number | null; volume_bytes: number } | null;
}
export interface Traffic {
  from: number;
  to: number;
  capped: boolean;
  capacity_bps?: number;
  query_ms?: number;
  in: Direction;
  out: Direction;
}
export type SiteState = 'up' | 'degraded' | 'down' | 'unknown';
export type OpticalLevel = 'ok' | 'warn' | 'alarm' | null;
export interface Site {
  id: string;
  name: string;
  group: 'datacentre' | 'provincial' | 'district' | 'ward';
  state: SiteState;
  reasons: string[];
  rtt_ms: number | null;
  loss_ratio: number | null;
  optical: OpticalLevel;
  targets: string[];
  updated_at: number | null;
}
export interface Optical {
  target: string;
  labels: Record<string, string>;
  rx_dbm: number | null;
  tx_dbm: number | null;
  thresholds: Record<string, number | null>;
  level: OpticalLevel;
}
export interface Interface {
  target: string;
  if_index: string | null;
  if_name: string | null;
  if_alias: string | null;
  admin_up: boolean | null;
  oper_up: boolean | null;
  speed_bps: number | null;
  in_bps: number | null;
  out_bps: number | null;
  optical: Optical | null;
}
export interface SiteDetailTarget {
  name: string;
  role: string;
  address: string;
  /** The target's own state and reasons (the site's are the worst of its targets'). */
  state: SiteState;
  reasons: string[];
  probes: { kind: string; ok: boolean | null; reason: string | null; message: string | null; at: number | null }[];
  interfaces: Interface[];
  optics: Optical[];
}
export interface SitePing {
  targets: { target: string; ts: number[]; min: (number | null)[]; median: (number | null)[]; max: (number | null)[]; q10: (number | null)[]; q25: (number | null)[]; q75: (number | null)[]; q90: (number | null)[]; loss: (number | null)[] }[];
}
export interface SiteOptical {
  ports: { target: string; labels: Record<string, string>; ts: number[]; rx_dbm: (number | null)[]; tx_dbm: (number | null)[]; thresholds: Record<string, number | null> | null; level: OpticalLevel }[];
}
export interface Server {
  target: string;
  site_name: string;
  description: string | null;
  ok: boolean | null;
  cpu_ratio: number | null;
  memory_total_bytes: number | null;
  memory_used_ratio: number | null;
  disks: { name: string; size_bytes: number; used_ratio: number | null }[];
  load1: number | null;
  load5: number | null;
  load15: number | null;
  warnings: string[];
  updated_at: number | null;
}
export interface ProblemAlert {
  fingerprint: string;
  alertname: string;
  state: 'pending' | 'firing';
  summary: string;
  description: string | null;
  labels: Record<string, string>;
  active_since: number;
  starts_at: number | null;
  acknowledged: { by: string; comment: string; at: number } | null;
  silenced_by: string[];
  silenced_until: number | null;
  rule_kind: string | null;
  default_summary: boolean;
}
export type Severity = 'critical' | 'warning' | 'info';
export interface Problem {
  kind: string;
  source: 'alert' | 'threshold';
  severity: Severity;
  subject: string;
  site: string | null;
  site_name: string | null;
  target: string | null;
  value: number | null;
  threshold: number | null;
  detail: string[];
  ts: number | null;
  alert: ProblemAlert | null;
}
export interface AlertEvent {
  ts: number;
  fingerprint: string;
  rule: string;
  severity: string;
  event: 'pending' | 'firing' | 'resolved' | 'inactive' | 'acknowledged' | 'unacknowledged';
  value: number | null;
  labels: Record<string, string>;
  summary: string;
}

/** Client-side time of the last successful API answer. */
export let lastOkAt = 0;
/** Server clock minus client clock, from the last overview. */
export let clockOffset = 0;

async function get<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(`/api/v1${path}`, { signal, headers: { Accept: 'application/json' } });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { error?: string };
    throw new Error(body.error ?? `HTTP ${res.status}`);
  }
  const data = (await res.json()) as T;
  lastOkAt = Date.now();
  return data;
}

export interface WindowQuery {
  range?: string;
  from?: number;
  to?: number;
  points?: number;
}
const qs = (w: WindowQuery) =>
  '?' + Object.entries(w).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`).join('&');

export async function overview(): Promise<Overview> {
  const o = await get<Overview>('/overview');
  clockOffset = o.now - Date.now();
  return o;
}
export const uplinkTraffic = (name: string, w: WindowQuery, signal?: AbortSignal) => get<Traffic>(`/uplinks/${encodeURIComponent(name)}/traffic${qs(w)}`, signal);
export const sites = () => get<{ now: number; counts: Record<SiteState, number>; sites: Site[] }>('/sites');
export const site = (id: string) => get<Omit<Site, 'targets'> & { targets: SiteDetailTarget[] }>(`/sites/${encodeURIComponent(id)}`);
export const sitePing = (id: string, w: WindowQuery) => get<SitePing>(`/sites/${encodeURIComponent(id)}/ping${qs(w)}`);
export const siteOptical = (id: string, w: WindowQuery) => get<SiteOptical>(`/sites/${encodeURIComponent(id)}/optical${qs(w)}`);
export const interfaceTraffic = (target: string, ifIndex: string, w: WindowQuery) =>
  get<Traffic>(`/targets/${encodeURIComponent(target)}/interfaces/${encodeURIComponent(ifIndex)}/traffic${qs(w)}`);
export const servers = () => get<{ servers: Server[] }>('/servers');
export const problems = () => get<{ problems: Problem[] }>('/problems');

/** Alert history (newest first), only these events. */
export const alertHistory = (events: string[], limit: number) => get<{ events: AlertEvent[] }>(`/alerts/history?event=${events.join(',')}&limit=${limit}`);

/** A write to the alerts API: JSON body, JSON answer, the API's error message on failure. */
async function send<T>(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers: body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = (await res.json().catch(() => ({}))) as T & { error?: string };
  if (!res.ok) throw new Error(data.error ?? `HTTP ${res.status}`);
  lastOkAt = Date.now();
  return data;
}
const fp = (f: string) => `/alerts/${encodeURIComponent(f)}/ack`;
export const acknowledge = (fingerprint: string, by: string, comment: string) => send<unknown>('POST', fp(fingerprint), { by, comment });
export const unacknowledge = (fingerprint: string) => send<unknown>('DELETE', fp(fingerprint));
export const silence = (matchers: Record<string, string>, duration: string, createdBy: string, comment: string) =>
  send<{ silence: { id: string; endsAt: number } }>('POST', '/alerts/silences', { matchers, duration, created_by: createdBy, comment });
export const expireSilence = (id: string) => send<unknown>('DELETE', `/alerts/silences/${encodeURIComponent(id)}`);
