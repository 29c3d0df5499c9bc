/**
 * `netmon report --month YYYY-MM [--lang vi|en] [--out FILE] [--url URL]`: the printable monthly report
 * as a PDF. It asks the running daemon for /api/v1/reports/monthly.html (the daemon owns the database:
 * a second writer on it could fold hours the daemon still holds open) and prints that page with Chromium.
 */
import { writeFileSync } from 'node:fs';
import { loadConfig } from '../config/loader.js';
import { htmlToPdf } from './pdf.js';

export interface ReportOptions {
  configFile: string;
  month: string;
  lang?: 'vi' | 'en';
  out: string;
  /** The daemon's base URL (default from server.listen_address/port); user:password@ in it becomes basic auth. */
  url?: string;
}

export async function reportCommand(o: ReportOptions): Promise<number> {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(o.month)) throw new Error('--month must be YYYY-MM');
  const config = loadConfig(o.configFile);
  const host = config.server.listen_address.includes(':') ? `[${config.server.listen_address}]` : config.server.listen_address;
  const base = new URL(o.url ?? `${config.web?.tls ? 'https' : 'http'}://${host === '0.0.0.0' ? '127.0.0.1' : host}:${config.server.port}/`);
  const headers: Record<string, string> = {};
  if (base.username) headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64')}`;
  base.username = '';
  base.password = '';
  const page = new URL('api/v1/reports/monthly.html', base.href.endsWith('/') ? base : `${base.href}/`);
  page.searchParams.set('month', o.month);
  page.searchParams.set('lang', o.lang ?? config.server.language);
  const res = await fetch(page, { headers });
  if (!res.ok) throw new Error(`${page.origin}${page.pathname} answered ${res.status}: ${(await res.text()).slice(0, 300)} (is the daemon running?)`);
  const t0 = performance.now();
  writeFileSync(o.out, await htmlToPdf(await res.text()));
  process.stdout.write(`wrote ${o.out} (${o.month}, ${Math.round(performance.now() - t0)} ms to print)\n`);
  return 0;
}
