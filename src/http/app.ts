/** The HTTP server: /metrics for Prometheus, /api/v1 for the dashboard, the dashboard itself, health endpoints. */
import express, { type Express, type RequestHandler } from 'express';
import { join } from 'node:path';
import { DASHBOARD_DIR, ROOT } from '../paths.js';
import type { Exporter } from '../exporter.js';
import { alertsRouter, type AlertsApi } from './alerts.js';
import { apiErrorHandler, apiRouter, type ApiContext } from './api.js';
import { requestLimits } from './limits.js';
import { hostAllowlist, sameOriginWrites } from './guard.js';
import { SCRAPE_TURN_LIMITS, TURN_LIMITS, turns } from './turns.js';
import client from 'prom-client';
import { trapsRouter, type TrapsApi } from '../traps/http.js';
import { flowsRouter } from './flows.js';
import type { FlowsApi } from '../flows/collector.js';
import type { ReloadResponseText } from './contract.js';

export interface AppContext extends ApiContext {
  exporter: Exporter;
  ready: () => boolean;
  log: (err: unknown) => void;
  /** The alerting (src/alerts) behind /api/v1/alerts; absent: no such routes. */
  alerts?: AlertsApi;
  /** The trap log (src/traps) behind /api/v1/traps; absent (no `traps:` in the config): no such route. */
  traps?: TrapsApi;
  /** The flow collector (src/flows) behind /api/v1/flows; absent (no `flows:`): no such routes. */
  flows?: FlowsApi;
  /** Basic auth (web config); runs before every route except /-/healthy. */
  auth?: RequestHandler;
  /** `POST /-/reload`: reload the configuration as SIGHUP does. Absent: the endpoint answers 404. */
  reload?: () => { ok: boolean; message: string };
}

/** Requests answered 503 by the turn queues, by lane and reason (one counter per registry: apps may be rebuilt). */
function shedCounter(registry: client.Registry): client.Counter<'lane' | 'reason'> {
  const name = 'netmon_http_requests_shed_total';
  return (registry.getSingleMetric(name) as client.Counter<'lane' | 'reason'> | undefined) ??
    new client.Counter({ name, help: 'HTTP requests answered 503 instead of run, so that polling keeps its share of the event loop: by lane (scrape, general) and reason (queue_full, waited_too_long).', labelNames: ['lane', 'reason'], registers: [registry] });
}

export function createApp(ctx: AppContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    // Every asset is served locally (the province's network may not reach a CDN), so 'self' is all we need.
    res.setHeader('Content-Security-Policy', "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; frame-ancestors 'none'");
    // Over HTTPS only (a browser ignores it on plain HTTP); no includeSubDomains: the domain is not netmon's to decide.
    if (req.secure) res.setHeader('Strict-Transport-Security', 'max-age=31536000');
    next();
  });
  app.use(requestLimits());
  // Before auth on purpose: liveness checks (systemd, load balancers) need no password, and the answer
  // tells nothing an open port does not.
  app.get('/-/healthy', (_req, res) => void res.type('text/plain').send('netmon is healthy.\n'));
  // Every other request takes its turn, so HTTP load never starves polling (turns.ts). Scrapes have a lane
  // of their own: a dashboard or API flood must not make Prometheus see netmon as down.
  const shed = shedCounter(ctx.exporter.registry);
  const scrapeLane = turns(SCRAPE_TURN_LIMITS, (reason) => shed.inc({ lane: 'scrape', reason }));
  const generalLane = turns(TURN_LIMITS, (reason) => shed.inc({ lane: 'general', reason }));
  app.use((req, res, next) => (req.path === '/metrics' || req.path === '/-/ready' ? scrapeLane : generalLane)(req, res, next));
  app.use(hostAllowlist(() => [ctx.config().server.listen_address, ...(ctx.config().server.allowed_hosts ?? [])]));
  app.use(sameOriginWrites());
  if (ctx.auth) app.use(ctx.auth);

  const reload = ctx.reload;
  if (reload) {
    app.post('/-/reload', (_req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      const r = reload();
      // As Prometheus: 200 on success, 500 with the reason when the new configuration is rejected.
      res.status(r.ok ? 200 : 500).type('text/plain').send((r.message.endsWith('\n') ? r.message : `${r.message}\n`) satisfies ReloadResponseText);
    });
    app.all('/-/reload', (_req, res) => {
      res.setHeader('Allow', 'POST');
      res.status(405).type('text/plain').send('use POST to reload the configuration\n');
    });
  }

  app.get('/metrics', async (_req, res, next) => {
    try {
      const body = await ctx.exporter.render();
      res.setHeader('Content-Type', ctx.exporter.contentType);
      res.setHeader('Cache-Control', 'no-store');
      res.send(body);
    } catch (err) {
      next(err);
    }
  });
  app.get('/-/ready', (_req, res) => {
    if (ctx.ready()) res.type('text/plain').send('netmon is ready.\n');
    else res.status(503).type('text/plain').send('netmon is starting.\n');
  });

  // before the general API, whose catch-all 404 would answer first
  if (ctx.alerts) app.use('/api/v1/alerts', alertsRouter(ctx.alerts));
  if (ctx.traps) app.use('/api/v1/traps', trapsRouter(ctx.traps));
  if (ctx.flows) app.use('/api/v1/flows', flowsRouter(ctx.flows));
  app.use('/api/v1', apiRouter(ctx));
  app.use('/vendor/uplot', express.static(join(ROOT, 'node_modules', 'uplot', 'dist'), { index: false, maxAge: '1d' }));
  app.use(express.static(join(DASHBOARD_DIR, 'public'), { index: 'index.html' }));
  app.use('/js', express.static(join(DASHBOARD_DIR, 'dist'), { index: false }));
  app.use(apiErrorHandler(ctx.log));
  return app;
}
