/**
 * GET /api/v1/fibres on a real SQLite store: the fixture's fibre port (sw-so-tttt Gi1/0/25) loses 7 dB of Rx
 * over the fixture's history and reads −27 dBm now against its transceiver's −28 dBm alarm: margin 1 dB, and
 * with two days of history a trend of −7 dB per 2 days = −24.5 dB per week; with two hours, no trend.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { slope } from '../../src/domain/fibres.js';
import { startFixture, type Fixture } from './api-fixture.js';

describe('GET /api/v1/fibres', () => {
  let f: Fixture | undefined;
  afterEach(async () => {
    await f?.close();
    f = undefined;
  });

  const fibre = async (fx: Fixture) => {
    const r = (await (await fetch(`${fx.url}/api/v1/fibres`)).json()) as any;
    return { r, p: r.ports.find((x: any) => x.target === 'sw-so-tttt' && x.labels.if_index === '25') };
  };

  it('gives the margin to the transceiver\'s alarm level and the 7-day trend in dB per week', async () => {
    f = await startFixture({ hours: 48 });
    const { r, p } = await fibre(f);
    expect(p.rx_dbm).toBe(-27);
    expect(p).toMatchObject({ alarm_dbm: -28, alarm_source: 'device', margin_db: 1, level: 'warn' });
    expect(p.trend_days).toBeGreaterThanOrEqual(1.9);
    expect(p.trend_db_per_week).toBeCloseTo(-24.5, 0);
    // Smallest margin first, unknown margins last.
    const margins = r.ports.map((x: any) => x.margin_db);
    const known = margins.filter((m: number | null) => m !== null);
    expect(known).toEqual([...known].sort((a: number, b: number) => a - b));
    expect(margins.slice(known.length).every((m: number | null) => m === null)).toBe(true);
    expect(r.without_alarm_level).toBe(margins.length - known.length);
  });

  it('gives no trend from less than a day of history (a visible gap, not a number)', async () => {
    f = await startFixture({ hours: 2 });
    const { p } = await fibre(f);
    expect(p.margin_db).toBe(1);
    expect(p.trend_db_per_week).toBeNull();
    expect(p.trend_days).toBeLessThan(1);
  });

  it('slope: least squares, none from fewer than three points or one x', () => {
    expect(slope([0, 1, 2, 3], [1, 3, 5, 7])).toBeCloseTo(2, 10);
    expect(slope([0, 1], [0, 1])).toBeNull();
    expect(slope([5, 5, 5], [1, 2, 3])).toBeNull();
  });
});
