import { describe, expect, it } from 'vitest';
import { tempStore } from './store-fixture.js';
import type { UplinkConfig } from '../../src/config/schema.js';
import type { Sample } from '../../src/types.js';
import { billingPercentile, dailyPercentiles, fiveMinuteAverages, uplinkReport, uplinkSeries } from '../../src/reports/uplinks.js';
import { monthRange, monthsOf, zonedParts, zonedToUtc } from '../../src/reports/tz.js';
import { rng } from '../helpers/values.js';

const TZ = 'Asia/Ho_Chi_Minh';
const MIN = 60_000;
const FIVE = 300_000;
const H = 3_600_000;
const DAY = 86_400_000;

const fx = tempStore();

const UPLINK: UplinkConfig = { name: 'intl', display_name: 'Quốc tế', target: 'r1', interface: 'ge-0/0/1', capacity: 2e6, warn_utilization: 0.8 };
const labels = { target: 'r1', if_name: 'ge-0/0/1', if_index: '3', site: 'dc' };

/** Byte counters polled every ~60 s (jittered, a few resets), bytes/s following `rate(t)`. */
function counter(from: number, to: number, seed: number, rate: (t: number, r: () => number) => number): { ts: number[]; vals: number[] } {
  const r = rng(seed);
  const ts: number[] = [];
  const vals: number[] = [];
  let v = 5e9;
  for (let t = from; t < to; t += MIN) {
    const at = t + Math.floor(r() * 3000);
    const prev = ts.length ? ts[ts.length - 1]! : at - MIN;
    v = r() < 0.002 ? Math.floor(r() * 1e5) : v + Math.floor(rate(at, r) * ((at - prev) / 1000));
    ts.push(at);
    vals.push(v);
  }
  return { ts, vals };
}

function write(metric: string, d: { ts: number[]; vals: number[] }): void {
  const batch: Sample[] = d.ts.map((ts, i) => ({ metric, labels, type: 'counter', unit: 'bytes', ts, value: d.vals[i]! }));
  for (let i = 0; i < batch.length; i += 5000) fx.store().write(batch.slice(i, i + 5000));
  fx.store().flush();
}

/**
 * Brute force from the raw samples: each interval (previous sample → sample) belongs to the 5-minute
 * bucket of its end sample; a decrease is a reset and counts nothing. Billing: sort descending, throw away
 * the top floor(5 %), the first one left is the 95th percentile.
 */
/**
 * 5-minute averages as the billing definition reads them, by brute force: each poll interval's increase is
 * spread evenly over its time, and a bucket's average is the increase credited to it over the time of it
 * that polls cover (an interval straddling a boundary counts in both buckets, in proportion).
 */
function bruteForce(d: { ts: number[]; vals: number[] }, from: number, to: number): { p95: number; avgs: Map<number, number> } {
  const inc = new Map<number, number>();
  const dt = new Map<number, number>();
  for (let i = 1; i < d.ts.length; i++) {
    const t0 = d.ts[i - 1]!;
    const t1 = d.ts[i]!;
    const dv = d.vals[i]! - d.vals[i - 1]!;
    if (dv < 0 || t1 <= t0) continue;
    for (let b = Math.floor(t0 / FIVE) * FIVE; b < t1; b += FIVE) {
      if (b < from || b >= to) continue;
      const overlap = Math.min(t1, b + FIVE) - Math.max(t0, b);
      if (overlap <= 0) continue;
      inc.set(b, (inc.get(b) ?? 0) + (dv * overlap) / (t1 - t0));
      dt.set(b, (dt.get(b) ?? 0) + overlap);
    }
  }
  const avgs = new Map<number, number>();
  for (const [b, x] of inc) if (dt.get(b)! > 0) avgs.set(b, ((x / dt.get(b)!) * 1000) * 8);
  const desc = [...avgs.values()].sort((a, b) => b - a);
  return { p95: desc[Math.floor(desc.length * 0.05)]!, avgs };
}

