/**
 * /api/v1/reports/*: the availability (SLA) and uplink usage reports of src/reports, as JSON (the
 * contract's AvailabilityReportResponse / UplinkReportResponse) or CSV (`format=csv`).
 * Mounted by api.ts; its own file so the report endpoints do not crowd the dashboard's.
 */
import { Router, type Response } from 'express';
import { z } from 'zod';
import type { ApiContext } from './api.js';
import { BadRequest, parseQuery } from './params.js';
import { availabilityInput, availabilityReport } from '../reports/availability.js';
import { uplinkReport } from '../reports/uplinks.js';
import { uplinkForecast } from '../reports/forecast.js';
import { monthRange, zonedParts } from '../reports/tz.js';
import { toCsv, type Cell } from '../reports/csv.js';
import { monthlyHtml } from '../reports/monthly-html.js';
import { CHROMIUM, htmlToPdf } from '../reports/pdf.js';
import { existsSync } from 'node:fs';
import type { AvailabilityReportResponse, Durations, Shares, UplinkReportResponse } from './contract.js';

/** Longest range a report reads: a year and a day (a leap year's months all fit). */
const MAX_RANGE_MS = 366 * 86_400_000;

const epochMs = z.coerce.number().int('an integer of milliseconds since the Unix epoch').min(0).max(8.64e15);
const reportQuery = z.strictObject({
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected YYYY-MM').optional(),
  from: epochMs.optional(),
  to: epochMs.optional(),
  format: z.enum(['json', 'csv']).default('json'),
});
const monthlyQuery = z.strictObject({
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected YYYY-MM'),
  lang: z.enum(['vi', 'en']).optional(),
});
const availabilityQuery = reportQuery.extend({ table: z.enum(['sites', 'groups', 'outages']).default('sites') });

/** `month` (local calendar month) or `from`/`to`; neither: the current local month so far. */
function reportRange(q: { month?: string | undefined; from?: number | undefined; to?: number | undefined }, tz: string, now: number): { from: number; to: number } {
  if (q.month && (q.from !== undefined || q.to !== undefined)) throw new BadRequest('give either month or from/to, not both');
  if (q.month) return monthRange(q.month, tz);
  if (q.from === undefined && q.to === undefined) {
    const p = zonedParts(now, tz);
    return { from: monthRange(`${p.year}-${String(p.month).padStart(2, '0')}`, tz).from, to: now };
  }
  if (q.from === undefined) throw new BadRequest('from is required with to');
  const to = q.to ?? now;
  if (!(q.from < to)) throw new BadRequest('from must be before to');
  if (to - q.from > MAX_RANGE_MS) throw new BadRequest('a report covers at most 366 days');
  return { from: q.from, to };
}

const r = (v: number | null, digits = 6): number | null => (v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits);
const hours = (ms: number) => r(ms / 3_600_000, 4);
const iso = (ms: number) => new Date(ms).toISOString();

