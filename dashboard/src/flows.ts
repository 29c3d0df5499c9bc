/**
 * "Who is using it now" on each uplink card: the top sites and applications of the last 5 minutes, per
 * direction, as shares of the uplink's capacity (GET /api/v1/flows/top). Hidden while the daemon collects
 * no flows (no `flows:` in the config: the API answers 404).
 */
import * as api from './api.js';
import type { Direction, FlowDimension, FlowTopResponse } from './api-contract.js';
import { h } from './dom.js';
import { pct } from './format.js';
import { t } from './i18n.js';

const WINDOW = '5m';
const SHOWN = 3;

function line(dir: Direction, by: FlowDimension, r: FlowTopResponse): HTMLElement {
  const items = r.rows.map((x) => h('span', { class: 'who-item', title: `${x.key}: ${pct(x.share_of_total)} ${t('who_of_flows')}` }, h('b', {}, x.key), ` ${pct(x.share_of_capacity)}`));
  return h('div', { class: 'who-line', 'data-dir': dir, 'data-by': by }, h('span', { class: 'who-label' }, `${t(dir)} · ${t(by === 'app' ? 'who_apps' : 'who_sites')}`), items.length ? items : h('span', { class: 'who-none' }, t('who_none')));
}

/** Fill (or hide) an uplink card's `.who` block. */
export async function renderWhoUses(el: HTMLElement, uplink: string): Promise<void> {
  const asks: Array<[Direction, FlowDimension]> = [['in', 'site'], ['in', 'app'], ['out', 'site'], ['out', 'app']];
  let answers: FlowTopResponse[];
  try {
    answers = await Promise.all(asks.map(([direction, by]) => api.flowTop({ uplink, direction, by, range: WINDOW, limit: SHOWN })));
  } catch {
    el.hidden = true;
    return;
  }
  el.hidden = false;
  el.replaceChildren(h('h4', {}, t('who_now')), ...asks.map(([d, by], i) => line(d, by, answers[i]!)));
}