describe('time zone calendar', () => {
  it('cuts months at local midnight in Asia/Ho_Chi_Minh (UTC+7)', () => {
    expect(monthRange('2026-11', TZ)).toEqual({ from: Date.UTC(2026, 9, 31, 17), to: Date.UTC(2026, 10, 30, 17) });
    expect(monthRange('2026-12', TZ)).toEqual({ from: Date.UTC(2026, 10, 30, 17), to: Date.UTC(2026, 11, 31, 17) });
    expect(monthsOf(Date.UTC(2026, 9, 31, 16, 59), Date.UTC(2026, 9, 31, 17, 1), TZ)).toEqual(['2026-10', '2026-11']);
    expect(monthsOf(Date.UTC(2026, 9, 31, 17), Date.UTC(2026, 10, 30, 17), TZ)).toEqual(['2026-11']);
    expect(zonedParts(Date.UTC(2026, 10, 1, 17), TZ)).toMatchObject({ year: 2026, month: 11, day: 2, hour: 0, weekday: 0 });
    expect(() => monthRange('2026-13', TZ)).toThrow(/YYYY-MM/);
  });
  it('follows a DST change (Europe/Berlin), so the code is not UTC+7 only', () => {
    expect(zonedToUtc(2026, 3, 29, 4, 0, 'Europe/Berlin')).toBe(Date.UTC(2026, 2, 29, 2));
    expect(zonedToUtc(2026, 3, 28, 4, 0, 'Europe/Berlin')).toBe(Date.UTC(2026, 2, 28, 3));
    expect(monthRange('2026-11', 'Europe/Berlin').from).toBe(Date.UTC(2026, 9, 31, 23));
  });
});

