/**
 * `server.timezone`: an IANA time zone the dashboard's browsers and Node both know. An unknown one used to pass
 * and the dashboard silently ran in UTC (7 h off in Vietnam), so it is checked here, with a did-you-mean.
 */
import { closest } from './suggest.js';

/** Accepted by Intl (case-insensitively, as browsers do) and not a bare UTC offset, which Intl refuses anyway. */
function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

// Older ICU lists the old names (Asia/Saigon); the current ones are what admins should write.
const CURRENT = ['UTC', 'Asia/Ho_Chi_Minh', 'Asia/Kolkata', 'Asia/Yangon', 'Europe/Kyiv', 'America/Nuuk'];
/** Cities people name that are not zone names: each lives in the zone of another city. */
const CITY_ZONES: Record<string, string> = {
  hanoi: 'Asia/Ho_Chi_Minh',
  ha_noi: 'Asia/Ho_Chi_Minh',
  hue: 'Asia/Ho_Chi_Minh',
  da_nang: 'Asia/Ho_Chi_Minh',
  danang: 'Asia/Ho_Chi_Minh',
  hai_phong: 'Asia/Ho_Chi_Minh',
  can_tho: 'Asia/Ho_Chi_Minh',
  beijing: 'Asia/Shanghai',
  delhi: 'Asia/Kolkata',
  new_delhi: 'Asia/Kolkata',
};

let zones: string[] | undefined;
const allZones = () => (zones ??= [...new Set([...Intl.supportedValuesOf('timeZone'), ...CURRENT])].filter(isTimeZone));

/** The zone the admin most likely meant, if any. */
function suggestTimeZone(tz: string): string | undefined {
  const city = tz.slice(tz.lastIndexOf('/') + 1).toLowerCase().replace(/[\s-]+/g, '_');
  if (CITY_ZONES[city]) return CITY_ZONES[city];
  const all = allZones();
  return closest(tz, all) ?? closestByCity(city, all);
}

function closestByCity(city: string, all: string[]): string | undefined {
  const byCity = new Map(all.map((z) => [z.slice(z.lastIndexOf('/') + 1).toLowerCase(), z]));
  const hit = closest(city, byCity.keys());
  return hit === undefined ? undefined : byCity.get(hit);
}

const OFFSET_RE = /^(?:GMT|UTC)?\s*([+-])(\d{1,2})(?::?00)?$/i;

/** `GMT+7` / `UTC+07:00`: an offset, not a zone. Etc/GMT-7 is its POSIX spelling, sign inverted. */
function offsetProblem(tz: string): string | undefined {
  const m = OFFSET_RE.exec(tz);
  if (!m) return undefined;
  const hours = Number(m[2]);
  const posix = hours === 0 ? 'UTC' : `Etc/GMT${m[1] === '+' ? '-' : '+'}${hours}`;
  const vn = m[1] === '+' && hours === 7 ? 'Asia/Ho_Chi_Minh (Vietnam, UTC+7) or ' : '';
  return `a UTC offset is not a time zone; write an IANA name: ${vn}${posix}${hours ? ' (POSIX sign, inverted)' : ''}`;
}

export function timeZoneProblem(tz: string): string | undefined {
  if (isTimeZone(tz) && !OFFSET_RE.test(tz)) return undefined;
  const offset = offsetProblem(tz);
  if (offset) return offset;
  const hint = suggestTimeZone(tz);
  return `unknown time zone${hint ? `, did you mean "${hint}"?` : ''} (expected an IANA name such as Asia/Ho_Chi_Minh, Europe/Paris or UTC)`;
}
