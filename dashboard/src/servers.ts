/** Data-centre servers: one card each with CPU, memory and disk bars and the load averages. */
import * as api from './api.js';
import type { ServerSummary } from './api-contract.js';
import { $, h } from './dom.js';
import { bytes, fixed, iec, pct } from './format.js';
import { t, tk } from './i18n.js';

let last: ServerSummary[] = [];

function bar(label: string, ratio: number | null, note = ''): HTMLElement {
  const level = ratio === null ? 'none' : ratio >= 0.9 ? 'alarm' : ratio >= 0.75 ? 'warn' : 'ok';
  return h(
    'div',
    { class: `bar-row level-${level}` },
    h('span', { class: 'bar-label' }, label),
    h('span', { class: 'bar', role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': ratio === null ? null : Math.round(ratio * 100), 'aria-label': label },
      h('span', { class: 'bar-fill', style: `width:${ratio === null ? 0 : Math.min(100, ratio * 100).toFixed(1)}%` })),
    h('span', { class: 'bar-value' }, `${pct(ratio)}${level === 'alarm' ? ' ▲' : ''}${note ? ` ${note}` : ''}`),
  );
}

export function renderServers(list: ServerSummary[] = last): void {
  last = list;
  $('#servers-list').replaceChildren(
    ...list.map((s) => {
      const state = s.ok === false ? 'down' : s.warnings.length ? 'degraded' : s.ok ? 'up' : 'unknown';
      const icon = { down: '✖', degraded: '▲', up: '✔', unknown: '?' }[state];
      return h(
        'article',
        { class: `server state-${state}`, 'data-target': s.target },
        h('h3', {}, h('span', { class: 'tile-icon', 'aria-hidden': 'true' }, icon), ` ${s.target}`, s.warnings.length ? h('span', { class: 'warnings' }, ` ${s.warnings.map((w) => tk(w === 'unreachable' ? 'unreachable' : w)).join(', ')}`) : null),
        s.description ? h('p', { class: 'muted small' }, s.description) : null,
        bar(t('cpu'), s.cpu_ratio),
        bar(t('memory'), s.memory_used_ratio, s.memory_total_bytes ? `/ ${iec(s.memory_total_bytes)}` : ''),
        ...s.disks.map((d) => bar(`${t('disk')} ${d.name}`, d.used_ratio, `/ ${bytes(d.size_bytes)}`)),
        h('p', { class: 'load' }, `${t('load')}: ${[s.load1, s.load5, s.load15].map((v) => (v === null ? '–' : fixed(v, 2))).join(' / ')}`),
      );
    }),
  );
}

export async function refreshServers(): Promise<void> {
  renderServers((await api.servers()).servers);
}
