/**
 * The wall screen (`?kiosk=1`) cannot be scrolled: every site tile must be on it at once, each name whole.
 * The tiles' size follows one CSS variable (`--wall-font`, px, on #sites-groups); this finds the largest
 * size at which the tiles fit the space the layout leaves them and no tile name is cut, by bisection (a
 * handful of layouts of ~120 tiles: a few ms). It runs after every render of the tiles and on resize.
 */

const MIN_PX = 7;
const MAX_PX = 24;

function fits(section: HTMLElement, groups: HTMLElement): boolean {
  const doc = document.documentElement;
  if (doc.scrollHeight > window.innerHeight || doc.scrollWidth > window.innerWidth) return false;
  const pad = parseFloat(getComputedStyle(section).paddingBottom) || 0;
  if (groups.getBoundingClientRect().bottom > section.getBoundingClientRect().bottom - pad + 0.5) return false;
  for (const el of groups.querySelectorAll<HTMLElement>('.tile-name, .tile-figures')) if (el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight + 1) return false;
  return true;
}

export function fitWall(): void {
  if (!document.body.classList.contains('kiosk')) return;
  const section = document.getElementById('sites');
  const groups = document.getElementById('sites-groups');
  if (!section || !groups || !groups.querySelector('.tile')) return;
  const set = (px: number) => groups.style.setProperty('--wall-font', `${px}px`);
  let lo = MIN_PX;
  let hi = MAX_PX;
  set(hi);
  // Tiles are as wide as the longest name needs (names scale with the font, so this holds at any size):
  // its width in em, plus the icon, the gap and the padding.
  let longest = 0;
  const text = document.createRange();
  for (const el of groups.querySelectorAll<HTMLElement>('.tile-name')) {
    text.selectNodeContents(el); // the text's own width, whatever the tile's
    longest = Math.max(longest, text.getBoundingClientRect().width);
  }
  groups.style.setProperty('--tile-min', `${(longest / hi + 2.2).toFixed(2)}em`);
  groups.dataset.fit = '1';
  if (fits(section, groups)) return;
  // Invariant: lo is the smallest size tried (used if nothing fits), hi does not fit.
  while (hi - lo > 0.25) {
    const mid = (lo + hi) / 2;
    set(mid);
    if (fits(section, groups)) lo = mid;
    else hi = mid;
  }
  set(lo);
  groups.dataset.fit = fits(section, groups) ? '1' : '0';
}
