/** Site tiles grouped by kind, and the detail dialog a tile opens (interfaces, optics, ping smoke, fibre traffic). */
import * as api from './api.js';
import type { SiteSummary, SiteTarget } from './api-contract.js';
import { opticalChart, smokeChart, trafficChart } from './charts.js';
import { $, h } from './dom.js';
import { bps, dbm, ms, pct, time } from './format.js';
import { t, tk } from './i18n.js';

export const STATE_ICON: Record<SiteSummary['state'], string> = { up: '✔', degraded: '▲', down: '✖', unknown: '?' };
const GROUPS: SiteSummary['group'][] = ['provincial', 'district', 'ward', 'datacentre'];

let lastSites: SiteSummary[] = [];

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
    h('span', { class: 'tile-name' }, s.name),
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
      // Problems first, so a down site is never hidden at the end of a long group.
      const order = { down: 0, degraded: 1, unknown: 2, up: 3 };
      const sorted = [...members].sort((a, b) => order[a.state] - order[b.state] || a.name.localeCompare(b.name, 'vi'));
      return h(
        'section',
        { class: 'site-group', 'data-group': g },
        h('h3', {}, `${tk(`group_${g}`)} (${members.length})`, h('span', { class: 'group-counts' }, t('site_count', c))),
        h('div', { class: 'tiles' }, sorted.map(tile)),
      );
    }).filter((x): x is HTMLElement => x !== null),
  );
  const c = { up: 0, degraded: 0, down: 0, unknown: 0 };
  for (const s of list) c[s.state]++;
  $('#sites-summary').textContent = t('site_count', c);
}

export async function refreshSites(): Promise<void> {
  const r = await api.sites();
  renderSites(r.sites);
}

/* ---------- detail dialog ---------- */

let openId: string | null = null;

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
  const f = (k: string) => (th[`${p}_${k}_dbm`] == null ? '–' : th[`${p}_${k}_dbm`]!.toFixed(1));
  return `${f('low_alarm')} / ${f('low_warn')} / ${f('high_warn')} / ${f('high_alarm')}`;
}

function interfaceTable(tg: SiteTarget): HTMLElement {
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
        return h(
          'tr',
          { class: `if-${st[0]}${o ? ' fibre' : ''}` },
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

export async function openSite(id: string): Promise<void> {
  openId = id;
  const dlg = $<HTMLDialogElement>('#site-dialog');
  const body = $('#site-body');
  body.replaceChildren(h('p', {}, t('loading')));
  if (!dlg.open) dlg.showModal();
  try {
    const d = await api.site(id);
    if (openId !== id) return;
    const w = { range: '24h', points: 300 };
    const [ping, optical] = await Promise.all([api.sitePing(id, w), api.siteOptical(id, w)]);
    const to = Date.now();
    const from = to - 86400e3;
    const stateTxt = [tk(`state_${d.state}`), ...d.reasons.map((r) => tk(`reason_${r}`))].join(', ');
    const smokeBox = h('div', { class: 'chart smoke', id: 'site-smoke' });
    const opticsBox = h('div', { class: 'optics' });
    const trafficBox = h('div', { class: 'chart', id: 'site-traffic' });
    body.replaceChildren(
      h('h2', { id: 'site-title' }, h('span', { class: `badge state-${d.state}` }, `${STATE_ICON[d.state]} ${stateTxt}`), ' ', d.name),
      h('p', { class: 'muted' }, `${t('latency')}: ${ms(d.rtt_ms)} · ${t('loss')}: ${pct(d.loss_ratio, 1)} · ${time(d.updated_at)}`),
      h('h3', {}, t('targets')),
      h('ul', { class: 'probes' }, d.targets.map(probeLine)),
      h('h3', {}, t('optics')),
      opticsBox,
      h('h3', {}, `${t('smoke')} · 24h`),
      smokeBox,
      h('h3', {}, `${t('traffic')} · 24h`),
      trafficBox,
      h('h3', {}, t('interfaces')),
      ...d.targets.filter((tg) => tg.interfaces.length).map((tg) => h('div', { class: 'table-wrap' }, interfaceTable(tg))),
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
    // Traffic of the fibre port (the one with optics), else the busiest interface.
    const all = d.targets.flatMap((tg) => tg.interfaces);
    const port = all.find((i) => i.optical) ?? [...all].sort((a, b) => (b.in_bps ?? 0) + (b.out_bps ?? 0) - (a.in_bps ?? 0) - (a.out_bps ?? 0))[0];
    if (port?.if_index) {
      const tr = await api.interfaceTraffic(port.target, port.if_index, w);
      if (openId !== id) return;
      trafficBox.before(h('p', { class: 'muted' }, `${port.target} ${port.if_name ?? ''} ${port.if_alias ?? ''}`));
      trafficChart(trafficBox, port.speed_bps || Math.max(1, tr.in.stats?.peak_bps ?? 1, tr.out.stats?.peak_bps ?? 1), null, 200, undefined, true).set(tr);
    } else trafficBox.replaceWith(h('p', { class: 'muted' }, t('no_data')));
    dlg.dataset.loaded = id;
  } catch (e) {
    body.replaceChildren(h('p', { class: 'error' }, t('error', { msg: (e as Error).message })));
  }
}

export function initSiteDialog(): void {
  const dlg = $<HTMLDialogElement>('#site-dialog');
  $('#site-close').addEventListener('click', () => dlg.close());
  dlg.addEventListener('close', () => {
    openId = null;
    delete dlg.dataset.loaded;
    $('#site-body').replaceChildren();
  });
}
