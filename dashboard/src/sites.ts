/** Site tiles grouped by kind, and the detail dialog a tile opens (interfaces, optics, ping smoke, fibre traffic). */
import * as api from './api.js';
import type { InterfaceRow, SiteGroup, SiteSort, SiteState, SitesQuery, SiteSummary, SiteTarget } from './api-contract.js';
import { opticalChart, smokeChart, trafficChart } from './charts.js';
import { $, h } from './dom.js';
import { bps, dbm, fixed, ms, pct, time } from './format.js';
import { t, tk } from './i18n.js';
import { hrefWith, param, writeUrl, type Range } from './url.js';
import { fitWall } from './wall.js';

export const STATE_ICON: Record<SiteSummary['state'], string> = { up: '✔', degraded: '▲', down: '✖', unknown: '?' };
const GROUPS: SiteGroup[] = ['provincial', 'district', 'ward', 'datacentre'];
const STATES: SiteState[] = ['up', 'degraded', 'down', 'unknown'];
const SORTS: SiteSort[] = ['state', 'rtt', 'loss', 'name'];

let lastSites: SiteSummary[] = [];
/** What /sites is asked for: the server filters and orders (one implementation, docs/api.md); problems first by default. */
let filters: SitesQuery = { sort: 'state' };
export const siteQuery = (): SitesQuery => filters;

/** A comma-separated URL parameter, keeping only the allowed words. */
function listParam<T extends string>(k: string, allowed: readonly T[]): T[] {
  return (param(k) ?? '').split(',').filter((v): v is T => (allowed as readonly string[]).includes(v));
}

/** Read the filters from the URL (start, back/forward) into the form; true when they changed. */
export function syncSiteFilters(): boolean {
  const q = (param('q') ?? '').trim().slice(0, 100);
  const group = listParam('group', GROUPS);
  const state = listParam('state', STATES);
  const sort = listParam('sort', SORTS)[0] ?? 'state';
  const next: SitesQuery = { ...(q ? { q } : {}), ...(group.length ? { group } : {}), ...(state.length ? { state } : {}), sort };
  const changed = JSON.stringify(next) !== JSON.stringify(filters);
  filters = next;
  $<HTMLInputElement>('#site-q').value = q;
  const select = (sel: string, v: string) => {
    const el = $<HTMLSelectElement>(sel);
    el.value = v;
    if (el.value !== v) el.value = ''; // a list the menu has no entry for: the filter still applies
  };
  select('#site-group', group.join(','));
  select('#site-state', state.join(','));
  select('#site-sort', sort);
  return changed;
}

/** The search box and menus: each change is in the URL (typing replaces the entry, a menu adds one) and refetches. */
export function initSiteFilters(refresh: () => void): void {
  // The menus' entries: [value, label key]; labels follow the language (data-i18n).
  const menus: [string, [string, string][]][] = [
    ['#site-group', [['', 'filter_group_all'], ...GROUPS.map((g): [string, string] => [g, `group_${g}`])]],
    ['#site-state', [['', 'filter_state_all'], ['down,degraded', 'filter_state_problems'], ...(['down', 'degraded', 'unknown', 'up'] as const).map((s): [string, string] => [s, `state_${s}`])]],
    ['#site-sort', SORTS.map((s): [string, string] => [s, `sort_${s}`])],
  ];
  for (const [sel, entries] of menus) $(sel).replaceChildren(...entries.map(([value, key]) => h('option', { value, 'data-i18n': key }, tk(key))));
  const form = $<HTMLFormElement>('#site-filters');
  form.addEventListener('submit', (e) => e.preventDefault());
  const value = (sel: string) => $<HTMLInputElement | HTMLSelectElement>(sel).value.trim() || null;
  const apply = (mode: 'push' | 'replace') => {
    const sort = value('#site-sort');
    writeUrl({ q: value('#site-q'), group: value('#site-group'), state: value('#site-state'), sort: sort === 'state' ? null : sort }, mode);
    if (syncSiteFilters()) refresh();
  };
  let timer: number | undefined;
  $('#site-q').addEventListener('input', () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => apply('replace'), 200);
  });
  for (const sel of ['#site-group', '#site-state', '#site-sort']) $(sel).addEventListener('change', () => apply('push'));
}

/** What a tile says under the name: why, when there is no figure worth showing or the fix is a config change; else RTT and loss. */
function tileFigures(s: SiteSummary): string {
  if (s.state === 'unknown' || s.state === 'down') return tk(`reason_${s.reasons[0] ?? 'no_data'}`);
  // Rejected SNMP credentials: the site answers, it is misconfigured; the RTT would hide that.
  if (s.reasons.includes('snmp_auth')) return tk('reason_snmp_auth');
  return `${ms(s.rtt_ms)} · ${pct(s.loss_ratio)}`;
}

