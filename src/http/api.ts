/** The JSON API behind the dashboard (documented in README.md, "HTTP API"). */
import { Router, type Request, type Response } from 'express';
import type { LoadedConfig } from '../config/model.js';
import type { LiveState } from '../live.js';
import type { RangeResult, SeriesInfo, Store } from '../store/types.js';
import { UPLINK_DIRECTIONS } from '../uplinks.js';
import { portSeries, rateRangeAcross, uplinkPortSeries } from '../domain/series.js';
import { BadRequest, noQuery, parseIfIndex, parseName, parseQuery, parseWindow, sitesQuery, type Window } from './params.js';
import { countStates, filterSites, siteDetail, siteOptical, sitePing, siteSummaries, type SiteSummary } from '../domain/sites.js';
import { servers } from '../domain/servers.js';
import { problems, type AlertSource } from '../domain/problems.js';
import { inventory } from '../domain/inventory.js';
import { portErrors } from '../domain/port-errors.js';
import { device } from '../domain/device.js';
import { fibres } from '../domain/fibres.js';
import { M } from '../domain/metrics.js';
import type { ReloadStatus } from '../self-metrics.js';
import type { Target } from '../types.js';
import type {
  ConfigReloadStatus,
  DeviceInventoryResponse,
  DeviceResponse,
  Direction,
  ErrorResponse,
  FibresResponse,
  InterfaceErrorsResponse,
  InterfaceTrafficResponse,
  OverviewResponse,
  ProblemsResponse,
  ServersResponse,
  SiteDetailResponse,
  SiteOpticalResponse,
  SitePingResponse,
  SitesResponse,
  TrafficDirection,
  UplinkNow,
  UplinkTrafficResponse,
} from './contract.js';
import type { StatusView } from '../status/index.js';
import { reportsRouter } from './reports.js';
import { microCache } from './micro-cache.js';
import { dailyForecasts } from '../reports/forecast.js';

export interface ApiContext {
  config: () => LoadedConfig;
  store: () => Store;
  live: LiveState;
  /** Target and site states (src/status/): what tiles, /sites, /problems and the overview counts say. */
  status: StatusView;
  version: string;
  /** The alert engine: with it, /problems lists its alerts (and threshold checks only for what no rule watches). */
  alerting?: AlertSource;
  /** Outcome of the last config (re)load, for the overview's `config_reload` (the dashboard's banner). */
  reloadStatus?: () => ReloadStatus;
}

/** At most this much of a reload error goes into the overview: enough for the first problems of a bad edit. */
const RELOAD_ERROR_MAX = 4000;

function configReload(s: ReloadStatus | undefined): ConfigReloadStatus | null {
  if (!s) return null;
  const error = s.successful || !s.lastError ? null : s.lastError.length > RELOAD_ERROR_MAX ? `${s.lastError.slice(0, RELOAD_ERROR_MAX)}…` : s.lastError;
  return { ok: s.successful, at: s.lastAttemptMs ?? s.lastSuccessMs, last_success_at: s.lastSuccessMs, trigger: s.trigger ?? null, error };
}

/** Rates scaled to bits/s and rounded to whole bits/s (more digits are noise and bytes on the wire). */
function scaled(r: RangeResult, k: number) {
  const f = (v: number) => Math.round(v * k);
  return { ts: r.ts, min: r.min.map(f), mean: r.mean.map(f), max: r.max.map(f) };
}

/**
 * In/out traffic of one interface over a window: bits/s min/mean/max per bucket, peak, 95th percentile,
 * volume; drawn across the port's series in time order (a changed ifAlias or ifName: src/domain/series.ts).
 */
