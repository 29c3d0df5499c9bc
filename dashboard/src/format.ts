/** Number and time formatting: bits/s with SI prefixes (as network people write them), bytes, ratios, times in the configured zone. */

const SI = ['', 'k', 'M', 'G', 'T', 'P'];

/** The decimal separator of the page's language: Vietnamese writes 12,5 where English writes 12.5. */
let decimalSep = ',';
/** Packets per second, as the page's language writes it. */
let ppsUnit = 'gói/s';
const dec = (s: string): string => (decimalSep === '.' ? s : s.replace('.', decimalSep));

function si(v: number, unit: string, digits = 3): string {
  if (!Number.isFinite(v)) return '–';
  let i = 0;
  let x = Math.abs(v);
  while (x >= 1000 && i < SI.length - 1) {
    x /= 1000;
    i++;
  }
  const s = x >= 100 || i === 0 ? x.toFixed(0) : String(Number(x.toPrecision(digits)));
  return `${v < 0 ? '-' : ''}${dec(s)} ${SI[i]}${unit}`;
}

/** 12.3 Mbps, 950 kbps, 2 Mbps. */
export const bps = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : si(v, 'bps'));
/** Axis ticks: short, e.g. "50M". */
export const bpsTick = (v: number): string => (v === 0 ? '0' : si(v, '', 3).replace(' ', ''));
/** 1.23 GB (SI, like the rates). */
export const bytes = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : si(v, 'B'));
const IEC = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
/** Memory in binary units, as the operating system counts it: 32 GiB, not "34.4 GB". Three significant digits, the page's decimal separator. */
export function iec(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  let i = 0;
  let x = Math.abs(v);
  while (x >= 1024 && i < IEC.length - 1) {
    x /= 1024;
    i++;
  }
  const s = x >= 100 || i === 0 ? x.toFixed(0) : String(Number(x.toPrecision(3)));
  return `${v < 0 ? '-' : ''}${dec(s)} ${IEC[i]}`;
}
/** A number with `digits` decimals, in the page's language (12,5 / 12.5). */
export const fixed = (v: number, digits: number): string => dec(v.toFixed(digits));
export const pct = (r: number | null | undefined, digits = 0): string => (r === null || r === undefined || !Number.isFinite(r) ? '–' : `${dec((r * 100).toFixed(digits))} %`);
export const ms = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : v < 10 ? `${dec(v.toFixed(1))} ms` : `${Math.round(v)} ms`);
/** Packets per second: three significant digits below 100 (an error rate is often a fraction of one). */
export const pps = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : `${v >= 100 ? dec(v.toFixed(0)) : dec(String(Number(v.toPrecision(3))))} ${ppsUnit}`);
export const dbm = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : `${dec(v.toFixed(2))} dBm`);

let zone = 'Asia/Ho_Chi_Minh';
let locale = 'vi-VN';
let timeFmt: Intl.DateTimeFormat;
let dateTimeFmt: Intl.DateTimeFormat;
let hoverFmt: Intl.DateTimeFormat;

export function setTimeContext(timezone: string, lang: string): void {
  zone = timezone;
  locale = lang === 'vi' ? 'vi-VN' : 'en-GB';
  decimalSep = lang === 'vi' ? ',' : '.';
  ppsUnit = lang === 'vi' ? 'gói/s' : 'pkt/s';
  try {
    timeFmt = new Intl.DateTimeFormat(locale, { timeZone: zone, hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  } catch {
    zone = 'UTC';
    timeFmt = new Intl.DateTimeFormat(locale, { timeZone: zone, hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  }
  dateTimeFmt = new Intl.DateTimeFormat(locale, { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
  hoverFmt = new Intl.DateTimeFormat(locale, { timeZone: zone, month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
}
setTimeContext(zone, 'vi');

export const timeZone = (): string => zone;

const axisFmts = new Map<string, Intl.DateTimeFormat>();
/** Time-axis tick label in the configured zone, 24-hour clock, detail chosen by the visible span. */
export function axisTime(t: number, spanMs: number): string {
  const kind = spanMs <= 36 * 3600e3 ? 'hm' : spanMs <= 8 * 86400e3 ? 'dhm' : spanMs <= 400 * 86400e3 ? 'dm' : 'my';
  const key = `${locale}|${zone}|${kind}`;
  let f = axisFmts.get(key);
  if (!f) {
    const o: Intl.DateTimeFormatOptions = { timeZone: zone, hourCycle: 'h23' };
    if (kind === 'hm') Object.assign(o, { hour: '2-digit', minute: '2-digit' });
    if (kind === 'dhm') Object.assign(o, { day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit' });
    if (kind === 'dm') Object.assign(o, { day: '2-digit', month: '2-digit' });
    if (kind === 'my') Object.assign(o, { month: '2-digit', year: 'numeric' });
    f = new Intl.DateTimeFormat(locale, o);
    axisFmts.set(key, f);
  }
  return f.format(t);
}
export const time = (t: number | null | undefined): string => (t ? timeFmt.format(t) : '–');
export const dateTime = (t: number | null | undefined): string => (t ? dateTimeFmt.format(t) : '–');
/** A chart's hover time: day, month and a 24-hour time to the second (uPlot's own legend says 12-hour "1:05pm"). */
export const hoverTime = (t: number | null | undefined): string => (t ? hoverFmt.format(t) : '–');