function tile(s: SiteSummary): HTMLElement {
  const figures = tileFigures(s);
  const title = [tk(`state_${s.state}`), ...s.reasons.map((r) => tk(`reason_${r}`)), s.optical && s.optical !== 'ok' ? t(s.optical === 'alarm' ? 'optical_alarm' : 'optical_warn') : ''].filter(Boolean).join(', ');
  return h(
    'button',
    { class: `tile state-${s.state}`, type: 'button', 'data-site': s.id, 'data-state': s.state, title: `${s.name}: ${title}`, 'aria-label': `${s.name}: ${title}`, onclick: () => void openSite(s.id) },
    h('span', { class: 'tile-icon', 'aria-hidden': 'true' }, STATE_ICON[s.state]),
    // The short name (the full one is the title, and the dialog's heading).
    h('span', { class: 'tile-name' }, s.short_name),
    h('span', { class: 'tile-figures' }, figures),
    s.optical === 'warn' || s.optical === 'alarm' ? h('span', { class: `tile-optical optical-${s.optical}`, title: t(s.optical === 'alarm' ? 'optical_alarm' : 'optical_warn') }, '◐') : null,
  );
}

export function renderSites(list: SiteSummary[] = lastSites): void {
  lastSites = list;
  const root = $('#sites-groups');
  root.replaceChildren(
    ...GROUPS.map((g) => {
      const members = list.filter((s) => s.group === g);
      if (members.length === 0) return null;
      const c = { up: 0, degraded: 0, down: 0, unknown: 0 };
      for (const s of members) c[s.state]++;
      // In the server's order: problems first unless the operator sorts otherwise, so a down site is never hidden at the end of a long group.
      const sorted = members;
      return h(
        'section',
        { class: 'site-group', 'data-group': g },
        h('h3', {}, `${tk(`group_${g}`)} (${members.length})`, h('span', { class: 'group-counts' }, t('site_count', c))),
        h('div', { class: 'tiles' }, sorted.map(tile)),
      );
    }).filter((x): x is HTMLElement => x !== null),
  );
  if (list.length === 0) root.append(h('p', { class: 'muted none' }, t('no_match')));
  const c = { up: 0, degraded: 0, down: 0, unknown: 0 };
  for (const s of list) c[s.state]++;
  $('#sites-summary').textContent = t('site_count', c);
  fitWall();
}

let asked = 0;
export async function refreshSites(): Promise<void> {
  const n = ++asked;
  const r = await api.sites(filters);
  if (n === asked) renderSites(r.sites); // a slower answer to an older filter never overwrites a newer one
}

/* ---------- detail dialog ---------- */

let openId: string | null = null;

/** The window the page shows (range or zoom), for the dialog's charts; `range` null while zoomed. */
export interface ViewWindow {
  query: api.WindowQuery;
  label: string;
  range: Range | null;
}
interface DialogOptions {
  window: (widthPx: number) => ViewWindow;
  setRange: (r: Range) => void;
  ranges: readonly Range[];
}
let dialogOpts: DialogOptions;

/** The dialog's range buttons: the page's range, so the dialog and the uplinks always show the same window. */
function rangeControl(current: Range | null): HTMLElement {
  return h(
    'div',
    { class: 'ranges site-ranges', role: 'group', 'aria-label': t('site_range') },
    dialogOpts.ranges.map((r) => h('button', { type: 'button', 'data-range': r, 'aria-pressed': String(r === current), onclick: () => dialogOpts.setRange(r) }, r)),
  );
}

function probeLine(tg: SiteTarget): HTMLElement {
  return h(
    'li',
    {},
    h('span', { class: `badge state-${tg.state}`, title: [tk(`state_${tg.state}`), ...tg.reasons.map((r) => tk(`reason_${r}`))].join(', ') }, STATE_ICON[tg.state]),
    ' ',
    h('strong', {}, tg.name),
    ` (${tg.role}, ${tg.address}) `,
    tg.probes.map((p) =>
      h('span', { class: `probe ${p.ok === false ? 'bad' : p.ok ? 'good' : ''}`, title: p.message ?? '' }, `${p.kind}: ${p.ok === null ? '?' : p.ok ? `✔ ${t('probe_ok')}` : `✖ ${t('probe_failed')} (${p.reason ?? ''})`} `),
    ),
  );
}

function thresholdsText(th: Record<string, number | null>, p: 'rx' | 'tx'): string {
  const f = (k: string) => {
    const v = th[`${p}_${k}_dbm`];
    return v == null ? '–' : fixed(v, 1);
  };
  return `${f('low_alarm')} / ${f('low_warn')} / ${f('high_warn')} / ${f('high_alarm')}`;
}

