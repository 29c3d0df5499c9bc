/** The JSON API client (see docs/api.md). Every call records success so the page can tell when the daemon stops answering. */
import type {
  AckRequest,
  AlertAckResponse,
  AlertHistoryResponse,
  DeviceResponse,
  ErrorResponse,
  FibresResponse,
  FlowDimension,
  FlowTopResponse,
  InterfaceErrorsResponse,
  InterfaceTrafficResponse,
  OkResponse,
  OverviewResponse,
  ProblemsResponse,
  ServersResponse,
  SilenceCreatedResponse,
  SilenceRequest,
  SiteDetailResponse,
  SiteOpticalResponse,
  SitePingResponse,
  SitesQuery,
  SitesResponse,
  UplinkTrafficResponse,
} from './api-contract.js';

/** Client-side time of the last successful API answer. */
export let lastOkAt = 0;
/** Server clock minus client clock, from the last overview. */
export let clockOffset = 0;

async function get<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(`/api/v1${path}`, { signal, headers: { Accept: 'application/json' } });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as Partial<ErrorResponse>;
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

export async function overview(): Promise<OverviewResponse> {
  const o = await get<OverviewResponse>('/overview');
  clockOffset = o.now - Date.now();
  return o;
}
/** Top talkers of an uplink (404 when the daemon collects no flows). */
export const flowTop = (q: { uplink: string; direction: 'in' | 'out'; by: FlowDimension; range: string; limit: number }) =>
  get<FlowTopResponse>(`/flows/top?${new URLSearchParams(Object.entries(q).map(([k, v]) => [k, String(v)])).toString()}`);
export const uplinkTraffic = (name: string, w: WindowQuery, signal?: AbortSignal) => get<UplinkTrafficResponse>(`/uplinks/${encodeURIComponent(name)}/traffic${qs(w)}`, signal);
/** The sites, filtered and sorted by the server (docs/api.md). */
export function sites(q: SitesQuery = {}): Promise<SitesResponse> {
  const p = new URLSearchParams();
  if (q.q) p.set('q', q.q);
  if (q.group?.length) p.set('group', q.group.join(','));
  if (q.state?.length) p.set('state', q.state.join(','));
  if (q.sort) p.set('sort', q.sort);
  const s = p.toString();
  return get<SitesResponse>(`/sites${s ? `?${s}` : ''}`);
}
export const site = (id: string) => get<SiteDetailResponse>(`/sites/${encodeURIComponent(id)}`);
export const sitePing = (id: string, w: WindowQuery) => get<SitePingResponse>(`/sites/${encodeURIComponent(id)}/ping${qs(w)}`);
export const siteOptical = (id: string, w: WindowQuery) => get<SiteOpticalResponse>(`/sites/${encodeURIComponent(id)}/optical${qs(w)}`);
export const interfaceTraffic = (target: string, ifIndex: string, w: WindowQuery) =>
  get<InterfaceTrafficResponse>(`/targets/${encodeURIComponent(target)}/interfaces/${encodeURIComponent(ifIndex)}/traffic${qs(w)}`);
export const interfaceErrors = (target: string, ifIndex: string, w: WindowQuery) =>
  get<InterfaceErrorsResponse>(`/targets/${encodeURIComponent(target)}/interfaces/${encodeURIComponent(ifIndex)}/errors${qs(w)}`);
export const device = (target: string) => get<DeviceResponse>(`/targets/${encodeURIComponent(target)}`);
export const fibres = () => get<FibresResponse>('/fibres');
export const servers = () => get<ServersResponse>('/servers');
export const problems = () => get<ProblemsResponse>('/problems');

/** Alert history (newest first), only these events. */
export const alertHistory = (events: string[], limit: number) => get<AlertHistoryResponse>(`/alerts/history?event=${events.join(',')}&limit=${limit}`);

/** A write to the alerts API: JSON body, JSON answer, the API's error message on failure. */
async function send<T>(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers: body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = (await res.json().catch(() => ({}))) as T & Partial<ErrorResponse>;
  if (!res.ok) throw new Error(data.error ?? `HTTP ${res.status}`);
  lastOkAt = Date.now();
  return data;
}
const fp = (f: string) => `/alerts/${encodeURIComponent(f)}/ack`;
export const acknowledge = (fingerprint: string, by: string, comment: string) => send<AlertAckResponse>('POST', fp(fingerprint), { by, comment } satisfies AckRequest);
export const unacknowledge = (fingerprint: string) => send<AlertAckResponse>('DELETE', fp(fingerprint));
export const silence = (matchers: Record<string, string>, duration: string, createdBy: string, comment: string) =>
  send<SilenceCreatedResponse>('POST', '/alerts/silences', { matchers, duration, created_by: createdBy, comment } satisfies SilenceRequest);
export const expireSilence = (id: string) => send<OkResponse>('DELETE', `/alerts/silences/${encodeURIComponent(id)}`);
