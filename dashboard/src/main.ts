/** The dashboard: wiring of the panels, range selection, drag-to-zoom, language, kiosk mode, live refresh. */
import * as api from './api.js';
import type { OverviewResponse, TrafficResponse, UplinkNow } from './api-contract.js';
import { trafficChart, type TrafficChart } from './charts.js';
import { $, h } from './dom.js';
import { bps, bytes, dateTime, pct, setTimeContext, timeZone } from './format.js';
import { currentLang, onLangChange, setLang, t, type Lang } from './i18n.js';
import { noteResult, startLive } from './live.js';
import { renderReloadBanner } from './banner.js';
import { initProblems, refreshProblems, renderProblems } from './problems.js';
import { refreshServers, renderServers } from './servers.js';
import { forecastLine, initReports } from './reports.js';
import { closeSite, initSiteDialog, initSiteFilters, openSite, openSiteId, refreshSites, renderSites, siteQuery, syncSiteFilters, type ViewWindow } from './sites.js';
import { DEFAULT_RANGE, onUrlChange, param, RANGES, urlRange, urlZoom, writeUrl, type Range, type Zoom } from './url.js';
import { fitWall } from './wall.js';
import { renderWhoUses } from './flows.js';
import { closePort, initPortPage, openPort, openPortId } from './port.js';
import { rangePicker } from './range-picker.js';
import { closeFibres, fibresOpen, initFibres, openFibres, relabelFibres } from './fibres.js';
import { closeDevice, initDevicePage, openDevice, openDeviceId, relabelDevice } from './device.js';

const params = new URLSearchParams(location.search);
const kiosk = params.get('kiosk') === '1';

interface UplinkView {
  now: UplinkNow;
  chart: TrafficChart;
  el: HTMLElement;
  last: TrafficResponse | null;
}
const uplinks = new Map<string, UplinkView>();
let range: Range = urlRange();
let zoom: Zoom | null = urlZoom();
let overview: OverviewResponse | null = null;
let ready = false;

function chartHeight(): number {
  // On the wall the charts share the screen with every site tile: a band, not a panel.
  return kiosk ? Math.max(90, Math.round(window.innerHeight * 0.13)) : 240;
}

function utilBlock(u: UplinkNow): HTMLElement {
  const dir = (label: string, v: number | null) => {
    const r = v === null ? null : v / u.capacity_bps;
    const over = r !== null && r >= u.warn_utilization;
    return h(
      'div',
      { class: `util ${over ? 'over' : ''}`, 'data-dir': label },
      h('span', { class: 'util-label' }, t(label === 'in' ? 'in' : 'out')),
      h('span', { class: 'util-value' }, `${over ? '▲ ' : ''}${pct(r)}`),
      h('span', { class: 'util-bps' }, bps(v)),
      h('span', { class: 'bar', 'aria-hidden': 'true' }, h('span', { class: `bar-fill ${over ? 'over' : ''}`, style: `width:${r === null ? 0 : Math.min(100, r * 100).toFixed(1)}%` })),
    );
  };
  return h('div', { class: 'utils' }, dir('in', u.in_bps), dir('out', u.out_bps));
}

function statsTable(d: TrafficResponse | null): HTMLElement {
  const row = (key: 'in' | 'out') => {
    const s = d?.[key].stats;
    return h('tr', {}, h('th', { scope: 'row' }, t(key)), h('td', {}, bps(s?.peak_bps)), h('td', {}, bps(s?.p95_bps)), h('td', {}, bytes(s?.volume_bytes)));
  };
  return h(
    'table',
    { class: 'stats' },
    h('thead', {}, h('tr', {}, h('th', {}, ''), h('th', {}, t('peak')), h('th', {}, t('p95')), h('th', {}, t('volume')))),
    h('tbody', {}, row('in'), row('out')),
  );
}

function renderUplinkText(v: UplinkView): void {
  const u = v.now;
  v.el.querySelector('.uplink-title')!.textContent = `${u.display_name} · ${t('capacity')} ${bps(u.capacity_bps)}`;
  v.el.querySelector('.utils')!.replaceWith(utilBlock(u));
  v.el.querySelector('.stats')!.replaceWith(statsTable(v.last));
  v.el.querySelector('.forecast')!.replaceChildren(h('li', { class: 'forecast-title' }, t('report_forecast')), forecastLine('in', u.forecast.in), forecastLine('out', u.forecast.out));
}

function buildUplinks(o: OverviewResponse): void {
  const root = $('#uplinks-list');
  root.replaceChildren();
  uplinks.clear();
  for (const u of o.uplinks) {
    const chartEl = h('div', { class: 'chart', id: `uplink-${u.name}`, 'data-uplink': u.name });
    const el = h(
      'article',
      { class: 'uplink', 'data-uplink': u.name },
      h('h3', { class: 'uplink-title' }),
      h('div', { class: 'utils' }),
      h('div', { class: 'stats' }),
      h('ul', { class: 'forecast' }),
      h('div', { class: 'who', hidden: true }),
      chartEl,
    );
    root.append(el);
    const chart = trafficChart(chartEl, u.capacity_bps, u.warn_utilization, chartHeight(), kiosk ? undefined : (from, to) => zoomTo(from, to));
    const view = { now: u, chart, el, last: null };
    uplinks.set(u.name, view);
    renderUplinkText(view);
  }
}

