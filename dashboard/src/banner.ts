/**
 * The config-reload banner: shown while the last configuration reload failed (`config_reload.ok` false in
 * /api/v1/overview), saying when and why; netmon keeps running the previous configuration meanwhile.
 */
import type { ConfigReloadStatus } from './api-contract.js';
import { h } from './dom.js';
import { dateTime } from './format.js';
import { t } from './i18n.js';

let last: ConfigReloadStatus | null | undefined = null;

/** Show, update or hide the banner; without an argument, redraw the last state (a language switch). */
export function renderReloadBanner(status?: ConfigReloadStatus | null): void {
  if (status !== undefined) last = status;
  let el = document.getElementById('config-reload');
  if (!last || last.ok) {
    if (el) el.hidden = true;
    return;
  }
  if (!el) {
    el = h('div', { id: 'config-reload', class: 'banner config-reload', role: 'alert' });
    // Below the simulated/stale banners, above the header.
    document.querySelector('header.top')?.before(el);
  }
  // The error is the daemon's text (file:line:col: field: message per line): shown as text, never as markup.
  el.replaceChildren(h('span', {}, t('config_reload_failed', { at: dateTime(last.at) })));
  if (last.error) el.append(h('pre', { class: 'config-reload-error' }, last.error));
  el.hidden = false;
}
