import { describe, expect, it } from 'vitest';
import { tempStore } from './store-fixture.js';
import type { Sample } from '../../src/types.js';
import { availabilityReport, timeline, type AvailabilityInput } from '../../src/reports/availability.js';
import { maintenanceIntervals } from '../../src/reports/maintenance.js';
import { maintenanceSchema } from '../../src/config/maintenance.js';
import { monthRange } from '../../src/reports/tz.js';

const TZ = 'Asia/Ho_Chi_Minh';
const S = 1000;
const MIN = 60_000;
const H = 3_600_000;
const DAY = 86_400_000;
/** 60 s probes with a 2 s timeout: a state sample holds 2 × 60 s + 2 s. */
const FRESH = 122 * S;

const fx = tempStore();

const u = (y: number, mo: number, d: number, h: number, mi = 0) => Date.UTC(y, mo - 1, d, h, mi);

/** A site's state samples every minute over [from, to), as the status module writes them; `state(t)` undefined = not written (netmon down). */
function writeSite(site: string, group: string, from: number, to: number, state: (t: number) => { v: number; reason?: string } | undefined): void {
  const batch: Sample[] = [];
  for (let t = from; t < to; t += MIN) {
    const s = state(t);
    if (!s) continue;
    batch.push({ metric: 'netmon_site_state', labels: { site, site_group: group }, type: 'gauge', unit: 'state', ts: t, value: s.v });
    if (s.reason) batch.push({ metric: 'netmon_site_state_reason_info', labels: { site, site_group: group, reason: s.reason }, type: 'gauge', ts: t, value: 1 });
    if (batch.length > 4000) fx.store().write(batch.splice(0));
  }
  fx.store().write(batch);
  fx.store().flush();
}

const inRange = (t: number, a: number, b: number) => t >= a && t < b;

// The hand-computed timeline of site `so-a` (local = UTC+7), November 2026 = [31 Oct 17:00Z, 30 Nov 17:00Z):
const OUT1 = [u(2026, 11, 10, 16, 50), u(2026, 11, 10, 17, 20)]; // local 23:50 → 00:20: across midnight, 30 min, ping_down
const OUT2 = [u(2026, 11, 30, 16, 40), u(2026, 11, 30, 17, 30)]; // local 23:40 → 1 Dec 00:30: across the month boundary, snmp_silent
const GAP = [u(2026, 11, 15, 3, 0), u(2026, 11, 15, 5, 0)]; // netmon down: no samples from 03:00 to 05:00Z (last at 02:59)
const DEGR = [u(2026, 11, 20, 3), u(2026, 11, 20, 4)]; // degraded for an hour (loss)
const MAINT_DOWN = [u(2026, 11, 25, 1), u(2026, 11, 25, 3)]; // down during the one-off window local 08:00-10:00: not an outage

const INPUT: AvailabilityInput = {
  timezone: TZ,
  sites: [
    { id: 'so-a', name: 'Sở A', group: 'provincial', freshMs: FRESH },
    { id: 'so-b', name: 'Sở B', group: 'provincial', freshMs: FRESH },
    { id: 'ward-c', name: 'Phường C', group: 'ward', freshMs: FRESH },
  ],
  maintenance: [
    { name: 'Sunday works', weekdays: ['sun'], from: '02:00', to: '04:00', groups: ['provincial'] },
    { name: 'fibre splice', start: '2026-11-25T08:00', end: '2026-11-25 10:00', sites: ['so-a'] },
  ],
};

function writeAll(): void {
  const from = u(2026, 10, 31, 16);
  const to = u(2026, 12, 1, 18);
  writeSite('so-a', 'provincial', from, to, (t) => {
    if (inRange(t, GAP[0]!, GAP[1]!)) return undefined;
    if (inRange(t, OUT1[0]!, OUT1[1]!)) return { v: 0, reason: 'ping_down' };
    if (inRange(t, OUT2[0]!, OUT2[1]!)) return { v: 0, reason: 'snmp_silent' };
    if (inRange(t, MAINT_DOWN[0]!, MAINT_DOWN[1]!)) return { v: 0, reason: 'ping_down' };
    if (inRange(t, DEGR[0]!, DEGR[1]!)) return { v: 1, reason: 'loss' };
    return { v: 2 };
  });
  writeSite('so-b', 'provincial', from, to, () => ({ v: 2 }));
  // ward-c: nothing before 10 Nov 00:00 local (added then), up afterwards.
  writeSite('ward-c', 'ward', u(2026, 11, 9, 17), to, () => ({ v: 2 }));
  fx.clock.now = to + H;
  fx.store().maintain(fx.clock.now);
}

