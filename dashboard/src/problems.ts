/** "Problems now": one line per problem, critical first; severity shown by icon and text, not colour alone. */
import * as api from './api.js';
import type { Problem } from './api.js';
import { $, h } from './dom.js';
import { dbm, pct, time } from './format.js';
import { t, tk } from './i18n.js';
import { openSite } from './sites.js';

let last: Problem[] = [];

function message(p: Problem): string {
  const site = p.site_name ?? p.site ?? '';
  switch (p.kind) {
    case 'uplink_saturated':
      return t('p_uplink_saturated', { subject: p.detail[1] ?? p.subject, dir: tk(p.detail[0] ?? ''), value: pct(p.value), threshold: pct(p.threshold) });
    case 'optical_low':
    case 'optical_high':
      return t(p.kind === 'optical_low' ? 'p_optical_low' : 'p_optical_high', { subject: p.subject, detail: tk(p.detail[0] ?? ''), value: dbm(p.value), threshold: dbm(p.threshold), site });
    case 'site_degraded':
      return t('p_site_degraded', { site, detail: p.detail.map((r) => tk(`reason_${r}`)).join(', ') });
    case 'server':
      return t('p_server', { subject: p.subject, detail: p.detail.map((w) => tk(w)).join(', ') });
    default:
      return tk(`p_${p.kind}`, { site, subject: p.subject, detail: p.detail.join(' ') });
  }
}

export function renderProblems(list: Problem[] = last): void {
  last = list;
  const root = $('#problems-list');
  $('#problems-count').textContent = String(list.length);
  $('#problems').dataset.count = String(list.length);
  if (list.length === 0) {
    root.replaceChildren(h('li', { class: 'none' }, `✔ ${t('no_problems')}`));
    return;
  }
  root.replaceChildren(
    ...list.map((p) =>
      h(
        'li',
        { class: `problem sev-${p.severity}`, 'data-kind': p.kind },
        h('span', { class: 'sev' }, p.severity === 'critical' ? `✖ ${t('critical')}` : `▲ ${t('warning')}`),
        p.site ? h('button', { type: 'button', class: 'link', onclick: () => void openSite(p.site!) }, message(p)) : h('span', {}, message(p)),
        h('span', { class: 'when muted' }, time(p.ts)),
      ),
    ),
  );
}

export async function refreshProblems(): Promise<void> {
  renderProblems((await api.problems()).problems);
}