const RANGE_MS: Record<string, number> = { '1h': 3600e3, '6h': 6 * 3600e3, '24h': 86400e3, '7d': 7 * 86400e3, '30d': 30 * 86400e3, '1y': 365 * 86400e3 };
const ROLLUPS = [300e3];

/**
 * The resolution that fits: about one bucket per two pixels, snapped to the store's 5-minute
 * rollups when that is close (a rollup answers a 24-hour query several times faster than raw samples).
 */
export function pointsFor(spanMs: number, widthPx: number): number {
  let p = Math.max(60, Math.min(2000, Math.round(widthPx / 2)));
  const step = spanMs / (p - 1);
  for (const res of ROLLUPS) {
    if (step < res && step >= res / 2.5) {
      p = Math.max(10, Math.floor(spanMs / res) + 1);
      break;
    }
  }
  return p;
}

function windowQuery(width?: number): api.WindowQuery {
  const first = [...uplinks.values()][0];
  const w = width ?? (first ? first.el.querySelector<HTMLElement>('.chart')!.clientWidth : 600);
  const span = zoom ? zoom.to - zoom.from : RANGE_MS[range]!;
  const points = pointsFor(span, w);
  return zoom ? { from: zoom.from, to: zoom.to, points } : { range, points };
}

/** The window the page shows, for the site dialog (which has its own width). */
function viewWindow(width: number): ViewWindow {
  return { query: windowQuery(width), label: zoom ? `${dateTime(zoom.from)} – ${dateTime(zoom.to)}` : range, range: zoom ? null : range };
}

let pickerFor = '';
/** The header's date-range picker shows the window on screen; redrawn only when that changes (not under the operator's typing). */
function showPicker(force = false): void {
  const key = zoom ? `${zoom.from}-${zoom.to}` : range;
  if (key === pickerFor && !force) return;
  pickerFor = key;
  const now = Date.now();
  $('#range-pick').replaceChildren(rangePicker(zoom ?? { from: now - RANGE_MS[range]!, to: now }, zoomTo));
}

function showZoom(): void {
  showPicker();
  $('#zoom-label').textContent = zoom ? t('zoomed', { from: dateTime(zoom.from), to: dateTime(zoom.to) }) : '';
  $('#reset-zoom').hidden = !zoom;
  for (const b of document.querySelectorAll<HTMLButtonElement>('#ranges button')) b.setAttribute('aria-pressed', String(!zoom && b.dataset.range === range));
}

let trafficAbort: AbortController | null = null;
async function refreshTraffic(): Promise<void> {
  trafficAbort?.abort();
  const ac = (trafficAbort = new AbortController());
  const w = windowQuery();
  const results = await Promise.all([...uplinks.keys()].map((n) => api.uplinkTraffic(n, w, ac.signal)));
  if (ac.signal.aborted) return;
  [...uplinks.values()].forEach((v, i) => {
    v.last = results[i]!;
    v.chart.set(v.last);
    renderUplinkText(v);
  });
  showZoom();
}

async function refreshOverview(): Promise<void> {
  const o = await api.overview();
  overview = o;
  noteResult(o.last_result_at);
  renderReloadBanner(o.config_reload);
  for (const u of o.uplinks) {
    const v = uplinks.get(u.name);
    if (v) {
      v.now = u;
      renderUplinkText(v);
      void renderWhoUses(v.el.querySelector<HTMLElement>('.who')!, u.name);
    }
  }
}

/** Show the view the URL describes (at start, and after back/forward). */
function applyWindow(): void {
  showZoom();
  void refreshTraffic().catch(showError);
  const site = openSiteId();
  if (site) void openSite(site, false);
  const port = openPortId();
  if (port) void openPort(port, false);
  if (fibresOpen()) void openFibres(false);
}

function zoomTo(from: number, to: number): void {
  if (to - from < 60e3) return;
  zoom = { from, to };
  writeUrl({ from: String(from), to: String(to) });
  applyWindow();
}

function setRange(r: Range): void {
  range = r;
  zoom = null;
  writeUrl({ range: r === DEFAULT_RANGE ? null : r, from: null, to: null });
  applyWindow();
}

onUrlChange(() => {
  range = urlRange();
  zoom = urlZoom();
  applyWindow();
  const site = param('site');
  if (site && !kiosk) {
    if (site !== openSiteId()) void openSite(site, false);
  } else closeSite();
  // A port page is `?port=` alone (with `site`, the port is the one the site dialog graphs).
  const port = site ? null : param('port');
  if (port && !kiosk) {
    if (port !== openPortId()) void openPort(port, false);
  } else closePort();
  const device = site || port ? null : param('device');
  if (device && !kiosk) {
    if (device !== openDeviceId()) void openDevice(device, false);
  } else closeDevice();
  if (!site && !port && !device && param('fibres') && !kiosk) {
    if (!fibresOpen()) void openFibres(false);
  } else closeFibres();
  if (!kiosk && syncSiteFilters()) void refreshSites().catch(showError);
});

