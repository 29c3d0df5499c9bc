/**
 * History backfill (src/simulator/backfill.ts) into a real SQLite store, read back by the reports: the
 * flapping site and a seeded fibre cut are outages with their causes, netmon's own downtime is unknown
 * (never up), the uplink's office hours show in the heatmap, and the 5-minute rollups the writer made
 * agree with the raw samples.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/loader.js';
import type { LoadedConfig } from '../../src/config/model.js';
import { openStore, type TimeSeriesStore } from '../../src/store/index.js';
import { backfill, fibreCuts, type BackfillSummary } from '../../src/simulator/backfill.js';
import { pickScenarios } from '../../src/simulator/scenarios.js';
import { availabilityInput, availabilityReport } from '../../src/reports/availability.js';
import { fiveMinuteAverages, uplinkSeries, uplinkUsage } from '../../src/reports/uplinks.js';

const DAY = 86_400_000;
const MIN = 60_000;
const fibre = (n: number) => `  - { name: sw-${n}, address: 127.1.1.${n}, site: s${n}, role: fibre, snmp: { credential: sim, port: 1161 }, ping: {} }`;
const CONFIG = `
server: { timezone: Asia/Ho_Chi_Minh }
storage: { path: netmon.db }
simulate: { enabled: true, seed: 42 }
defaults:
  snmp: { interval: 60s, timeout: 2s }
  ping: { interval: 60s, count: 10, timeout: 1s }
credentials:
  sim: { version: 2c, community: public }
sites:
  - { id: dc, name: Trung tâm, group: datacentre }
${[1, 2, 3, 4, 5, 6].map((n) => `  - { id: s${n}, name: Đơn vị ${n}, group: district }`).join('\n')}
uplinks:
  - { name: international, target: dc-core, interface: Gi0/2, capacity: 2Mbps, warn_utilization: 0.9 }
targets:
  - { name: dc-core, address: 127.1.0.1, site: dc, role: uplink, snmp: { credential: sim, port: 1161, interval: 10s, timeout: 1s }, ping: {} }
${[1, 2, 3, 4, 5, 6].map(fibre).join('\n')}
`;

let dir: string;
let config: LoadedConfig;
let store: TimeSeriesStore;
let summary: BackfillSummary;
let seconds: number;
let cut: { target: string; from: number; to: number };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'netmon-backfill-'));
  writeFileSync(join(dir, 'netmon.yaml'), CONFIG);
  config = loadConfig(join(dir, 'netmon.yaml'));
  // End the history a day after the first seeded cut of 2026, so the 3 days hold it.
  const flapping = pickScenarios(config, 42).picks.flappingTarget;
  const year = fibreCuts(config, 42, Date.UTC(2026, 0, 5), Date.UTC(2026, 11, 1), flapping);
  cut = [...year].flatMap(([target, cs]) => cs.map((c) => ({ target, ...c }))).sort((a, b) => a.from - b.from)[0]!;
  const end = Math.ceil((cut.to + DAY) / DAY) * DAY;
  store = openStore(config.storage.path, { jobs: false, now: () => end });
  const t0 = performance.now();
  summary = backfill({ config, store, spanMs: 3 * DAY, end });
  seconds = (performance.now() - t0) / 1000;
  store.maintain(end);
}, 60_000);

afterAll(() => {
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('backfill', () => {
  it('writes every poll of the span through the pipeline, fast', () => {
    // dc-core: SNMP every 10 s; ping on 7 targets and SNMP on 6 every minute; minus netmon's 40 minutes down.
    const perDay = 8640 + 13 * 1440;
    expect(summary.results).toBeGreaterThan(3 * perDay * 0.98);
    expect(summary.results).toBeLessThanOrEqual(3 * perDay);
    expect(store.stats().samplesRejected).toEqual({ out_of_order: 0, duplicate: 0, invalid: 0 });
    console.log(`backfill: 3 days × 7 targets, ${summary.results} results, ${summary.samples} samples in ${seconds.toFixed(1)} s`);
    expect(seconds).toBeLessThan(40);
  });

  it('shows the flapping site, the fibre cut and netmon downtime in the availability report', () => {
    const rep = availabilityReport(store, availabilityInput(config), summary.from, summary.to, summary.to);
    const siteOf = (t: string) => config.targets.find((x) => x.name === t)!.site;
    const flap = rep.sites.find((s) => s.site === siteOf(summary.flapping!))!;
    // Down 150 s of every 600 s; with one-minute polls and hysteresis the site is down a good share, not all.
    expect(flap.availability!).toBeGreaterThan(0.5);
    expect(flap.availability!).toBeLessThan(0.95);
    expect(flap.outages.length).toBeGreaterThan(100);

    const hit = rep.sites.find((s) => s.site === siteOf(cut.target))!;
    const long = hit.outages.filter((o) => o.start < cut.to && o.end > cut.from);
    expect(long.length).toBeGreaterThan(0);
    const down = long.reduce((n, o) => n + o.duration_ms, 0);
    // Within a few poll intervals of the cut's length (hysteresis confirms the change over cycles).
    expect(Math.abs(down - (cut.to - cut.from))).toBeLessThan(5 * MIN);
    expect(long.flatMap((o) => o.causes)).toContain('ping_down');

    for (const s of rep.sites) {
      // netmon down 40 min: unknown, never up (less the freshness window the last samples hold).
      expect(s.unknown_ms).toBeGreaterThanOrEqual(37 * MIN);
      expect(s.unknown_ms).toBeLessThanOrEqual(43 * MIN);
      if (s.site === flap.site || s.site === hit.site) continue;
      expect(s.outages).toEqual([]);
      expect(s.down_ms).toBe(0);
    }
  });

  it('gives the uplink an office-hours shape, and 5-minute rollups that agree with the raw samples', () => {
    const u = config.uplinks[0]!;
    const usage = uplinkUsage(store, u, summary.from, summary.to, config.server.timezone);
    const rows = usage.in.heatmap.flat().filter((x): x is number => x !== null);
    expect(rows.length).toBeGreaterThan(40);
    const day = summary.to - DAY;
    const weekday = new Date(day + 7 * 3_600_000).getUTCDay();
    const row = usage.in.heatmap[(weekday + 6) % 7]!;
    if (weekday !== 0 && weekday !== 6) expect(row[10]!).toBeGreaterThan(3 * row[3]!);
    expect(usage.in.p95_utilization!).toBeGreaterThan(0.5);

    // The same store read as if raw samples had expired: the writer's 5-minute rollups answer.
    const id = uplinkSeries(store, u, 'in');
    const raw = fiveMinuteAverages(store, id, day, day + 6 * 3_600_000);
    const rolled = openStore(config.storage.path, { jobs: false, now: () => summary.to, retention: { rawMs: 1000 } });
    try {
      const r5 = fiveMinuteAverages(rolled, id, day, day + 6 * 3_600_000);
      expect(r5.resolution).toBe('5m');
      expect(raw.resolution).toBe('5m');
      expect(r5.ts).toEqual(raw.ts);
      r5.mean.forEach((v, i) => expect(v).toBeCloseTo(raw.mean[i]!, 6));
    } finally {
      rolled.close();
    }
  });
});
