/**
 * The date-range picker: two datetime-local inputs in the configured time zone (not the browser's: the
 * axes, the hover times and the reports all speak the network's zone), applied as a zoom (`from`/`to` in the URL).
 */
import { h } from './dom.js';
import { timeZone } from './format.js';
import { t } from './i18n.js';
import type { Zoom } from './url.js';

const partsIn = (ms: number, zone: string): Record<string, number> => {
  const f = new Intl.DateTimeFormat('en-GB', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  return Object.fromEntries(f.formatToParts(ms).filter((p) => p.type !== 'literal').map((p) => [p.type, Number(p.value)]));
};

/** `YYYY-MM-DDTHH:mm` of an instant in `zone` (what a datetime-local input holds). */
function toLocalInput(ms: number, zone = timeZone()): string {
  const p = partsIn(ms, zone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${two(p.month!)}-${two(p.day!)}T${two(p.hour!)}:${two(p.minute!)}`;
}

/** The instant a `YYYY-MM-DDTHH:mm` wall-clock time in `zone` names; null for an empty or malformed value. */
function fromLocalInput(v: string, zone = timeZone()): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(v);
  if (!m) return null;
  const wall = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!);
  // The zone's offset at that instant, found by formatting a guess and correcting by the difference (twice: a DST edge).
  let guess = wall;
  for (let i = 0; i < 2; i++) {
    const p = partsIn(guess, zone);
    const seen = Date.UTC(p.year!, p.month! - 1, p.day, p.hour, p.minute, p.second);
    guess += wall - seen;
  }
  return guess;
}

/** The form: shows `shown` (the window on screen), calls `apply` with a valid window (end after start, at least a minute). */
export function rangePicker(shown: Zoom, apply: (from: number, to: number) => void): HTMLElement {
  const input = (cls: string, v: number) => h('input', { type: 'datetime-local', class: cls, value: toLocalInput(v), step: 60, required: true });
  const fromEl = input('range-from', shown.from);
  const toEl = input('range-to', shown.to);
  const msg = h('span', { class: 'range-msg error', role: 'alert' });
  const form = h(
    'form',
    { class: 'range-picker' },
    h('label', {}, `${t('range_from')} `, fromEl),
    h('label', {}, `${t('range_to')} `, toEl),
    h('button', { type: 'submit' }, t('range_apply')),
    msg,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const from = fromLocalInput(fromEl.value);
    const to = fromLocalInput(toEl.value);
    if (from === null || to === null || to - from < 60e3) {
      msg.textContent = t('range_invalid');
      return;
    }
    msg.textContent = '';
    apply(from, to);
  });
  return form;
}
