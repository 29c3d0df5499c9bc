/**
 * "Who is using it now" on each uplink card: the top sites and applications of the last 5 minutes, per
 * direction, as shares of the uplink's capacity (GET /api/v1/flows/top). Hidden while the daemon collects
 * no flows (no `flows:` in the config: the API answers 404).
 */
import * as api from './api.js';
import type { Direction, FlowDimension, FlowTopResponse } from './api-contract.js';
import { h } from './dom.js';
import { pct } from './format.js';
import { onLangChange, t } from './i18n.js';

const WINDOW = '5m';
const SHOWN = 3;
/** After a failed ask (no `flows:` in the config: 404), the cards ask again only this much later. */
const RETRY_MS = 5 * 60e3;
let askAfter = 0;

function line(dir: Direction, by: FlowDimension, r: FlowTopResponse): HTMLElement {
  const items = r.rows.map((x) => h('span', { class: 'who-item', title: `${x.key}: ${pct(x.share_of_total)} ${t('who_of_flows')}` }, h('b', {}, x.key), ` ${pct(x.share_of_capacity)}`));
  return h('div', { class: 'who-line', 'data-dir': dir, 'data-by': by }, h('span', { class: 'who-label' }, `${t(dir)} · ${t(by === 'app' ? 'who_apps' : 'who_sites')}`), items.length ? items : h('span', { class: 'who-none' }, t('who_none')));
}

const ASKS: Array<[Direction, FlowDimension]> = [['in', 'site'], ['in', 'app'], ['out', 'site'], ['out', 'app']];
/** The last answers shown in each block, so a language change redraws without asking again. */
const shown = new Map<HTMLElement, FlowTopResponse[]>();

function draw(el: HTMLElement, answers: FlowTopResponse[]): void {
  el.replaceChildren(h('h4', {}, t('who_now')), ...ASKS.map(([d, by], i) => line(d, by, answers[i]!)));
}
onLangChange(() => {
  for (const [el, answers] of shown) {
    if (el.isConnected) draw(el, answers);
    else shown.delete(el);
  }
});

/** Fill (or hide) an uplink card's `.who` block. */
export async function renderWhoUses(el: HTMLElement, uplink: string): Promise<void> {
  if (Date.now() < askAfter) return;
  let answers: FlowTopResponse[];
  try {
    answers = await Promise.all(ASKS.map(([direction, by]) => api.flowTop({ uplink, direction, by, range: WINDOW, limit: SHOWN })));
  } catch {
    askAfter = Date.now() + RETRY_MS;
    el.hidden = true;
    return;
  }
  el.hidden = false;
  shown.set(el, answers);
  draw(el, answers);
}
