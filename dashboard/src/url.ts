/**
 * What the operator sees, in the page's URL: the range (`range`), a zoom (`from`, `to`, ms since the
 * epoch), the open site (`site`) and the site filters (`q`, `group`, `state`, `sort`). A change of view
 * is a history entry, so the URL can be shared and the back button steps back through views; typing in
 * the search box replaces the entry instead of adding one per key.
 */

export const RANGES = ['1h', '6h', '24h', '7d', '30d', '1y'] as const;
export type Range = (typeof RANGES)[number];
export const DEFAULT_RANGE: Range = '24h';

export interface Zoom {
  from: number;
  to: number;
}

const params = () => new URLSearchParams(location.search);

export const param = (k: string): string | null => params().get(k);

export function urlRange(): Range {
  const r = param('range');
  return (RANGES as readonly string[]).includes(r ?? '') ? (r as Range) : DEFAULT_RANGE;
}

/** A zoom from the URL: two whole numbers of ms, at least a minute apart; anything else is no zoom. */
export function urlZoom(): Zoom | null {
  const from = Number(param('from'));
  const to = Number(param('to'));
  return Number.isSafeInteger(from) && Number.isSafeInteger(to) && from > 0 && to - from >= 60e3 ? { from, to } : null;
}

/** Set (a string) or remove (null) parameters; `push` adds a history entry, `replace` rewrites the current one. */
export function writeUrl(patch: Record<string, string | null>, mode: 'push' | 'replace' = 'push'): void {
  const p = params();
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || v === '') p.delete(k);
    else p.set(k, v);
  }
  const qs = p.toString();
  const next = `${location.pathname}${qs ? `?${qs}` : ''}${location.hash}`;
  if (next === `${location.pathname}${location.search}${location.hash}`) return;
  if (mode === 'push') history.pushState(null, '', next);
  else history.replaceState(null, '', next);
}

/** A link to another view of this page: the current parameters (window, language) with `patch` applied. */
export function hrefWith(patch: Record<string, string | null>): string {
  const p = params();
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) p.delete(k);
    else p.set(k, v);
  }
  return `?${p.toString()}`;
}

/** Back and forward: the URL changed under the page. */
export function onUrlChange(fn: () => void): void {
  window.addEventListener('popstate', fn);
}
