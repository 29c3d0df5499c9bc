/** The HTTP server: /metrics for Prometheus, /api/v1 for the dashboard, the dashboard itself, health endpoints. */
import express, { type Express, type Request, type RequestHandler } from 'express';
import { join } from 'node:path';
import { DASHBOARD_DIR, ROOT } from '../paths.js';
import type { Exporter } from '../exporter.js';
import { alertsRouter, type AlertsApi } from './alerts.js';
import { apiErrorHandler, apiRouter, type ApiContext } from './api.js';
import { requestLimits } from './limits.js';
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

/**
 * A request a browser sent on behalf of another site (a form or fetch from a foreign page): refused by
 * /-/reload, which, like every POST a form can send, has no other protection without basic auth.
 */
function crossSite(req: Request): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return true;
  const origin = req.headers.origin;
  if (origin === undefined) return false; // not a browser (curl, scripts), or a same-origin GET
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true; // "null" (sandboxed frames, file://) or garbage
  }
}

export function createApp(ctx: AppContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    // Every asset is served locally (the province's network may not reach a CDN), so 'self' is all we need.
    res.setHeader('Content-Security-Policy', "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; frame-ancestors 'none'");
    next();
  });
  app.use(requestLimits());
  // Before auth on purpose: liveness checks (systemd, load balancers) need no password, and the answer
  // tells nothing an open port does not.
  app.get('/-/healthy', (_req, res) => void res.type('text/plain').send('netmon is healthy.\n'));
  if (ctx.auth) app.use(ctx.auth);

  const reload = ctx.reload;
  if (reload) {
    app.post('/-/reload', (req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      if (crossSite(req)) return void res.status(403).type('text/plain').send('cross-site requests may not reload the configuration\n');
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
