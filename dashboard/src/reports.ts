/**
 * The reports page (issue 22): a dialog reached from the header's "Reports" link, or opened by the URL
 * (`?reports=YYYY-MM`): a month picker, availability per group and per site with each site's outages,
 * each uplink's 95th percentile, peak, mean, volume and weekday × hour heatmap, the capacity forecast,
 * and links to the same report as CSV, printable HTML and PDF (the API's /api/v1/reports/*).
 */
import type { AvailabilityReportResponse, Crossing, DirectionUsage, Forecast, UplinkReportResponse } from './api-contract.js';
import { $, h } from './dom.js';
import { bps, bytes, dateTime, pct } from './format.js';
import { currentLang, onLangChange, t, tk, type Key } from './i18n.js';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

let month = '';
let data: { a: AvailabilityReportResponse; u: UplinkReportResponse } | null = null;
let loading: AbortController | null = null;

/** The month before the current local one: the one a monthly report is usually about. */
function lastMonth(): string {
  const d = new Date();
  d.setDate(1);
  d.setMonth(d.getMonth() - 1);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}

async function getJson<T>(path: string, signal: AbortSignal): Promise<T> {
  const res = await fetch(`/api/v1/reports/${path}`, { signal, headers: { Accept: 'application/json' } });
  const body = (await res.json()) as T & { error?: string };
  if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
  return body;
}

const minutes = (ms: number) => String(Math.round(ms / 60_000));
const hoursText = (ms: number) => (ms / 3_600_000).toFixed(1);

function links(m: string): HTMLElement {
  const lang = currentLang();
  const a = (href: string, key: Key) => h('a', { href, download: href.includes('format=csv') || href.includes('.pdf') ? '' : null, target: href.includes('.html') ? '_blank' : null }, t(key));
  return h(
    'p',
    { class: 'report-links' },
    a(`/api/v1/reports/availability?month=${m}&format=csv`, 'report_csv_sites'), ' · ',
    a(`/api/v1/reports/availability?month=${m}&format=csv&table=outages`, 'report_csv_outages'), ' · ',
    a(`/api/v1/reports/uplinks?month=${m}&format=csv`, 'report_csv_uplinks'), ' · ',
    a(`/api/v1/reports/monthly.html?month=${m}&lang=${lang}`, 'report_html'), ' · ',
    a(`/api/v1/reports/monthly.pdf?month=${m}&lang=${lang}`, 'report_pdf'),
  );
}

function availability(r: AvailabilityReportResponse): HTMLElement[] {
  const groups = h(
    'table',
    { class: 'report-groups' },
    h('thead', {}, h('tr', {}, ...(['report_group', 'report_count', 'report_availability', 'report_down', 'report_unknown', 'report_maintenance'] as const).map((k) => h('th', {}, t(k))))),
    h('tbody', {}, r.groups.map((g) => h('tr', {}, h('td', {}, tk(`group_${g.group}`)), h('td', {}, g.sites), h('td', {}, pct(g.availability, 3)), h('td', {}, minutes(g.down_ms)), h('td', {}, minutes(g.unknown_ms)), h('td', {}, hoursText(g.maintenance_ms))))),
  );
  const outageList = (s: AvailabilityReportResponse['sites'][number]) => {
    if (!s.outages.length) return '';
    const shown = s.outages.slice(0, 20);
    return h(
      'details',
      {},
      h('summary', {}, String(s.outages.length)),
      h(
        'table',
        { class: 'report-outages' },
        h('thead', {}, h('tr', {}, ...(['report_start', 'report_end', 'report_minutes', 'report_causes'] as const).map((k) => h('th', {}, t(k))))),
        h('tbody', {}, shown.map((o) => h('tr', {}, h('td', {}, dateTime(o.start)), h('td', {}, dateTime(o.end)), h('td', {}, minutes(o.duration_ms)), h('td', {}, o.causes.map((c) => tk(`reason_${c}`)).join(', '))))),
      ),
      s.outages.length > shown.length ? h('p', { class: 'muted' }, t('report_more', { n: s.outages.length - shown.length })) : null,
    );
  };
  // Worst first: the sites a report reader asks about.
  const sites = [...r.sites].sort((a, b) => (a.availability ?? -1) - (b.availability ?? -1) || a.name.localeCompare(b.name));
  const siteTable = h(
    'table',
    { class: 'report-sites' },
    h('thead', {}, h('tr', {}, ...(['report_site', 'report_group', 'report_availability', 'report_down', 'report_unknown', 'report_outages'] as const).map((k) => h('th', {}, t(k))))),
    h('tbody', {}, sites.map((s) => h('tr', { 'data-site': s.site }, h('td', {}, s.name), h('td', {}, tk(`group_${s.group}`)), h('td', {}, pct(s.availability, 3)), h('td', {}, minutes(s.down_ms)), h('td', {}, minutes(s.unknown_ms)), h('td', {}, outageList(s))))),
  );
  return [
    h('p', { class: 'report-overall' }, t('report_overall', { pct: pct(r.overall.availability, 3), n: r.overall.sites })),
    h('h3', {}, t('report_groups')), groups,
    h('h3', {}, t('report_sites')), siteTable,
  ];
}

