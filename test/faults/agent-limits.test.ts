/**
 * What a hostile agent can make the daemon hold is bounded (issue #24, item 7), through the real daemon
 * (in-process), its /metrics and a hostile UDP agent (test/kit/hostile-agent.ts):
 * - a 65,000-byte ifAlias: label values cut to limits.label_value_length with "…", counted, /metrics small;
 * - an endless ifTable: the walk stops at snmp.max_table_rows in a fraction of the poll deadline, the poll
 *   is partial (reason row_limit) and counted;
 * - more series than limits.series_per_target / series_total: new ones refused, logged once, counted,
 *   netmon_series_active bounded, the daemon up and polling.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../../src/daemon.js';
import { startHostileAgent, type HostileOptions } from '../kit/hostile-agent.js';
import { metricSum, metricValue } from '../kit/proc.js';
import { until } from './helpers.js';

let closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.reverse()) await c();
  closers = [];
});

interface Rig {
  daemon: Daemon;
  logs: string[];
  scrape(): Promise<string>;
}

/** The daemon polling `names` (every 2 s unless `interval`) on one hostile agent, with `limits` and snmp options. */
async function rig(agent: HostileOptions, o: { names?: string[]; limits?: string; snmp?: string; interval?: string }): Promise<Rig> {
  const a = await startHostileAgent(agent);
  closers.push(() => a.close());
  const dir = mkdtempSync(join(tmpdir(), 'netmon-limits-'));
  closers.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'netmon.yaml');
  const targets = (o.names ?? ['hostile'])
    .map(
      (n) => `  - name: ${n}
    address: 127.0.0.1
    site: lab
    role: switch
    snmp: { credential: c, port: ${a.port}, interval: ${o.interval ?? '2s'}, timeout: 1s, retries: 0, replace_default_profiles: true, profiles: [if-mib]${o.snmp ? `, ${o.snmp}` : ''} }`,
    )
    .join('\n');
  writeFileSync(
    file,
    `storage: { path: netmon.db }
${o.limits ? `limits: { ${o.limits} }\n` : ''}credentials:
  c: { version: "2c", community: public }
sites:
  - { id: lab, name: Lab, group: datacentre }
targets:
${targets}
`,
  );
  const logs: string[] = [];
  const daemon = await startDaemon({ configFile: file, log: pino({ level: 'info' }, { write: (s: string) => void logs.push(s) }), port: 0 });
  closers.push(() => daemon.stop());
  return { daemon, logs, scrape: async () => (await fetch(`${daemon.url}metrics`)).text() };
}

/** Every label value of every sample line of an exposition. */
function labelValues(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    for (const m of line.matchAll(/="((?:[^"\\]|\\.)*)"/g)) out.push(m[1]!);
  }
  return out;
}

describe('limits on what an agent can make netmon hold', () => {
  it('a 65,000-byte ifAlias becomes a label of at most label_value_length characters, counted; /metrics stays small', async () => {
    const r = await rig({ ports: 4, aliasBytes: 65_000 }, { limits: 'label_value_length: 200' });
    let text = '';
    await until('the interfaces on /metrics', async () => metricSum((text = await r.scrape()), 'netmon_interface_info') === 4, 20_000);
    const aliases = labelValues(text).filter((v) => v.startsWith('AAAA'));
    expect(aliases.length).toBeGreaterThan(0);
    for (const v of labelValues(text)) expect(v.length).toBeLessThanOrEqual(200);
    expect(aliases.every((v) => v.endsWith('…') && v.length === 200)).toBe(true);
    expect(metricValue(text, 'netmon_label_truncated_total')).toBeGreaterThan(0);
    // Before: 3.1 MB from this agent (65 KB per label value). Now a few KB of interface series plus netmon's own.
    expect(Buffer.byteLength(text)).toBeLessThan(150_000);
  });

  it('an endless ifTable is cut at max_table_rows in a fraction of the poll deadline: partial (row_limit), counted', async () => {
    const r = await rig({ endless: true }, { snmp: 'max_table_rows: 300', interval: '10s' });
    let text = '';
    await until('a cut poll on /metrics', async () => (metricValue((text = await r.scrape()), 'netmon_snmp_walks_cut_total', 'reason="row_limit"') ?? 0) >= 1, 20_000);
    expect(metricValue(text, 'netmon_probe_partial_info', 'reason="row_limit"')).toBe(1);
    expect(metricValue(text, 'netmon_probe_success', 'probe="snmp"')).toBe(1);
    // The deadline of a 10 s poll is 9 s; 300 rows of 17 columns take a fraction of it (about 0.5 s on an
    // idle machine; the agent shares this process, so a loaded machine slows both).
    const duration = metricValue(text, 'netmon_probe_duration_seconds', 'probe="snmp"')!;
    expect(duration).toBeLessThan(3);
    expect(metricSum(text, 'netmon_interface_info')).toBe(300);
    expect(r.logs.some((l) => l.includes('partial answer (row_limit)') && l.includes('more than 300 rows'))).toBe(true);
  });

  it('series beyond series_per_target and series_total are refused and counted, logged once; the daemon stays up', async () => {
    // Each target: 300 rows × 12 series (11 metrics + info) = 3,600 series, plus 6 counter-gap series.
    const r = await rig({ endless: true }, { names: ['big-a', 'big-b', 'big-c'], snmp: 'max_table_rows: 300', limits: 'series_per_target: 2000, series_total: 5000' });
    let text = '';
    const refused = (limit: string) => metricValue(text, 'netmon_series_refused_total', `limit="${limit}"`) ?? 0;
    await until('both limits hit', async () => {
      text = await r.scrape();
      return refused('target') > 0 && refused('total') > 0;
    }, 30_000);
    expect(metricValue(text, 'netmon_series_active')).toBeLessThanOrEqual(5000);
    expect(metricValue(text, 'netmon_series_active')).toBeGreaterThan(4000);
    // Polling goes on: every target keeps succeeding, and the refusals keep being counted, not logged.
    const runs = metricSum(text, 'netmon_scheduler_runs_total');
    await until('more polls', async () => metricSum((text = await r.scrape()), 'netmon_scheduler_runs_total') >= runs + 3, 20_000);
    for (const t of ['big-a', 'big-b', 'big-c']) expect(metricValue(text, 'netmon_probe_success', `target="${t}"`)).toBe(1);
    expect((await fetch(`${r.daemon.url}-/healthy`)).status).toBe(200);
    const logged = r.logs.filter((l) => l.includes('new series refused'));
    expect(logged.length).toBeGreaterThanOrEqual(1);
    expect(logged.length).toBeLessThanOrEqual(3 * 2);
    expect(logged.some((l) => l.includes('limits.series_per_target (2000)'))).toBe(true);
  });
});