/** A port in the URL (`port=target/ifIndex`): the interface whose traffic the dialog graphs. */
const portId = (i: InterfaceRow) => `${i.target}/${i.if_index ?? ''}`;

function interfaceTable(tg: SiteTarget, choose: (i: InterfaceRow) => void): HTMLElement {
  return h(
    'table',
    { class: 'ifaces' },
    h('thead', {}, h('tr', {}, h('th', {}, t('if_name')), h('th', {}, t('if_alias')), h('th', {}, t('status')), h('th', { class: 'num' }, t('speed')), h('th', { class: 'num' }, t('in')), h('th', { class: 'num' }, t('out')), h('th', { class: 'num' }, t('rx')), h('th', { class: 'num' }, t('tx')))),
    h(
      'tbody',
      {},
      tg.interfaces.map((i) => {
        const st = i.admin_up === false ? ['admin', `– ${t('admin_down')}`] : i.oper_up ? ['up', `✔ ${t('oper_up')}`] : i.oper_up === false ? ['down', `✖ ${t('oper_down')}`] : ['unknown', '?'];
        const o = i.optical;
        // A row with an ifIndex graphs its port (click, or Enter on the focused row).
        const pick = i.if_index ? () => choose(i) : null;
        return h(
          'tr',
          {
            class: `if-${st[0]}${o ? ' fibre' : ''}${pick ? ' pickable' : ''}`,
            'data-port': portId(i),
            tabindex: pick ? 0 : null,
            title: pick ? t('show_port') : null,
            onclick: pick ?? undefined,
            onkeydown: pick ? (e: Event) => void ((e as KeyboardEvent).key === 'Enter' && pick()) : undefined,
          },
          h('td', {}, i.if_name ?? i.if_index ?? ''),
          h('td', {}, i.if_alias ?? ''),
          h('td', { class: `if-state state-${st[0]}` }, st[1]),
          h('td', { class: 'num' }, bps(i.speed_bps)),
          h('td', { class: 'num' }, bps(i.in_bps)),
          h('td', { class: 'num' }, bps(i.out_bps)),
          h('td', { class: `num optical-${o?.level ?? 'none'}` }, o ? dbm(o.rx_dbm) : ''),
          h('td', { class: 'num' }, o ? dbm(o.tx_dbm) : ''),
        );
      }),
    ),
  );
}