function heatmap(d: DirectionUsage): HTMLElement {
  const hours = Array.from({ length: 24 }, (_, i) => i);
  return h(
    'table',
    { class: 'report-heat', 'data-dir': d.direction },
    h('caption', {}, t('report_heatmap', { dir: t(d.direction) })),
    h('thead', {}, h('tr', {}, h('th', {}, ''), hours.map((x) => h('th', {}, x)))),
    h('tbody', {}, d.heatmap.map((row, wd) => h('tr', {}, h('th', {}, t(`wd_${wd}` as Key)), row.map((u) => {
      // Colour by utilisation: pale at idle, deep red at full; empty cells stay blank.
      const style = u === null ? null : `background:hsl(${Math.round(120 - 120 * Math.min(1, u))},70%,${Math.round(88 - 40 * Math.min(1, u))}%)`;
      return h('td', { style, title: u === null ? null : pct(u, 1) }, '');
    })))),
  );
}

function crossingText(what: Key, c: Crossing): string {
  if (c.already) return `${t(what)}: ${t('report_forecast_already')}`;
  if (!c.expected) return `${t(what)}: ${t('report_forecast_none')}`;
  return t('report_forecast_cross', { what: t(what), date: c.expected, from: c.earliest ?? '–', to: c.latest ?? '–' });
}

/** One direction's forecast as a list item (the reports page and the uplink cards). */
export function forecastLine(dir: 'in' | 'out', f: Forecast): HTMLElement {
  const text = f.slope_per_day === null ? t('report_forecast_few', { n: f.days }) : `${crossingText('report_forecast_warn', f.warn)}; ${crossingText('report_forecast_full', f.full)}`;
  return h('li', { 'data-dir': dir }, h('b', {}, `${t(dir)}: `), text);
}

function uplinks(r: UplinkReportResponse): HTMLElement[] {
  return r.uplinks.flatMap((u) => {
    const row = (d: DirectionUsage) =>
      h('tr', {}, h('th', { scope: 'row' }, t(d.direction)), h('td', {}, bps(d.p95_bps)), h('td', {}, pct(d.p95_utilization, 1)), h('td', {}, bps(d.peak_bps)), h('td', {}, bps(d.mean_bps)), h('td', {}, bytes(d.volume_bytes)), h('td', {}, d.hours_above_warn.toFixed(1)));
    const f = r.forecasts.find((x) => x.uplink === u.uplink);
    return [
      h(
        'article',
        { class: 'report-uplink', 'data-uplink': u.uplink },
        h('h4', {}, `${u.display_name} · ${t('capacity')} ${bps(u.capacity_bps)}`),
        h(
          'table',
          { class: 'report-usage' },
          h('thead', {}, h('tr', {}, h('th', {}, t('report_direction')), h('th', {}, t('p95')), h('th', {}, t('report_p95_util')), h('th', {}, t('peak')), h('th', {}, t('report_mean')), h('th', {}, t('volume')), h('th', {}, t('report_above_warn')))),
          h('tbody', {}, row(u.in), row(u.out)),
        ),
        h('div', { class: 'report-heats' }, heatmap(u.in), heatmap(u.out)),
        f ? h('div', { class: 'report-forecast' }, h('h5', {}, t('report_forecast')), h('ul', {}, forecastLine('in', f.in), forecastLine('out', f.out))) : null,
      ),
    ];
  });
}

function render(): void {
  const body = $('#reports-body');
  if (!data) return;
  body.replaceChildren(links(month), ...availability(data.a), h('h3', {}, t('report_uplinks')), ...uplinks(data.u));
}

async function load(m: string): Promise<void> {
  month = m;
  loading?.abort();
  const ctl = (loading = new AbortController());
  const body = $('#reports-body');
  body.replaceChildren(h('p', { class: 'muted' }, t('report_loading')));
  body.dataset.month = '';
  try {
    const [a, u] = await Promise.all([getJson<AvailabilityReportResponse>(`availability?month=${m}`, ctl.signal), getJson<UplinkReportResponse>(`uplinks?month=${m}`, ctl.signal)]);
    if (ctl.signal.aborted) return;
    data = { a, u };
    render();
    body.dataset.month = m;
  } catch (e) {
    if (ctl.signal.aborted) return;
    body.replaceChildren(h('p', { class: 'error' }, t('error', { msg: (e as Error).message })));
  }
}

function setUrl(m: string | null): void {
  const u = new URL(location.href);
  if (m) u.searchParams.set('reports', m);
  else u.searchParams.delete('reports');
  history.replaceState(history.state, '', u);
}

function open(m: string): void {
  const dlg = $<HTMLDialogElement>('#reports-dialog');
  const picker = $<HTMLInputElement>('#reports-month');
  picker.value = m;
  if (!dlg.open) dlg.showModal();
  setUrl(m);
  void load(m);
}

/** Wire the header link, the month picker and the URL; opens at once when the URL asks for a month. */
export function initReports(): void {
  const dlg = $<HTMLDialogElement>('#reports-dialog');
  $('#reports-link').addEventListener('click', (e) => {
    e.preventDefault();
    open(month || lastMonth());
  });
  $<HTMLInputElement>('#reports-month').addEventListener('change', (e) => {
    const v = (e.target as HTMLInputElement).value;
    if (MONTH.test(v)) open(v);
  });
  $('#reports-close').addEventListener('click', () => dlg.close());
  dlg.addEventListener('close', () => setUrl(null));
  onLangChange(() => {
    if (dlg.open) render();
  });
  const asked = new URLSearchParams(location.search).get('reports');
  if (asked && MONTH.test(asked)) open(asked);
}
