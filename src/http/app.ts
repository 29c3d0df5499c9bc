/** The HTTP server: /metrics for Prometheus, /api/v1 for the dashboard, the dashboard itself, health endpoints. */
import express, { type Express, type Router } from 'express';
import { join } from 'node:path';
import { DASHBOARD_DIR, ROOT } from '../paths.js';
import type { Exporter } from '../exporter.js';
import { apiErrorHandler, apiRouter, type ApiContext } from './api.js';

export interface AppContext extends ApiContext {
  exporter: Exporter;
  ready: () => boolean;
  log: (err: unknown) => void;
  /** Alerting API (src/alerts), mounted before the general API whose catch-all 404 would answer first. */
  alerts?: Router;
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
  app.get('/-/healthy', (_req, res) => void res.type('text/plain').send('netmon is healthy.\n'));
  app.get('/-/ready', (_req, res) => {
    if (ctx.ready()) res.type('text/plain').send('netmon is ready.\n');
    else res.status(503).type('text/plain').send('netmon is starting.\n');
  });

  if (ctx.alerts) app.use('/api/v1/alerts', ctx.alerts);
  app.use('/api/v1', apiRouter(ctx));
  app.use('/vendor/uplot', express.static(join(ROOT, 'node_modules', 'uplot', 'dist'), { index: false, maxAge: '1d' }));
  app.use(express.static(join(DASHBOARD_DIR, 'public'), { index: 'index.html' }));
  app.use('/js', express.static(join(DASHBOARD_DIR, 'dist'), { index: false }));
  app.use(apiErrorHandler(ctx.log));
  return app;
}
