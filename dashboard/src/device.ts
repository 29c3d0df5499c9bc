/**
 * The device page (`?device=NAME`): one target's interfaces (name, alias, speed, state, traffic and errors
 * now; each a link to its port page), its CPU and memory when a vendor profile polls them, and its ENTITY-MIB
 * inventory. A history entry of its own, so it can be shared and "back" closes it.
 */
import * as api from './api.js';
import type { DeviceInterface, DeviceResponse, PhysicalEntity } from './api-contract.js';
import { $, h } from './dom.js';
import { bps, iec, pct, pps } from './format.js';
import { t, tk } from './i18n.js';
import { STATE_ICON } from './sites.js';
import { hrefWith, writeUrl } from './url.js';

let openId: string | null = null;
let last: DeviceResponse | null = null;

function ifaceRow(i: DeviceInterface): HTMLElement {
  const st = i.admin_up === false ? ['admin', `– ${t('admin_down')}`] : i.oper_up ? ['up', `✔ ${t('oper_up')}`] : i.oper_up === false ? ['down', `✖ ${t('oper_down')}`] : ['unknown', '?'];
  const port = i.if_index ? `${i.target}/${i.if_index}` : null;
  const errors = i.in_errors_per_s === null && i.out_errors_per_s === null ? '–' : `${pps(i.in_errors_per_s)} / ${pps(i.out_errors_per_s)}`;
  return h(
    'tr',
    { class: `if-${st[0]}`, 'data-port': port ?? '' },
    h('td', {}, port ? h('a', { href: hrefWith({ device: null, site: null, port }), title: t('port_open') }, i.if_name ?? i.if_index ?? '') : (i.if_name ?? '')),
    h('td', {}, i.if_alias ?? ''),
    h('td', { class: 'num' }, bps(i.speed_bps)),
    h('td', { class: `if-state state-${st[0]}` }, st[1]),
    h('td', { class: 'num', 'data-value': i.in_bps ?? '' }, bps(i.in_bps)),
    h('td', { class: 'num', 'data-value': i.out_bps ?? '' }, bps(i.out_bps)),
    h('td', { class: 'num' }, errors),
  );
}

function resources(d: DeviceResponse): HTMLElement {
  const name = (l: Record<string, string>) => [l.entity_name || l.cpu || l.ent_physical_index, l.period].filter(Boolean).join(' · ');
  const items = [
    ...d.cpu.map((g) => h('li', { 'data-kind': 'cpu' }, `${t('cpu')} ${name(g.labels)}: ${pct(g.value, 1)}`)),
    ...d.memory_ratio.map((g) => h('li', { 'data-kind': 'memory' }, `${t('memory')} ${name(g.labels)}: ${pct(g.value, 1)}`)),
    ...d.memory_pools.map((p) => {
      const total = p.used_bytes !== null && p.free_bytes !== null ? p.used_bytes + p.free_bytes : null;
      return h('li', { 'data-kind': 'memory' }, `${t('memory')} ${p.pool}: ${iec(p.used_bytes)} / ${iec(total)}${total ? ` (${pct(p.used_bytes! / total, 1)})` : ''}`);
    }),
  ];
  return items.length ? h('ul', { class: 'device-resources' }, items) : h('p', { class: 'muted device-resources' }, t('device_no_resources'));
}

function inventoryBlock(d: DeviceResponse): HTMLElement[] {
  const inv = d.inventory;
  if (!inv) return [h('p', { class: 'muted' }, t('device_no_inventory'))];
  const cols: [keyof PhysicalEntity, string][] = [['class_name', t('entity_class')], ['name', t('entity_name')], ['descr', t('entity_descr')], ['model_name', t('entity_model')], ['serial_num', t('entity_serial')], ['software_rev', t('entity_software')]];
  return [
    h('p', { class: 'muted' }, `${inv.vendor}${inv.model ? ` ${inv.model}` : ''} · sysObjectID ${inv.sys_object_id}`),
    h(
      'div',
      { class: 'table-wrap' },
      h('table', { class: 'ifaces inventory' }, h('thead', {}, h('tr', {}, cols.map(([, label]) => h('th', {}, label)))), h('tbody', {}, inv.entities.map((e) => h('tr', {}, cols.map(([k]) => h('td', {}, String(e[k] ?? ''))))))),
    ),
  ];
}

function render(d: DeviceResponse): void {
  const stateTxt = [tk(`state_${d.state}`), ...d.reasons.map((r) => tk(`reason_${r}`))].join(', ');
  $('#device-body').replaceChildren(
    h('h2', { id: 'device-title' }, h('span', { class: `badge state-${d.state}` }, `${STATE_ICON[d.state]} ${stateTxt}`), ` ${t('device')}: ${d.target}`),
    h('p', { class: 'muted' }, `${d.role} · ${d.address} · `, h('a', { href: hrefWith({ device: null, site: d.site }) }, `${t('site')}: ${d.site}`)),
    h('h3', {}, t('device_resources')),
    resources(d),
    h('h3', {}, t('interfaces')),
    d.interfaces.length
      ? h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'ifaces device-ifaces' },
            h('thead', {}, h('tr', {}, h('th', {}, t('if_name')), h('th', {}, t('if_alias')), h('th', { class: 'num' }, t('speed')), h('th', {}, t('status')), h('th', { class: 'num' }, t('in')), h('th', { class: 'num' }, t('out')), h('th', { class: 'num' }, t('device_errors')))),
            h('tbody', {}, d.interfaces.map(ifaceRow)),
          ),
        )
      : h('p', { class: 'muted' }, t('no_data')),
    h('h3', {}, t('device_inventory')),
    ...inventoryBlock(d),
  );
}

/** Open (or reload) a device's page; `push` adds a history entry. */
export async function openDevice(name: string, push = true): Promise<void> {
  if (push) writeUrl({ device: name, site: null, port: null });
  openId = name;
  const dlg = $<HTMLDialogElement>('#device-dialog');
  delete dlg.dataset.loaded;
  if (!dlg.open) dlg.showModal();
  $('#device-body').replaceChildren(h('p', {}, t('loading')));
  try {
    const d = await api.device(name);
    if (openId !== name) return;
    last = d;
    render(d);
    dlg.dataset.loaded = name;
  } catch (e) {
    if (openId === name) $('#device-body').replaceChildren(h('p', { class: 'error' }, t('error', { msg: (e as Error).message })));
  }
}

export function initDevicePage(): void {
  const dlg = $<HTMLDialogElement>('#device-dialog');
  $('#device-close').addEventListener('click', () => dlg.close());
  dlg.addEventListener('close', () => {
    const was = openId;
    openId = null;
    last = null;
    delete dlg.dataset.loaded;
    $('#device-body').replaceChildren();
    if (was) writeUrl({ device: null });
  });
}

/** A language change: the open page in the new words, from the answer it has. */
export function relabelDevice(): void {
  if (last && openId) render(last);
}

export function closeDevice(): void {
  const dlg = $<HTMLDialogElement>('#device-dialog');
  if (dlg.open) dlg.close();
}

export const openDeviceId = (): string | null => openId;