function trafficDirection(store: Store, direction: Direction, series: readonly SeriesInfo[], w: Window, pollIntervalMs: number | null): TrafficDirection {
  if (series.length === 0) return { direction, series: null, stats: null };
  const ids = series.map((s) => s.id);
  const r = rateRangeAcross(store, ids, w.from, w.to, w.points);
  const p95 = store.percentileRate(ids, w.from, w.to, 95);
  let peak: number | null = null;
  for (const v of r.max) if (peak === null || v > peak) peak = v;
  return {
    direction,
    resolution: r.resolution,
    step_ms: r.stepMs,
    poll_interval_ms: pollIntervalMs,
    series: scaled(r, 8),
    stats: {
      peak_bps: peak === null ? null : peak * 8,
      p95_bps: p95 === null ? null : p95 * 8,
      volume_bytes: ids.reduce((sum, id) => sum + store.increase(id, w.from, w.to), 0),
    },
  };
}

/** The interval the target's interface counters are polled at (its SNMP probe), null without one. */
const snmpInterval = (t: Target | undefined): number | null => t?.probes.find((p) => p.kind === 'snmp')?.intervalMs ?? null;

const notFound = (res: Response, what: string) => void res.status(404).json({ error: what } satisfies ErrorResponse);

/**
 * How long one computation of the site summaries serves /overview and /sites. Building them walks the
 * optical samples of the live state (~5 ms of CPU on the reference network); wall screens and browsers
 * asking many times a second then cost one computation a second. A new decision of the status module
 * (its generation) invalidates them at once, so a tile never lags the alert that fired with it.
 */
const SUMMARIES_TTL_MS = 1000;

function summariesCache(ctx: ApiContext): () => SiteSummary[] {
  let kept: { at: number; config: LoadedConfig; generation: number; sites: SiteSummary[] } | undefined;
  return () => {
    const config = ctx.config();
    const now = Date.now();
    const generation = ctx.status.generation;
    if (kept && kept.config === config && kept.generation === generation && now - kept.at < SUMMARIES_TTL_MS && now >= kept.at) return kept.sites;
    kept = { at: now, config, generation, sites: siteSummaries(config, ctx.live, ctx.status, now) };
    return kept.sites;
  };
}

function uplinkTraffic(cfg: LoadedConfig, store: Store, u: LoadedConfig['uplinks'][number], w: Window): UplinkTrafficResponse {
  const t0 = performance.now();
  const poll = snmpInterval(inventory(cfg).byName.get(u.target));
  const traffic = ({ direction, metric }: (typeof UPLINK_DIRECTIONS)[number]) =>
    trafficDirection(store, direction, uplinkPortSeries(store, metric, u), w, poll);
  const [inbound, outbound] = [traffic(UPLINK_DIRECTIONS[0]), traffic(UPLINK_DIRECTIONS[1])];
  return {
    uplink: u.name,
    display_name: u.display_name ?? u.name,
    capacity_bps: u.capacity,
    from: w.from,
    to: w.to,
    capped: w.capped,
    points: w.points,
    query_ms: Math.round((performance.now() - t0) * 100) / 100,
    in: inbound,
    out: outbound,
  };
}

/** Undefined when the target has no such interface. */
function interfaceTraffic(store: Store, t: Target, ifIndex: string, w: Window): InterfaceTrafficResponse | undefined {
  const t0 = performance.now();
  // The port as it is now (its newest series), with its history under earlier names and descriptions.
  const i = portSeries(store, M.ifIn, t.name, ifIndex);
  const o = portSeries(store, M.ifOut, t.name, ifIndex);
  const current = i.at(-1) ?? o.at(-1);
  if (!current) return undefined;
  const labels = current.labels;
  return {
    target: t.name,
    if_index: ifIndex,
    if_name: labels.if_name ?? null,
    if_alias: labels.if_alias ?? null,
    from: w.from,
    to: w.to,
    capped: w.capped,
    in: trafficDirection(store, 'in', i, w, snmpInterval(t)),
    out: trafficDirection(store, 'out', o, w, snmpInterval(t)),
    query_ms: Math.round((performance.now() - t0) * 100) / 100,
  };
}

/**
 * The traffic answers by request URL, for a second (micro-cache.ts), kept as JSON text (serialising a
 * 2000-point answer costs as much as computing it); a reload starts afresh, so a renamed port is seen at once.
 */