describe('uplink usage report', () => {
  it('95th percentile equals a brute-force computation on the same samples, to the byte', () => {
    const from = Date.UTC(2026, 10, 2, 0);
    const to = from + 4 * DAY;
    const d = counter(from - H, to + H, 7, (t, r) => 120_000 + 80_000 * Math.sin(t / 5e6) + (r() < 0.03 ? 400_000 * r() : 0));
    write('netmon_interface_receive_bytes_total', d);
    fx.clock.now = to + 2 * H;
    fx.store().maintain(fx.clock.now);
    const ids = uplinkSeries(fx.store(), UPLINK, 'in');
    const a = fiveMinuteAverages(fx.store(), ids, from, to);
    const brute = bruteForce(d, from, to);
    expect(a.resolution).toBe('5m');
    expect(a.ts.length).toBe(brute.avgs.size);
    expect(a.ts.length).toBeGreaterThan(1100);
    // The store keeps whole bytes per 5-minute bucket: the shares of the two intervals that straddle its
    // edges are rounded, at most a byte each, and a byte over the bucket's 300 s is 8/300 bit/s.
    const BYTE = (2 * 8) / 300;
    a.ts.forEach((t, i) => expect(Math.abs(a.mean[i]! * 8 - brute.avgs.get(t)!), String(t)).toBeLessThanOrEqual(BYTE));
    const rep = uplinkReport(fx.store(), { uplinks: [UPLINK], server: { timezone: TZ } }, from, to);
    const inn = rep.uplinks[0]!.in;
    expect(Math.abs(inn.p95_bps! - brute.p95)).toBeLessThanOrEqual(BYTE);
    expect(inn.p95_bps).toBe(fx.store().percentileRate(ids, from, to, 95)! * 8);
    expect(inn.samples).toBe(brute.avgs.size);
    expect(Math.abs(inn.peak_5m_bps! - Math.max(...brute.avgs.values()))).toBeLessThanOrEqual(BYTE);
    expect(Math.abs(inn.mean_bps! - [...brute.avgs.values()].reduce((x, y) => x + y, 0) / brute.avgs.size)).toBeLessThanOrEqual(BYTE);
    const above = [...brute.avgs.values()].filter((v) => v / UPLINK.capacity > 0.8).length;
    expect(above).toBeGreaterThan(0);
    expect(inn.hours_above_warn).toBeCloseTo(above / 12, 9);
    expect(inn.peak_bps!).toBeGreaterThanOrEqual(inn.peak_5m_bps! * 0.999);
    expect(rep.uplinks[0]!.out.samples).toBe(0);
    expect(rep.uplinks[0]!.out.p95_bps).toBeNull();
  });

  it('billing percentile: the ceil(0.95·N)-th smallest, i.e. the top floor(5 %) discarded', () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(billingPercentile(v)).toBe(95);
    expect(billingPercentile([...v, 101])).toBe(96);
    // 19 values: floor(0.95) = 0 discarded, the maximum; 20 values: one discarded.
    expect(billingPercentile(v.slice(0, 19).reverse())).toBe(19);
    expect(billingPercentile(v.slice(0, 20).reverse())).toBe(19);
    expect(billingPercentile([7])).toBe(7);
    expect(billingPercentile([])).toBeNull();
  });

  it('splits by local month, volume and heatmap in local time', () => {
    // 2026-10-30 17:00Z (local 31 Oct 00:00) to 2026-11-01 17:00Z (local 2 Nov 00:00); 2026-11-01 is a Sunday.
    const from = Date.UTC(2026, 9, 30, 17);
    const to = Date.UTC(2026, 10, 1, 17);
    // 1 MB/s during local 09:00-10:00 every day, 10 kB/s otherwise.
    const d = counter(from - H, to + H, 3, (t) => (zonedParts(t, TZ).hour === 9 ? 1e6 : 1e4));
    write('netmon_interface_transmit_bytes_total', d);
    fx.clock.now = to + 2 * H;
    fx.store().maintain(fx.clock.now);
    const rep = uplinkReport(fx.store(), { uplinks: [UPLINK], server: { timezone: TZ } }, from, to);
    expect(rep.months.map((m) => [m.month, m.from, m.to])).toEqual([
      ['2026-10', from, Date.UTC(2026, 9, 31, 17)],
      ['2026-11', Date.UTC(2026, 9, 31, 17), to],
    ]);
    const total = rep.uplinks[0]!.out.volume_bytes;
    const parts = rep.months.map((m) => m.uplinks[0]!.out.volume_bytes);
    expect(parts[0]! + parts[1]!).toBe(total);
    expect(parts[0]).toBeGreaterThan(3e9);
    expect(parts[1]).toBeGreaterThan(3e9);
    const hm = rep.uplinks[0]!.out.heatmap;
    // Saturday (row 5) and Sunday (row 6) have data, 09:00 local is hot (8 Mbit/s over a 2 Mbit/s line).
    expect(hm[5]![9]!).toBeGreaterThan(3);
    expect(hm[6]![9]!).toBeGreaterThan(3);
    // 08:00 carries its own 10 kB/s (0.04) plus at most the one 1-minute interval that ends in the hot hour
    // and is spread over the minute before it (1 MB/s × 60 s over the hour: 0.067).
    expect(hm[5]![8]!).toBeLessThan(0.11);
    expect(hm[5]![10]!).toBeLessThan(0.1);
    expect(hm[0]![9]).toBeNull();
    // 2 × 60 minutes above warn, give or take the jittered boundary buckets.
    expect(rep.uplinks[0]!.out.hours_above_warn).toBeGreaterThanOrEqual(1.9);
    expect(rep.uplinks[0]!.out.hours_above_warn).toBeLessThanOrEqual(2.2);
    const daily = dailyPercentiles(fiveMinuteAverages(fx.store(), uplinkSeries(fx.store(), UPLINK, 'out'), from, to), TZ);
    expect(daily.map((x) => x.day)).toEqual(['2026-10-31', '2026-11-01']);
  });
});