function sendCsv(res: Response, name: string, header: string[], rows: Cell[][]): void {
  res.type('text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${name}.csv"`);
  res.send(toCsv(header, rows));
}

function availabilityCsv(res: Response, rep: AvailabilityReportResponse, table: 'sites' | 'groups' | 'outages', label: string): void {
  const shares = ['scheduled_hours', 'up_ratio', 'degraded_ratio', 'down_ratio', 'unknown_ratio', 'availability', 'maintenance_hours'];
  const shareCells = (x: Durations & Shares): Cell[] =>
    [hours(x.scheduled_ms), r(x.up), r(x.degraded), r(x.down), r(x.unknown), r(x.availability), hours(x.maintenance_ms)];
  if (table === 'outages') {
    const rows = rep.sites.flatMap((s) => s.outages.map((o): Cell[] => [s.site, s.name, s.group, iso(o.start), iso(o.end), r(o.duration_ms / 60_000, 2), o.causes.join(' ')]));
    return sendCsv(res, `availability-outages-${label}`, ['site', 'name', 'group', 'start_utc', 'end_utc', 'duration_minutes', 'causes'], rows);
  }
  if (table === 'groups') {
    const rows = [...rep.groups.map((g): Cell[] => [g.group, g.sites, ...shareCells(g)]), ['overall', rep.overall.sites, ...shareCells(rep.overall)]];
    return sendCsv(res, `availability-groups-${label}`, ['group', 'sites', ...shares], rows);
  }
  const rows = rep.sites.map((s): Cell[] => [s.site, s.name, s.group, ...shareCells(s), s.outages.length, r(s.down_ms / 60_000, 2)]);
  sendCsv(res, `availability-sites-${label}`, ['site', 'name', 'group', ...shares, 'outages', 'down_minutes'], rows);
}

function uplinksCsv(res: Response, rep: UplinkReportResponse, label: string): void {
  const periods = [{ period: 'range', uplinks: rep.uplinks }, ...rep.months.map((m) => ({ period: m.month, uplinks: m.uplinks }))];
  const rows = periods.flatMap((p) =>
    p.uplinks.flatMap((u) =>
      [u.in, u.out].map((d): Cell[] => [
        p.period, u.uplink, u.display_name, d.direction, u.capacity_bps, r(d.p95_bps, 0), r(d.p95_utilization), r(d.peak_bps, 0), r(d.mean_bps, 0), d.volume_bytes, r(d.hours_above_warn, 4), d.samples, d.resolution,
      ]),
    ),
  );
  sendCsv(res, `uplinks-${label}`, ['period', 'uplink', 'display_name', 'direction', 'capacity_bps', 'p95_bps', 'p95_utilization', 'peak_bps', 'mean_bps', 'volume_bytes', 'hours_above_warn', 'samples_5m', 'resolution'], rows);
}

/** How the PDF endpoint prints (tests swap the browser). */
export interface PdfPrinter {
  /** Chromium's executable: missing, the endpoint answers 503 saying so. */
  executable: string;
  print: (html: string, executable: string) => Promise<Buffer>;
}

export function reportsRouter(ctx: Pick<ApiContext, 'config' | 'store'>, now: () => number = Date.now, printer: PdfPrinter = { executable: CHROMIUM, print: htmlToPdf }): Router {
  const api = Router();
  // One Chromium at a time: a render takes ~1 s of CPU and ~150 MB; a second request waits for none of it.
  let printing = false;

  const monthlyPage = (q: z.infer<typeof monthlyQuery>): string => {
    const cfg = ctx.config();
    const t = now();
    const { from, to } = monthRange(q.month, cfg.server.timezone);
    const store = ctx.store();
    const availability = availabilityReport(store, availabilityInput(cfg), from, to, t);
    const uplinks = { ...uplinkReport(store, cfg, from, Math.min(to, t)), forecasts: cfg.uplinks.map((u) => uplinkForecast(store, u, Math.min(to, t), cfg.server.timezone)) };
    const centre = cfg.sites.find((s) => s.group === 'datacentre')?.name ?? 'netmon';
    return monthlyHtml({ month: q.month, lang: q.lang ?? cfg.server.language, centre, availability, uplinks });
  };

  api.get('/availability', (req, res) => {
    const q = parseQuery(availabilityQuery, req.query as Record<string, unknown>);
    const cfg = ctx.config();
    const t = now();
    const { from, to } = reportRange(q, cfg.server.timezone, t);
    const rep = availabilityReport(ctx.store(), availabilityInput(cfg), from, to, t) satisfies AvailabilityReportResponse;
    if (q.format === 'csv') return availabilityCsv(res, rep, q.table, q.month ?? `${from}-${to}`);
    res.json(rep);
  });

  api.get('/uplinks', (req, res) => {
    const q = parseQuery(reportQuery, req.query as Record<string, unknown>);
    const cfg = ctx.config();
    const t = now();
    const { from, to } = reportRange(q, cfg.server.timezone, t);
    const store = ctx.store();
    const rep: UplinkReportResponse = {
      ...uplinkReport(store, cfg, from, Math.min(to, t)),
      forecasts: cfg.uplinks.map((u) => uplinkForecast(store, u, t, cfg.server.timezone)),
    };
    if (q.format === 'csv') return uplinksCsv(res, rep, q.month ?? `${from}-${to}`);
    res.json(rep);
  });

  api.get('/monthly.html', (req, res) => {
    const q = parseQuery(monthlyQuery, req.query as Record<string, unknown>);
    res.type('text/html; charset=utf-8').send(monthlyPage(q));
  });

  api.get('/monthly.pdf', async (req, res) => {
    const q = parseQuery(monthlyQuery, req.query as Record<string, unknown>);
    if (!existsSync(printer.executable)) {
      res.status(503).json({ error: `the PDF is printed by headless Chromium, not found at ${printer.executable}: install the Debian package "chromium" (or set NETMON_CHROMIUM); /api/v1/reports/monthly.html is the same report as a page` });
      return;
    }
    if (printing) {
      res.setHeader('Retry-After', '5');
      res.status(429).json({ error: 'another monthly report is being printed; try again in a few seconds' });
      return;
    }
    printing = true;
    try {
      const pdf = await printer.print(monthlyPage(q), printer.executable);
      res.type('application/pdf');
      res.setHeader('Content-Disposition', `attachment; filename="report-${q.month}.pdf"`);
      res.send(pdf);
    } catch (err) {
      res.status(503).json({ error: `Chromium could not print the report: ${(err as Error).message.split('\n')[0]}` });
    } finally {
      printing = false;
    }
  });

  return api;
}