/** Open (or reload) a site's detail; `push` records it in the URL and history (not when the URL already says it). */
export async function openSite(id: string, push = true): Promise<void> {
  if (push) writeUrl({ site: id });
  openId = id;
  const dlg = $<HTMLDialogElement>('#site-dialog');
  const body = $('#site-body');
  body.replaceChildren(h('p', {}, t('loading')));
  if (!dlg.open) dlg.showModal();
  try {
    const d = await api.site(id);
    if (openId !== id) return;
    const vw = dialogOpts.window(Math.max(300, body.clientWidth));
    const w = vw.query;
    const [ping, optical] = await Promise.all([api.sitePing(id, w), api.siteOptical(id, w)]);
    if (openId !== id) return;
    const { from, to } = ping;
    const stateTxt = [tk(`state_${d.state}`), ...d.reasons.map((r) => tk(`reason_${r}`))].join(', ');
    const smokeBox = h('div', { class: 'chart smoke', id: 'site-smoke' });
    const opticsBox = h('div', { class: 'optics' });
    const trafficBox = h('div', { class: 'chart', id: 'site-traffic' });
    body.replaceChildren(
      h('h2', { id: 'site-title' }, h('span', { class: `badge state-${d.state}` }, `${STATE_ICON[d.state]} ${stateTxt}`), ' ', d.name),
      h('p', { class: 'muted' }, `${t('latency')}: ${ms(d.rtt_ms)} · ${t('loss')}: ${pct(d.loss_ratio, 1)} · ${time(d.updated_at)}`),
      h('div', { class: 'site-range-row' }, h('span', { class: 'muted' }, `${t('site_range')}: `), rangeControl(vw.range), vw.range ? null : h('span', { class: 'muted' }, vw.label)),
      h('h3', {}, t('targets')),
      h('ul', { class: 'probes' }, d.targets.map(probeLine)),
      h('h3', {}, t('optics')),
      opticsBox,
      h('h3', {}, `${t('smoke')} · ${vw.label}`),
      smokeBox,
      h('h3', {}, `${t('traffic')} · ${vw.label}`),
      trafficBox,
      h('h3', {}, t('interfaces')),
      // One block per device (the data centre has ten): its name heading the table, a link to its page.
      ...d.targets.filter((tg) => tg.interfaces.length).map((tg) =>
        h('section', { class: 'device-block', 'data-target': tg.name }, h('h4', {}, h('a', { href: hrefWith({ site: null, port: null, device: tg.name }), class: 'device-link' }, `${tg.name} (${tg.role}, ${tg.address})`)), h('div', { class: 'table-wrap' }, interfaceTable(tg, (i) => void showPort(i, true)))),
      ),
    );
    // Optics: current levels against thresholds, then the 24 h history.
    const ports = optical.ports;
    if (ports.length === 0) opticsBox.append(h('p', { class: 'muted' }, t('no_data')));
    for (const p of ports) {
      const box = h('div', { class: 'chart optical' });
      const now = d.targets.flatMap((tg) => tg.optics).find((o) => o.target === p.target && o.labels.if_index === p.labels.if_index);
      opticsBox.append(
        ...([h('p', { class: `optical-line optical-${p.level ?? 'none'}` }, `${p.target} ${p.labels.if_name ?? p.labels.if_index ?? ''}: ${t('rx')} ${dbm(now?.rx_dbm)} · ${t('tx')} ${dbm(now?.tx_dbm)} · ${p.level ? (p.level === 'ok' ? '✔' : p.level === 'warn' ? `▲ ${t('optical_warn')}` : `✖ ${t('optical_alarm')}`) : ''}`),
        p.thresholds ? h('p', { class: 'muted small' }, `${t('thresholds')}: ${t('rx')} ${thresholdsText(p.thresholds, 'rx')}; ${t('tx')} ${thresholdsText(p.thresholds, 'tx')}`) : null,
        box] as (HTMLElement | null)[]).filter((x): x is HTMLElement => x !== null),
      );
      if (p.ts.length) opticalChart(box, p, from, to);
    }
    const pt = ping.targets[0];
    if (pt && pt.ts.length) smokeChart(smokeBox, pt, from, to);
    else smokeBox.replaceWith(h('p', { class: 'muted' }, t('no_data')));
    // Traffic of the port the URL names, else the fibre port (the one with optics), else the busiest interface.
    const all = d.targets.flatMap((tg) => tg.interfaces).filter((i) => i.if_index);
    const asked = all.find((i) => portId(i) === param('port'));
    const port = asked ?? all.find((i) => i.optical) ?? [...all].sort((a, b) => (b.in_bps ?? 0) + (b.out_bps ?? 0) - (a.in_bps ?? 0) - (a.out_bps ?? 0))[0];
    const trafficLabel = h('p', { class: 'muted', id: 'site-traffic-port' });
    trafficBox.before(trafficLabel);
    let shown = 0;
    const showPort = async (i: InterfaceRow, push: boolean) => {
      const n = ++shown;
      if (push) writeUrl({ port: portId(i) });
      for (const row of body.querySelectorAll<HTMLElement>('tr[data-port]')) row.classList.toggle('selected', row.dataset.port === portId(i));
      const tr = await api.interfaceTraffic(i.target, i.if_index!, w);
      if (openId !== id || n !== shown) return;
      trafficLabel.replaceChildren(`${i.target} ${i.if_name ?? ''} ${i.if_alias ?? ''}`, h('a', { class: 'port-link', href: hrefWith({ site: null, device: null, port: portId(i) }) }, t('port_open')));
      const box = h('div', { class: 'chart', id: 'site-traffic', 'data-port': portId(i) });
      body.querySelector('#site-traffic')!.replaceWith(box);
      trafficChart(box, i.speed_bps || Math.max(1, tr.in.stats?.peak_bps ?? 1, tr.out.stats?.peak_bps ?? 1), null, 200, undefined, true).set(tr);
    };
    if (port) await showPort(port, false);
    else trafficBox.replaceWith(h('p', { class: 'muted' }, t('no_data')));
    if (openId !== id) return;
    dlg.dataset.loaded = id;
  } catch (e) {
    body.replaceChildren(h('p', { class: 'error' }, t('error', { msg: (e as Error).message })));
  }
}

export function initSiteDialog(opts: DialogOptions): void {
  dialogOpts = opts;
  const dlg = $<HTMLDialogElement>('#site-dialog');
  $('#site-close').addEventListener('click', () => dlg.close());
  dlg.addEventListener('close', () => {
    openId = null;
    delete dlg.dataset.loaded;
    $('#site-body').replaceChildren();
    writeUrl({ site: null, port: null }); // closed by hand (button, Esc): a new history entry; after "back" the URL already agrees
  });
}

export function closeSite(): void {
  const dlg = $<HTMLDialogElement>('#site-dialog');
  if (dlg.open) dlg.close();
}

export const openSiteId = (): string | null => openId;