function showError(e: unknown): void {
  if ((e as Error).name === 'AbortError') return;
  console.info('netmon: request failed:', (e as Error).message);
}

/** Run at most once per `ms`, trailing call kept. */
function throttle(fn: () => Promise<void>, ms: number): () => void {
  let last = 0;
  let timer: number | undefined;
  return () => {
    if (timer !== undefined) return;
    const wait = Math.max(0, last + ms - Date.now());
    timer = window.setTimeout(() => {
      timer = undefined;
      last = Date.now();
      fn().catch(showError);
    }, wait);
  };
}

const refreshUplinksSoon = throttle(async () => {
  await refreshOverview();
  if (!zoom) await refreshTraffic();
}, 5_000);
const refreshPanelsSoon = throttle(async () => {
  // An open site dialog keeps its snapshot; reopening it refreshes it.
  await Promise.all([refreshSites(), refreshServers()]);
}, 15_000);
// Alerts change state as results arrive: the problems panel follows them closely.
const refreshProblemsSoon = throttle(refreshProblems, 5_000);

function initControls(): void {
  const ranges = $('#ranges');
  for (const r of RANGES) ranges.append(h('button', { type: 'button', 'data-range': r, 'aria-pressed': String(r === range), onclick: () => setRange(r) }, r));
  $('#reset-zoom').addEventListener('click', () => setRange(range));
  if (!kiosk) initSiteFilters(() => void refreshSites().catch(showError));
  $('#lang').addEventListener('click', () => {
    const next: Lang = currentLang() === 'vi' ? 'en' : 'vi';
    try {
      localStorage.setItem('netmon.lang', next);
    } catch {
      /* private mode: the switch still works for this page */
    }
    applyLang(next);
  });
}

function applyLang(l: Lang): void {
  setTimeContext(overview?.timezone ?? timeZone(), l);
  setLang(l);
}

onLangChange(() => {
  $('#tz').textContent = t('timezone', { zone: timeZone() });
  for (const v of uplinks.values()) {
    v.chart.relabel();
    renderUplinkText(v);
  }
  renderSites();
  renderProblems();
  renderServers();
  renderReloadBanner();
  relabelDevice();
  relabelFibres();
  showPicker(true);
  showZoom();
});

function pickLang(o: OverviewResponse): Lang {
  const q = params.get('lang');
  if (q === 'vi' || q === 'en') return q;
  let saved: string | null = null;
  try {
    saved = localStorage.getItem('netmon.lang');
  } catch {
    /* ignore */
  }
  return saved === 'vi' || saved === 'en' ? saved : o.language;
}

async function main(): Promise<void> {
  if (kiosk) document.body.classList.add('kiosk');
  initSiteDialog({ window: viewWindow, setRange: (r) => setRange(r), ranges: RANGES });
  initDevicePage();
  initFibres(viewWindow);
  initPortPage({ window: viewWindow, setRange: (r) => setRange(r), zoomTo, ranges: RANGES, overview: () => overview });
  initProblems({ kiosk });
  initControls();
  // Everything that does not depend on the overview is requested at once, in parallel with it.
  if (!kiosk) syncSiteFilters();
  const early = Promise.all([api.sites(siteQuery()), api.problems(), api.servers()]);
  early.catch(() => undefined);
  const o = await api.overview();
  overview = o;
  noteResult(o.last_result_at);
  setTimeContext(o.timezone, pickLang(o));
  $('#simulated').hidden = !o.simulated;
  renderReloadBanner(o.config_reload);
  $('#version').textContent = `netmon ${o.version}`;
  applyLang(pickLang(o));
  if (!kiosk) initReports();
  buildUplinks(o);
  await Promise.all([
    refreshTraffic(),
    early.then(([s, p, v]) => {
      renderSites(s.sites);
      renderProblems(p.problems);
      renderServers(v.servers);
    }),
  ]);
  if (kiosk) window.addEventListener('resize', fitWall);
  // uPlot draws on the next frame: "ready" means the main view is on screen, complete.
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  ready = true;
  document.body.dataset.ready = '1';
  performance.mark('netmon-ready');
  startLive((e) => {
    if (e.uplinks.length) refreshUplinksSoon();
    refreshPanelsSoon();
    refreshProblemsSoon();
  });
  window.setInterval(() => void refreshOverview().catch(showError), 15_000);
  const site = params.get('site');
  if (site && !kiosk) void openSite(site, false);
  const port = params.get('port');
  if (port && !site && !kiosk) void openPort(port, false);
  const device = params.get('device');
  if (device && !site && !port && !kiosk) void openDevice(device, false);
  if (params.get('fibres') && !site && !port && !device && !kiosk) void openFibres(false);
}

main().catch((e) => {
  console.warn('netmon: dashboard failed to start:', (e as Error).message);
  const banner = document.getElementById('stale');
  if (banner) {
    banner.textContent = t('error', { msg: (e as Error).message });
    banner.hidden = false;
  }
});

export const isReady = () => ready;
