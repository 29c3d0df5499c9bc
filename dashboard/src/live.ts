/**
 * Live updates: the SSE feed at /api/v1/events tells the page when new samples arrive; "updated N s ago"
 * ticks every second; a stale warning shows when the daemon stops answering or measuring.
 */
import { clockOffset, lastOkAt } from './api.js';
import type { ResultEvent } from './api-contract.js';
import { $ } from './dom.js';
import { t } from './i18n.js';

/** No answer from the daemon for this long (ms) → stale; `?stale=<seconds>` overrides it (tests, impatient wall screens). */
const staleParam = Number(new URLSearchParams(location.search).get('stale'));
const STALE_MS = staleParam >= 1 && staleParam <= 3600 ? staleParam * 1000 : 45_000;
/** No new measurement for this long → stale (three default poll intervals). */
const STALE_PROBES_MS = 180_000;

let lastResultAt = 0;
let source: EventSource | null = null;
let connected = false;

export function noteResult(ts: number | null): void {
  if (ts && ts > lastResultAt) lastResultAt = ts;
}

export function startLive(onEvent: (e: ResultEvent) => void): void {
  const open = () => {
    source = new EventSource('/api/v1/events');
    source.addEventListener('open', () => (connected = true));
    source.addEventListener('error', () => (connected = false));
    source.addEventListener('result', (m) => {
      connected = true;
      const e = JSON.parse((m as MessageEvent<string>).data) as ResultEvent;
      noteResult(e.ts);
      onEvent(e);
    });
  };
  open();
  setInterval(tick, 1000);
  tick();
}

function tick(): void {
  const now = Date.now();
  const serverNow = now + clockOffset;
  const el = $('#updated');
  el.textContent = lastResultAt ? t('updated', { n: Math.max(0, Math.round((serverNow - lastResultAt) / 1000)) }) : t('updated_never');
  const banner = $('#stale');
  const silent = lastOkAt ? now - lastOkAt : 0;
  if (silent > STALE_MS || (!connected && silent > Math.min(STALE_MS, 10_000))) {
    banner.textContent = t('stale', { n: Math.round(silent / 1000) });
    banner.hidden = false;
  } else if (lastResultAt && serverNow - lastResultAt > STALE_PROBES_MS) {
    banner.textContent = t('stale_probes', { n: Math.round((serverNow - lastResultAt) / 1000) });
    banner.hidden = false;
  } else banner.hidden = true;
  document.body.classList.toggle('is-stale', !banner.hidden);
}
