/**
 * The port page (`?port=target/ifIndex`): one interface of any target, graphed over the page's window
 * (range buttons, date-range picker, drag to zoom, all in the URL): traffic against the port speed or
 * the uplink's configured capacity with the 95th percentile lines, peak/95th/volume, and the error and
 * discard counters. A page of its own (a history entry), so it can be shared and "back" closes it.
 */
import * as api from './api.js';
import type { InterfaceErrorsResponse, InterfaceRow, InterfaceTrafficResponse, OverviewResponse, TrafficDirection } from './api-contract.js';
import { countersChart, trafficChart } from './charts.js';
import { $, h } from './dom.js';
import { bps, bytes } from './format.js';
import { t, tk } from './i18n.js';
import { rangePicker } from './range-picker.js';
import { hrefWith, writeUrl, type Range, type Zoom } from './url.js';
import type { ViewWindow } from './sites.js';

export interface PortPageOptions {
  window: (widthPx: number) => ViewWindow;
  setRange: (r: Range) => void;
  zoomTo: (from: number, to: number) => void;
  ranges: readonly Range[];
  overview: () => OverviewResponse | null;
}
let opts: PortPageOptions;
let openId: string | null = null;

/** `target/ifIndex` → its parts; null for anything else. */
function parsePortId(id: string): { target: string; ifIndex: string } | null {
  const m = /^(.+)\/([1-9]\d{0,9})$/.exec(id);
  return m ? { target: m[1]!, ifIndex: m[2]! } : null;
}

/** The port's row (name, alias, speed, state) from its site's detail; null when no site lists the target. */
async function portRow(target: string, ifIndex: string): Promise<InterfaceRow | null> {
  const { sites } = await api.sites();
  const site = sites.find((s) => s.targets.includes(target));
  if (!site) return null;
  const d = await api.site(site.id);
  return d.targets.find((tg) => tg.name === target)?.interfaces.find((i) => i.if_index === ifIndex) ?? null;
}

/** What the traffic is drawn against: the uplink's configured capacity when the port is an uplink, else the port speed. */
function capacityOf(target: string, row: InterfaceRow | null): { bps: number | null; configured: boolean } {
  const u = opts.overview()?.uplinks.find((x) => x.target === target && x.interface === row?.if_name);
  if (u) return { bps: u.capacity_bps, configured: true };
  return { bps: row?.speed_bps || null, configured: false };
}

function statsTable(tr: InterfaceTrafficResponse): HTMLElement {
  const row = (d: TrafficDirection) =>
    h(
      'tr',
      { 'data-dir': d.direction },
      h('th', { scope: 'row' }, t(d.direction)),
      h('td', { class: 'num', 'data-stat': 'peak', 'data-value': d.stats?.peak_bps ?? '' }, bps(d.stats?.peak_bps)),
      h('td', { class: 'num', 'data-stat': 'p95', 'data-value': d.stats?.p95_bps ?? '' }, bps(d.stats?.p95_bps)),
      h('td', { class: 'num', 'data-stat': 'volume', 'data-value': d.stats?.volume_bytes ?? '' }, bytes(d.stats?.volume_bytes)),
    );
  return h('table', { class: 'stats port-stats' }, h('thead', {}, h('tr', {}, h('th', {}, ''), h('th', {}, t('peak')), h('th', {}, t('p95')), h('th', {}, t('volume')))), h('tbody', {}, row(tr.in), row(tr.out)));
}

function countersTable(e: InterfaceErrorsResponse): HTMLElement {
  return h(
    'table',
    { class: 'stats port-counters' },
    h('thead', {}, h('tr', {}, h('th', {}, ''), h('th', { class: 'num' }, t('port_total')))),
    h(
      'tbody',
      {},
      e.counters.map((c) =>
        h('tr', { 'data-counter': c.counter }, h('th', { scope: 'row' }, tk(`c_${c.counter}`)), h('td', { class: 'num', 'data-value': c.total ?? '' }, c.total === null ? t('counter_unknown') : String(Math.round(c.total)))),
      ),
    ),
  );
}