describe('availability report', () => {
  it('matches the hand-computed timeline of November 2026 in Asia/Ho_Chi_Minh', () => {
    writeAll();
    const m = monthRange('2026-11', TZ);
    const rep = availabilityReport(fx.store(), INPUT, m.from, m.to, fx.clock.now);
    const a = rep.sites.find((s) => s.site === 'so-a')!;
    const month = 30 * DAY;
    // Sundays of November 2026: 1, 8, 15, 22, 29, 02:00-04:00 local; plus the one-off 2 h window.
    const maint = 5 * 2 * H + 2 * H;
    const down = 30 * MIN + 20 * MIN; // OUT1, and OUT2 up to the end of the month
    const degraded = H;
    const unknown = 2 * H - (FRESH - MIN); // the 02:59 sample holds until 03:01:02
    expect(a.maintenance_ms).toBe(maint);
    expect(a.down_ms).toBe(down);
    expect(a.degraded_ms).toBe(degraded);
    expect(a.unknown_ms).toBe(unknown);
    expect(a.up_ms).toBe(month - maint - down - degraded - unknown);
    expect(a.scheduled_ms).toBe(month - maint);
    expect(a.availability).toBeCloseTo((month - maint - down - unknown) / (month - maint), 12);
    expect(a.outages).toEqual([
      { start: OUT1[0], end: OUT1[1], duration_ms: 30 * MIN, causes: ['ping_down'] },
      { start: OUT2[0], end: m.to, duration_ms: 20 * MIN, causes: ['snmp_silent'] },
    ]);
    expect(a.maintenance[0]).toEqual({ start: u(2026, 10, 31, 19), end: u(2026, 10, 31, 21) }); // Sunday 1 Nov, 02:00 local
    expect(a.maintenance).toContainEqual({ start: MAINT_DOWN[0], end: MAINT_DOWN[1] });

    const b = rep.sites.find((s) => s.site === 'so-b')!;
    expect(b.up_ms).toBe(month - 5 * 2 * H);
    expect(b.availability).toBe(1);
    const c = rep.sites.find((s) => s.site === 'ward-c')!;
    expect(c.maintenance_ms).toBe(0); // the Sunday window is for provincial sites only
    expect(c.unknown_ms).toBe(9 * DAY); // never counted as up
    expect(c.up_ms).toBe(21 * DAY);
    const prov = rep.groups.find((g) => g.group === 'provincial')!;
    expect(prov.sites).toBe(2);
    expect(prov.down_ms).toBe(down);
    expect(prov.up_ms).toBe(a.up_ms + b.up_ms);
    expect(rep.overall.unknown_ms).toBe(unknown + 9 * DAY);
    expect(rep.overall.scheduled_ms).toBe(3 * month - maint - 5 * 2 * H);
    expect(rep.months.map((x) => x.month)).toEqual(['2026-11']);
  });

  it('reports the rest of the outage in December, and splits a range across months', () => {
    writeAll();
    const from = monthRange('2026-11', TZ).from;
    const to = u(2026, 11, 30, 18); // local 1 Dec 01:00
    const rep = availabilityReport(fx.store(), INPUT, from, to, fx.clock.now);
    expect(rep.months.map((x) => x.month)).toEqual(['2026-11', '2026-12']);
    const dec = rep.months[1]!.sites.find((s) => s.site === 'so-a')!;
    expect(dec.outages).toEqual([{ start: u(2026, 11, 30, 17), end: OUT2[1], duration_ms: 30 * MIN, causes: ['snmp_silent'] }]);
    const all = rep.sites.find((s) => s.site === 'so-a')!;
    expect(all.outages[1]).toEqual({ start: OUT2[0], end: OUT2[1], duration_ms: 50 * MIN, causes: ['snmp_silent'] });
  });

  it('the future is not unknown: a range past now ends at now', () => {
    writeAll();
    const rep = availabilityReport(fx.store(), INPUT, u(2026, 12, 1, 0), u(2026, 12, 9, 0), u(2026, 12, 1, 12));
    expect(rep.to).toBe(u(2026, 12, 1, 12));
    const b = rep.sites.find((s) => s.site === 'so-b')!;
    expect(b.up_ms).toBe(12 * H); // samples run to 18:00Z, but only 12 h of the range have happened
  });
});

describe('timeline and windows', () => {
  it('a state holds until the next sample, at most the freshness window; an unknown value is unknown', () => {
    expect(timeline([0, 10, 100, 110], [2, 0, 7, 2], 50, 5, 200)).toEqual([
      { from: 5, to: 10, state: 'up' },
      { from: 10, to: 60, state: 'down' },
      { from: 60, to: 110, state: 'unknown' },
      { from: 110, to: 160, state: 'up' },
      { from: 160, to: 200, state: 'unknown' },
    ]);
  });
  it('a recurring overnight window ends the next local day', () => {
    const w = maintenanceIntervals([{ weekdays: ['sat'], from: '23:00', to: '01:30' }], { id: 'x', group: 'ward' }, u(2026, 11, 1, 0), u(2026, 11, 9, 0), TZ);
    // Saturday 7 Nov 23:00 local = 16:00Z, until Sunday 01:30 local = 18:30Z; Saturday 31 Oct's window reaches 1 Nov 01:30 local = 31 Oct 18:30Z, before the range.
    expect(w).toEqual([[u(2026, 11, 7, 16), u(2026, 11, 7, 18, 30)]]);
  });
});

describe('maintenance config', () => {
  it('accepts one-off and recurring windows, rejects an end before its start and bad clock times', () => {
    expect(maintenanceSchema.safeParse([{ start: '2026-11-25T08:00', end: '2026-11-25 10:00', sites: ['so-a'] }, { weekdays: ['sun'], from: '23:00', to: '01:00' }]).success).toBe(true);
    const bad = maintenanceSchema.safeParse([{ start: '2026-11-25T10:00', end: '2026-11-25T08:00' }]);
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.message).toBe('expected end after start');
    expect(maintenanceSchema.safeParse([{ start: '2026-11-25T10:00+07:00', end: '2026-11-25T03:30Z' }]).success).toBe(true);
    expect(maintenanceSchema.safeParse([{ weekdays: ['sun'], from: '24:00', to: '01:00' }]).success).toBe(false);
    expect(maintenanceSchema.safeParse([{ weekdays: [], from: '02:00', to: '04:00' }]).success).toBe(false);
  });
});