function trafficMemo(ctx: ApiContext) {
  let config: LoadedConfig | undefined;
  let cache = microCache<string | undefined>();
  return (req: Request, compute: () => object | undefined): string | undefined => {
    if (config !== ctx.config()) [config, cache] = [ctx.config(), microCache()];
    return cache(req.originalUrl, () => {
      const body = compute();
      return body === undefined ? undefined : JSON.stringify(body);
    });
  };
}

export function apiRouter(ctx: ApiContext): Router {
  const api = Router();
  const summaries = summariesCache(ctx);
  const memo = trafficMemo(ctx);
  const forecastOf = dailyForecasts();

  api.get('/overview', (req, res) => {
    parseQuery(noQuery, req.query as Record<string, unknown>);
    const cfg = ctx.config();
    const uplinks = cfg.uplinks.map((u): UplinkNow => {
      const traffic = (direction: string) => ctx.live.find(M.uplinkBytesPerSecond, { uplink: u.name, direction })[0];
      const i = traffic('in');
      const o = traffic('out');
      const f = forecastOf(ctx.store(), u, Date.now(), cfg.server.timezone);
      return {
        name: u.name,
        display_name: u.display_name ?? u.name,
        target: u.target,
        interface: u.interface,
        capacity_bps: u.capacity,
        warn_utilization: u.warn_utilization,
        in_bps: i ? i.value * 8 : null,
        out_bps: o ? o.value * 8 : null,
        updated_at: Math.max(i?.ts ?? 0, o?.ts ?? 0) || null,
        forecast: { in: f.in, out: f.out },
      };
    });
    res.json({
      version: ctx.version,
      simulated: cfg.simulate.enabled,
      language: cfg.server.language,
      timezone: cfg.server.timezone,
      now: Date.now(),
      last_result_at: ctx.live.lastResultAt || null,
      uplinks,
      sites: countStates(summaries()),
      config_reload: configReload(ctx.reloadStatus?.()),
    } satisfies OverviewResponse);
  });

  api.get('/uplinks/:name/traffic', (req: Request<{ name: string }>, res) => {
    const cfg = ctx.config();
    const u = cfg.uplinks.find((x) => x.name === req.params.name);
    if (!u) return void res.status(404).json({ error: `no uplink named ${JSON.stringify(req.params.name).slice(0, 80)}; known: ${cfg.uplinks.map((x) => x.name).join(', ')}` } satisfies ErrorResponse);
    const w = parseWindow(req.query);
    res.type('json').send(memo(req, () => uplinkTraffic(cfg, ctx.store(), u, w)));
  });

  api.get('/sites', (req, res) => {
    const q = parseQuery(sitesQuery, req.query as Record<string, unknown>);
    const sites = filterSites(summaries(), q);
    res.json({ now: Date.now(), counts: countStates(sites), sites } satisfies SitesResponse);
  });

  api.get('/sites/:id', (req: Request<{ id: string }>, res) => {
    parseQuery(noQuery, req.query as Record<string, unknown>);
    const id = parseName('site id', req.params.id);
    const d = siteDetail(ctx.config(), ctx.live, ctx.status, ctx.store(), id);
    if (!d) return notFound(res, `no site with id ${id}`);
    res.json(d satisfies SiteDetailResponse);
  });

  api.get('/sites/:id/ping', (req: Request<{ id: string }>, res) => {
    const id = parseName('site id', req.params.id);
    const w = parseWindow(req.query);
    const d = sitePing(ctx.config(), ctx.store(), id, w);
    if (!d) return notFound(res, `no site with id ${id}`);
    res.json(d satisfies SitePingResponse);
  });

  api.get('/sites/:id/optical', (req: Request<{ id: string }>, res) => {
    const id = parseName('site id', req.params.id);
    const w = parseWindow(req.query);
    const d = siteOptical(ctx.config(), ctx.live, ctx.store(), id, w);
    if (!d) return notFound(res, `no site with id ${id}`);
    res.json(d satisfies SiteOpticalResponse);
  });

  api.get('/targets/:target/interfaces/:ifIndex/traffic', (req: Request<{ target: string; ifIndex: string }>, res) => {
    const name = parseName('target', req.params.target);
    const ifIndex = parseIfIndex(req.params.ifIndex);
    const w = parseWindow(req.query);
    const t = inventory(ctx.config()).byName.get(name);
    if (!t) return notFound(res, `no target named ${name}`);
    const body = memo(req, () => interfaceTraffic(ctx.store(), t, ifIndex, w));
    if (body === undefined) return notFound(res, `target ${name} has no interface with if_index ${ifIndex}`);
    res.type('json').send(body);
  });

  api.get('/targets/:target/interfaces/:ifIndex/errors', (req: Request<{ target: string; ifIndex: string }>, res) => {
    const name = parseName('target', req.params.target);
    const ifIndex = parseIfIndex(req.params.ifIndex);
    const w = parseWindow(req.query);
    if (!inventory(ctx.config()).byName.has(name)) return notFound(res, `no target named ${name}`);
    const d = portErrors(ctx.store(), name, ifIndex, w);
    if (!d) return notFound(res, `target ${name} has no interface with if_index ${ifIndex}`);
    res.json(d satisfies InterfaceErrorsResponse);
  });

  api.get('/targets/:target', (req: Request<{ target: string }>, res) => {
    parseQuery(noQuery, req.query as Record<string, unknown>);
    const name = parseName('target', req.params.target);
    const d = device(ctx.config(), ctx.live, ctx.status, ctx.store(), name);
    if (!d) return notFound(res, `no target named ${name}`);
    res.json(d satisfies DeviceResponse);
  });

  api.get('/targets/:target/inventory', (req: Request<{ target: string }>, res) => {
    parseQuery(noQuery, req.query as Record<string, unknown>);
    const name = parseName('target', req.params.target);
    if (!inventory(ctx.config()).byName.has(name)) return notFound(res, `no target named ${name}`);
    res.json({ target: name, inventory: ctx.live.inventory(name) ?? null } satisfies DeviceInventoryResponse);
  });

  api.get('/fibres', (req, res) => {
    parseQuery(noQuery, req.query as Record<string, unknown>);
    res.json(fibres(ctx.config(), ctx.live, ctx.store()) satisfies FibresResponse);
  });

  api.get('/servers', (req, res) => {
    parseQuery(noQuery, req.query as Record<string, unknown>);
    res.json({ now: Date.now(), servers: servers(ctx.config(), ctx.live, ctx.status) } satisfies ServersResponse);
  });

  api.get('/problems', (req, res) => {
    parseQuery(noQuery, req.query as Record<string, unknown>);
    res.json({ now: Date.now(), problems: problems(ctx.config(), ctx.live, ctx.status, Date.now(), ctx.alerting) } satisfies ProblemsResponse);
  });

  api.get('/events', (req, res: Response) => {
    parseQuery(noQuery, req.query as Record<string, unknown>);
    ctx.live.attach(res);
  });

  api.use('/reports', reportsRouter(ctx));

  api.use((_req, res) => void res.status(404).json({ error: 'no such API endpoint' } satisfies ErrorResponse));
  return api;
}

/** Map errors to JSON: a BadRequest is the client's fault (400), anything else ours (500, details logged, not sent). */
export function apiErrorHandler(log: (err: unknown) => void) {
  return (err: unknown, _req: Request, res: Response, _next: unknown) => {
    if (err instanceof BadRequest) return void res.status(400).json({ error: err.message } satisfies ErrorResponse);
    const status = (err as { status?: number }).status;
    // Capped: some (express's "Failed to decode param ...") quote the client's input back.
    if (status && status >= 400 && status < 500) return void res.status(status).json({ error: String((err as Error).message).slice(0, 200) } satisfies ErrorResponse);
    log(err);
    res.status(500).json({ error: 'internal error' } satisfies ErrorResponse);
  };
}
