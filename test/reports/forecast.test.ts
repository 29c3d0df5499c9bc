import { describe, expect, it } from 'vitest';
import { forecast } from '../../src/reports/forecast.js';
import type { DailyPoint } from '../../src/http/contract.js';
import { rng } from '../helpers/values.js';

const DAY = 86_400_000;
const day0 = Date.UTC(2026, 6, 1); // Wednesday 1 July 2026
const date = (i: number) => new Date(day0 + i * DAY).toISOString().slice(0, 10);
const daysBetween = (a: string, b: string) => (Date.parse(a) - Date.parse(b)) / DAY;

/**
 * 120 days of daily 95th percentiles of a 100 Mbit/s line: 40 Mbit/s growing 0.3 Mbit/s a day on working
 * days, 12 Mbit/s less on Saturdays and Sundays, Gaussian-ish noise (sd ≈ 2 Mbit/s) and a few huge spikes
 * (a backup run, a DDoS). The trend reaches 80 Mbit/s on day 133.3 and 100 Mbit/s on day 200.
 */
function synthetic(seed: number): DailyPoint[] {
  const r = rng(seed);
  const noise = () => (r() + r() + r() + r() - 2) * 3.4e6;
  return Array.from({ length: 120 }, (_, i) => {
    const wd = (new Date(day0 + i * DAY).getUTCDay() + 6) % 7;
    const spike = r() < 0.04 ? 50e6 * r() : 0;
    return { day: date(i), value: 40e6 + 0.3e6 * i - (wd >= 5 ? 12e6 : 0) + noise() + spike };
  });
}

describe('capacity forecast', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`finds the crossings of synthetic growth within ±7 days (seed ${seed})`, () => {
      const f = forecast(synthetic(seed), 80e6, 100e6);
      expect(Math.abs(daysBetween(f.warn.expected!, date(133.33)))).toBeLessThanOrEqual(7);
      expect(Math.abs(daysBetween(f.full.expected!, date(200)))).toBeLessThanOrEqual(7);
      expect(f.slope_per_day!).toBeGreaterThan(0.25e6);
      expect(f.slope_per_day!).toBeLessThan(0.35e6);
      expect(f.slope_low!).toBeLessThanOrEqual(f.slope_per_day!);
      expect(f.slope_high!).toBeGreaterThanOrEqual(f.slope_per_day!);
      // The band brackets the expected date.
      expect(daysBetween(f.warn.earliest!, f.warn.expected!)).toBeLessThanOrEqual(0);
      expect(daysBetween(f.warn.latest!, f.warn.expected!)).toBeGreaterThanOrEqual(0);
      // The weekend dip is found and removed: Saturday and Sunday about 12 Mbit/s below the working days.
      expect(f.weekly[5]!).toBeLessThan(-9e6);
      expect(f.weekly[6]!).toBeLessThan(-9e6);
      expect(Math.abs(f.weekly[2]!)).toBeLessThan(3e6);
    });
  }

  it('a flat or falling line: not within 12 months; a level already above: crossed now', () => {
    const r = rng(9);
    const flat = Array.from({ length: 60 }, (_, i) => ({ day: date(i), value: 30e6 + r() * 1e6 }));
    const f = forecast(flat, 80e6, 100e6);
    expect(f.warn).toMatchObject({ expected: null, latest: null, already: false });
    expect(f.full.expected).toBeNull();
    const slow = Array.from({ length: 60 }, (_, i) => ({ day: date(i), value: 30e6 + 0.05e6 * i }));
    expect(forecast(slow, 80e6, 100e6).warn.expected).toBeNull(); // 80 Mbit/s would be ~1000 days away
    const high = Array.from({ length: 30 }, (_, i) => ({ day: date(i), value: 90e6 + (i % 3) * 1e5 }));
    const h = forecast(high, 80e6, 100e6);
    expect(h.warn).toMatchObject({ expected: date(30), already: true });
    expect(h.full.expected).toBeNull();
  });

  it('too few days: no forecast rather than a guess', () => {
    const f = forecast(synthetic(1).slice(0, 13), 80e6, 100e6);
    expect(f.slope_per_day).toBeNull();
    expect(f.warn.expected).toBeNull();
  });
});
