/**
 * The fibres view (`?fibres=1`): every optical port of the network, smallest margin to its Rx alarm level
 * first, with its trend in dB per week (computed by the server over the stored 7 days), and the level
 * charts of the worst ports over the page's window with their thresholds. A slowly dying fibre shows up
 * here before it alarms, without opening every site.
 */
import * as api from './api.js';
import type { FibrePort, FibresResponse } from './api-contract.js';
import { opticalChart } from './charts.js';
import { $, h } from './dom.js';
import { dbm, fixed } from './format.js';
import { t } from './i18n.js';
import { hrefWith, writeUrl } from './url.js';
import type { ViewWindow } from './sites.js';

/** How many of the worst ports get a chart (each is one request for its site's optical history). */
const CHARTS = 4;

let isOpen = false;
let last: FibresResponse | null = null;
let windowOf: (widthPx: number) => ViewWindow;

const portName = (p: FibrePort) => `${p.target} ${p.labels.if_name ?? p.labels.if_index ?? ''}`;
const signed = (v: number) => `${v > 0 ? '+' : ''}${fixed(v, 2)}`;

function row(p: FibrePort): HTMLElement {
  const port = p.labels.if_index ? `${p.target}/${p.labels.if_index}` : null;
  const trend = p.trend_db_per_week === null ? t('fibre_trend_short', { days: fixed(p.trend_days, 1) }) : `${p.trend_db_per_week < 0 ? '▼ ' : ''}${signed(p.trend_db_per_week)} dB/${t('week')}`;
  return h(
    'tr',
    { class: `optical-${p.level ?? 'none'}`, 'data-port': port ?? portName(p), 'data-margin': p.margin_db ?? '' },
    h('td', {}, p.labels.site ? h('a', { href: hrefWith({ fibres: null, site: p.labels.site }) }, p.labels.site) : ''),
    h('td', {}, port ? h('a', { href: hrefWith({ fibres: null, port }) }, portName(p)) : portName(p)),
    h('td', { class: 'num' }, dbm(p.rx_dbm)),
    h('td', { class: 'num' }, p.alarm_dbm === null ? t('fibre_no_alarm') : `${dbm(p.alarm_dbm)} (${t(p.alarm_source === 'device' ? 'fibre_src_device' : 'fibre_src_rule')})`),
    h('td', { class: 'num fibre-margin' }, p.margin_db === null ? '–' : `${signed(p.margin_db)} dB`),
    h('td', { class: 'num fibre-trend', 'data-value': p.trend_db_per_week ?? '' }, trend),
    h('td', {}, p.level === 'alarm' ? `✖ ${t('optical_alarm')}` : p.level === 'warn' ? `▲ ${t('optical_warn')}` : p.level === 'ok' ? '✔' : '?'),
  );
}

async function charts(box: HTMLElement, ports: FibrePort[]): Promise<void> {
  const vw = windowOf(Math.max(300, box.clientWidth));
  const worst = ports.filter((p) => p.labels.site).slice(0, CHARTS);
  const sites = [...new Set(worst.map((p) => p.labels.site!))];
  const answers = new Map(await Promise.all(sites.map(async (s) => [s, await api.siteOptical(s, vw.query)] as const)));
  if (!isOpen) return;
  box.replaceChildren();
  for (const p of worst) {
    const a = answers.get(p.labels.site!)!;
    const hist = a.ports.find((x) => x.target === p.target && x.labels.if_index === p.labels.if_index);
    if (!hist) continue;
    const el = h('div', { class: 'chart optical', 'data-port': `${p.target}/${p.labels.if_index ?? ''}` });
    box.append(h('h4', {}, `${portName(p)} · ${vw.label}`), el);
    opticalChart(el, hist, a.from, a.to, p.alarm_source === 'rule' ? p.alarm_dbm : null);
  }
}

function render(d: FibresResponse): void {
  const chartBox = h('div', { class: 'fibre-charts' });
  $('#fibres-body').replaceChildren(
    h('h2', { id: 'fibres-title' }, t('fibres_title')),
    h('p', { class: 'muted' }, t('fibres_note', { n: d.ports.length, unknown: d.without_alarm_level })),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'ifaces fibres' },
        h('thead', {}, h('tr', {}, ...(['site', 'if_name', 'rx', 'fibre_alarm', 'fibre_margin', 'fibre_trend', 'status'] as const).map((k) => h('th', {}, t(k))))),
        h('tbody', {}, d.ports.map(row)),
      ),
    ),
    h('h3', {}, t('fibres_worst')),
    chartBox,
  );
  void charts(chartBox, d.ports).catch((e: Error) => chartBox.replaceChildren(h('p', { class: 'error' }, t('error', { msg: e.message }))));
}

export async function openFibres(push = true): Promise<void> {
  if (push) writeUrl({ fibres: '1', site: null, port: null, device: null });
  isOpen = true;
  const dlg = $<HTMLDialogElement>('#fibres-dialog');
  delete dlg.dataset.loaded;
  if (!dlg.open) dlg.showModal();
  $('#fibres-body').replaceChildren(h('p', {}, t('loading')));
  try {
    const d = await api.fibres();
    if (!isOpen) return;
    last = d;
    render(d);
    dlg.dataset.loaded = '1';
  } catch (e) {
    if (isOpen) $('#fibres-body').replaceChildren(h('p', { class: 'error' }, t('error', { msg: (e as Error).message })));
  }
}

export function initFibres(window: (widthPx: number) => ViewWindow): void {
  windowOf = window;
  const dlg = $<HTMLDialogElement>('#fibres-dialog');
  $('#fibres-link').addEventListener('click', (e) => {
    e.preventDefault();
    void openFibres();
  });
  $('#fibres-close').addEventListener('click', () => dlg.close());
  dlg.addEventListener('close', () => {
    const was = isOpen;
    isOpen = false;
    last = null;
    delete dlg.dataset.loaded;
    $('#fibres-body').replaceChildren();
    if (was) writeUrl({ fibres: null });
  });
}

export function relabelFibres(): void {
  if (isOpen && last) render(last);
}

export function closeFibres(): void {
  const dlg = $<HTMLDialogElement>('#fibres-dialog');
  if (dlg.open) dlg.close();
}

export const fibresOpen = (): boolean => isOpen;
