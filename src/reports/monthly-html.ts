/**
 * The printable monthly report (issue 22) as one self-contained A4 HTML page, Vietnamese or English:
 * availability per group and site with outages, each uplink's 95th percentile, volume and weekday × hour
 * heatmap, and the capacity forecast. Server-rendered, no script: printing it (or a headless browser's
 * PDF, not built yet) needs nothing but the page. The centre's name is the `datacentre` site's name.
 */
import type { AvailabilityReportResponse, DirectionUsage, UplinkReportResponse } from '../http/contract.js';
import { localDate, zonedParts } from './tz.js';

export type Lang = 'vi' | 'en';

/** Outages listed in the printed report (the longest); the others are counted under the table. */
const MAX_OUTAGES = 40;

const T = {
  vi: {
    title: 'Báo cáo vận hành tháng', availability: 'Mức sẵn sàng kết nối', group: 'Nhóm', site: 'Đơn vị', sites: 'Số đơn vị',
    up: 'Hoạt động', degraded: 'Suy giảm', down: 'Mất kết nối', unknown: 'Không rõ', maintenance: 'Bảo trì (giờ)', avail: 'Sẵn sàng',
    outages: 'Các lần mất kết nối', start: 'Bắt đầu', end: 'Kết thúc', duration: 'Thời lượng (phút)', cause: 'Nguyên nhân', none: 'Không có',
    more: (n: number, min: string) => `… và ${n} lần ngắn hơn (tổng ${min} phút): xem tệp CSV các lần mất kết nối.`,
    uplinks: 'Đường truyền Internet', direction: 'Chiều', in: 'Vào', out: 'Ra', p95: 'Phân vị 95', peak: 'Đỉnh', mean: 'Trung bình', volume: 'Dung lượng', above: 'Giờ vượt ngưỡng',
    heatmap: 'Mức sử dụng trung bình theo ngày và giờ', forecast: 'Dự báo dung lượng', warnAt: 'Chạm ngưỡng cảnh báo', fullAt: 'Đầy 100 %', never: 'không trong 12 tháng', already: 'đã vượt',
    overall: 'Toàn mạng', groups: { datacentre: 'Trung tâm dữ liệu', provincial: 'Sở, ban, ngành', district: 'Cấp huyện', ward: 'Phường, xã' } as Record<string, string>,
    days: ['T2', 'T3', 'T4', 'T5', 'T6', 'T7', 'CN'], note: 'Tỷ lệ tính trên thời gian theo kế hoạch (trừ bảo trì); thời gian không rõ không được tính là hoạt động.',
  },
  en: {
    title: 'Monthly operations report', availability: 'Connection availability', group: 'Group', site: 'Site', sites: 'Sites',
    up: 'Up', degraded: 'Degraded', down: 'Down', unknown: 'Unknown', maintenance: 'Maintenance (h)', avail: 'Availability',
    outages: 'Outages', start: 'Start', end: 'End', duration: 'Duration (min)', cause: 'Cause', none: 'None',
    more: (n: number, min: string) => `… and ${n} shorter ones (${min} min in all): see the outages CSV.`,
    uplinks: 'Internet uplinks', direction: 'Direction', in: 'In', out: 'Out', p95: '95th percentile', peak: 'Peak', mean: 'Mean', volume: 'Volume', above: 'Hours above warn',
    heatmap: 'Mean utilisation by weekday and hour', forecast: 'Capacity forecast', warnAt: 'Reaches warn threshold', fullAt: 'Reaches 100 %', never: 'not within 12 months', already: 'already above',
    overall: 'Whole network', groups: { datacentre: 'Data centre', provincial: 'Provincial departments', district: 'Districts', ward: 'Wards and communes' } as Record<string, string>,
    days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'], note: 'Shares are of scheduled time (maintenance excluded); unknown time is never counted as up.',
  },
};

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const pct = (v: number | null, lang: Lang) => (v === null ? '–' : `${(v * 100).toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 3 })} %`);
const num = (v: number, lang: Lang, digits = 1) => v.toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: digits });
const mbps = (v: number | null, lang: Lang) => (v === null ? '–' : `${num(v / 1e6, lang, 2)} Mbit/s`);
const gb = (v: number, lang: Lang) => `${num(v / 1e9, lang, 2)} GB`;
function when(ms: number, tz: string): string {
  const p = zonedParts(ms, tz);
  return `${localDate(ms, tz)} ${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
}

/** A heatmap cell's background: white at 0, red at the warn threshold and above. */
const heat = (u: number | null, warn: number) => (u === null ? '#eee' : `hsl(${Math.round(120 - 120 * Math.min(1, u / warn))} 70% ${Math.round(92 - 35 * Math.min(1, u / warn))}%)`);

function heatmap(d: DirectionUsage, warn: number, t: (typeof T)[Lang]): string {
  const head = `<tr><th></th>${Array.from({ length: 24 }, (_, h) => `<th>${h}</th>`).join('')}</tr>`;
  const rows = d.heatmap.map((row, i) => `<tr><th>${t.days[i]}</th>${row.map((u) => `<td style="background:${heat(u, warn)}">${u === null ? '' : Math.round(u * 100)}</td>`).join('')}</tr>`);
  return `<table class="heat">${head}${rows.join('')}</table>`;
}

export interface MonthlyInput {
  month: string;
  lang: Lang;
  centre: string;
  availability: AvailabilityReportResponse;
  uplinks: UplinkReportResponse;
}

export function monthlyHtml(x: MonthlyInput): string {
  const t = T[x.lang];
  const tz = x.availability.timezone;
  const a = x.availability;
  const shareCols = (s: { up: number | null; degraded: number | null; down: number | null; unknown: number | null; maintenance_ms: number; availability: number | null }) =>
    `<td>${pct(s.up, x.lang)}</td><td>${pct(s.degraded, x.lang)}</td><td>${pct(s.down, x.lang)}</td><td>${pct(s.unknown, x.lang)}</td><td>${num(s.maintenance_ms / 3.6e6, x.lang)}</td><td><b>${pct(s.availability, x.lang)}</b></td>`;
  const shareHead = `<th>${t.up}</th><th>${t.degraded}</th><th>${t.down}</th><th>${t.unknown}</th><th>${t.maintenance}</th><th>${t.avail}</th>`;
  const groups = [...a.groups.map((g) => `<tr><td>${esc(t.groups[g.group] ?? g.group)}</td><td>${g.sites}</td>${shareCols(g)}</tr>`), `<tr class="total"><td>${t.overall}</td><td>${a.overall.sites}</td>${shareCols(a.overall)}</tr>`];
  const sites = a.sites.map((s) => `<tr><td>${esc(s.name)}</td><td>${esc(t.groups[s.group] ?? s.group)}</td>${shareCols(s)}</tr>`);
  // The longest outages, in time order: a flapping site has thousands, which would fill 190 pages; the
  // rest are counted (and summed) under the table, and all are in the outages CSV.
  const all = a.sites.flatMap((s) => s.outages.map((o) => ({ s, o })));
  const shown = [...all].sort((p, q) => q.o.duration_ms - p.o.duration_ms || p.o.start - q.o.start).slice(0, MAX_OUTAGES).sort((p, q) => p.o.start - q.o.start || p.s.name.localeCompare(q.s.name));
  const rest = all.length - shown.length;
  const restMin = (all.reduce((n, x) => n + x.o.duration_ms, 0) - shown.reduce((n, x) => n + x.o.duration_ms, 0)) / 60_000;
  const outages = shown.map(({ s, o }) => `<tr><td>${esc(s.name)}</td><td>${when(o.start, tz)}</td><td>${when(o.end, tz)}</td><td>${num(o.duration_ms / 60_000, x.lang)}</td><td>${esc(o.causes.join(', '))}</td></tr>`);
  const crossing = (c: { expected: string | null; earliest: string | null; latest: string | null; already: boolean }) =>
    c.already ? t.already : c.expected === null ? t.never : `${c.expected} (${c.earliest ?? '…'} – ${c.latest ?? t.never})`;
  const uplinks = x.uplinks.uplinks.map((u) => {
    const f = x.uplinks.forecasts.find((y) => y.uplink === u.uplink);
    const rows = [u.in, u.out].map((d) => `<tr><td>${d.direction === 'in' ? t.in : t.out}</td><td><b>${mbps(d.p95_bps, x.lang)}</b> (${pct(d.p95_utilization, x.lang)})</td><td>${mbps(d.peak_bps, x.lang)}</td><td>${mbps(d.mean_bps, x.lang)}</td><td>${gb(d.volume_bytes, x.lang)}</td><td>${num(d.hours_above_warn, x.lang)}</td></tr>`);
    const fc = f ? [f.in, f.out].map((d, i) => `<tr><td>${i ? t.out : t.in}</td><td>${crossing(d.warn)}</td><td>${crossing(d.full)}</td></tr>`).join('') : '';
    return `<section class="uplink"><h3>${esc(u.display_name)} — ${mbps(u.capacity_bps, x.lang)}</h3>
<table><tr><th>${t.direction}</th><th>${t.p95}</th><th>${t.peak}</th><th>${t.mean}</th><th>${t.volume}</th><th>${t.above}</th></tr>${rows.join('')}</table>
<h4>${t.heatmap} (${t.out})</h4>${heatmap(u.out, u.warn_utilization, t)}
<h4>${t.forecast}</h4><table><tr><th>${t.direction}</th><th>${t.warnAt}</th><th>${t.fullAt}</th></tr>${fc}</table></section>`;
  });
  return `<!doctype html>
<html lang="${x.lang}"><head><meta charset="utf-8"><title>${esc(`${t.title} ${x.month} — ${x.centre}`)}</title>
<style>
@page { size: A4; margin: 15mm 12mm; }
body { font: 10pt/1.35 "Noto Sans", "DejaVu Sans", Arial, sans-serif; color: #111; margin: 0; }
h1 { font-size: 16pt; margin: 0 0 2mm; } h2 { font-size: 13pt; margin: 6mm 0 2mm; break-after: avoid; } h3 { font-size: 11pt; margin: 4mm 0 2mm; } h4 { font-size: 10pt; margin: 3mm 0 1mm; }
table { border-collapse: collapse; width: 100%; margin-bottom: 3mm; } th, td { border: 0.3mm solid #999; padding: 0.6mm 1.5mm; text-align: right; }
th:first-child, td:first-child { text-align: left; } thead { display: table-header-group; } tr { break-inside: avoid; }
tr.total td { font-weight: bold; background: #f3f3f3; } .note { font-size: 8.5pt; color: #444; }
table.heat td, table.heat th { font-size: 6.5pt; padding: 0.3mm; text-align: center; width: 3.8%; } section.uplink { break-inside: avoid; }
</style></head><body>
<h1>${esc(x.centre)}</h1><p>${t.title} <b>${x.month}</b> (${esc(tz)})</p>
<h2>${t.availability}</h2><p class="note">${t.note}</p>
<table><thead><tr><th>${t.group}</th><th>${t.sites}</th>${shareHead}</tr></thead><tbody>${groups.join('')}</tbody></table>
<h2>${t.uplinks}</h2>${uplinks.join('')}
<h2>${t.outages}</h2>
${outages.length ? `<table><thead><tr><th>${t.site}</th><th>${t.start}</th><th>${t.end}</th><th>${t.duration}</th><th>${t.cause}</th></tr></thead><tbody>${outages.join('')}</tbody></table>` : `<p>${t.none}</p>`}${rest > 0 ? `<p class="more">${t.more(rest, num(restMin, x.lang))}</p>` : ''}
<h2>${t.availability}: ${t.site}</h2>
<table class="sites"><thead><tr><th>${t.site}</th><th>${t.group}</th>${shareHead}</tr></thead><tbody>${sites.join('')}</tbody></table>
</body></html>
`;
}