/** Open (or redraw) the port page; `push` adds a history entry. */
export async function openPort(id: string, push = true): Promise<void> {
  if (push) writeUrl({ port: id, site: null });
  openId = id;
  const dlg = $<HTMLDialogElement>('#port-dialog');
  const body = $('#port-body');
  delete dlg.dataset.loaded;
  if (!dlg.open) dlg.showModal();
  const p = parsePortId(id);
  if (!p) {
    body.replaceChildren(h('p', { class: 'error' }, t('port_not_found', { id })));
    return;
  }
  body.replaceChildren(h('p', {}, t('loading')));
  try {
    const vw = opts.window(Math.max(300, body.clientWidth));
    const [row, tr, errs] = await Promise.all([portRow(p.target, p.ifIndex), api.interfaceTraffic(p.target, p.ifIndex, vw.query), api.interfaceErrors(p.target, p.ifIndex, vw.query)]);
    if (openId !== id) return;
    const cap = capacityOf(p.target, row);
    // The window asked, on the chart (a test asks the API the same and compares the figures).
    const trafficBox = h('div', { class: 'chart', id: 'port-traffic', 'data-port': id, 'data-from': tr.from, 'data-to': tr.to, 'data-asked-points': vw.query.points ?? '' });
    const errorsBox = h('div', { class: 'chart', id: 'port-errors' });
    const shown: Zoom = { from: tr.from, to: tr.to };
    const state = row ? (row.admin_up === false ? t('admin_down') : row.oper_up ? t('oper_up') : row.oper_up === false ? t('oper_down') : '?') : '';
    body.replaceChildren(
      h('h2', { id: 'port-title' }, `${t('port_page')}: ${p.target} ${tr.if_name ?? p.ifIndex}`),
      h('p', {}, h('a', { class: 'device-link', href: hrefWith({ port: null, device: p.target }) }, `${t('device')}: ${p.target}`)),
      h(
        'p',
        { class: 'muted' },
        [tr.if_alias, state, row?.speed_bps ? `${t('speed')} ${bps(row.speed_bps)}` : null, cap.configured ? `${t('capacity')} ${bps(cap.bps)}` : null].filter(Boolean).join(' · '),
      ),
      h(
        'div',
        { class: 'site-range-row' },
        h('span', { class: 'muted' }, `${t('site_range')}: `),
        h('div', { class: 'ranges', role: 'group', 'aria-label': t('site_range') }, opts.ranges.map((r) => h('button', { type: 'button', 'data-range': r, 'aria-pressed': String(r === vw.range), onclick: () => opts.setRange(r) }, r))),
        rangePicker(shown, (from, to) => opts.zoomTo(from, to)),
      ),
      h('h3', {}, `${t('traffic')} · ${vw.label}`),
      trafficBox,
      statsTable(tr),
      h('h3', {}, t('port_errors')),
      errorsBox,
      countersTable(errs),
    );
    // Without a speed or capacity the chart fits the data and says so in its legend (a capacity of 0 would flatten it).
    const capacity = cap.bps ?? Math.max(1, tr.in.stats?.peak_bps ?? 1, tr.out.stats?.peak_bps ?? 1);
    trafficChart(trafficBox, capacity, null, 260, (from, to) => opts.zoomTo(from, to), cap.bps === null).set(tr);
    if (errs.counters.some((c) => c.series)) countersChart(errorsBox, errs, 180);
    else errorsBox.replaceWith(h('p', { class: 'muted' }, t('counter_unknown')));
    dlg.dataset.loaded = id;
  } catch (e) {
    if (openId === id) body.replaceChildren(h('p', { class: 'error' }, t('error', { msg: (e as Error).message })));
  }
}

export function initPortPage(o: PortPageOptions): void {
  opts = o;
  const dlg = $<HTMLDialogElement>('#port-dialog');
  $('#port-close').addEventListener('click', () => dlg.close());
  dlg.addEventListener('close', () => {
    const was = openId;
    openId = null;
    delete dlg.dataset.loaded;
    $('#port-body').replaceChildren();
    if (was) writeUrl({ port: null }); // closed by hand: a history entry; after "back" the URL already agrees
  });
}

export function closePort(): void {
  const dlg = $<HTMLDialogElement>('#port-dialog');
  if (dlg.open) dlg.close();
}

export const openPortId = (): string | null => openId;
