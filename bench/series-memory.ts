/**
 * Memory per series: what the daemon holds for each series once it has seen a few polls. BENCH_TARGETS
 * switches of BENCH_PORTS (default 48) IF-MIB ports each go through the real sample step (probes/snmp/
 * samples.ts: counters, labels, info series), the real pipeline with its limits (src/limits.ts) and the
 * consumers that keep series: the SQLite store (a temp file), the exporter and the live state, for
 * BENCH_CYCLES (default 4) polls 20 s apart (simulated time). No network: the point is memory, not SNMP.
 * RSS and heap are read after a full GC, before and after, and divided by netmon_series_active.
 *
 *   node --expose-gc --max-old-space-size=8192 --import tsx bench/series-memory.ts     (BENCH_TARGETS=2100: ~100k series)
 *   → ONE JSON object on stdout
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CounterTracker } from '../probes/snmp/counters.js';
import { compilePlan, tableRows } from '../probes/snmp/plan.js';
import { loadProfiles } from '../probes/snmp/profile.js';
import { buildSamples, discardSamples, type CounterState } from '../probes/snmp/samples.js';
import type { ColumnData, RawValue } from '../probes/snmp/walk.js';
import { Exporter } from '../src/exporter.js';
import { DEFAULT_LIMITS, SeriesGuard } from '../src/limits.js';
import { LiveState } from '../src/live.js';
import { Pipeline } from '../src/pipeline.js';
import type { ProbeResult } from '../src/scheduler.js';
import { openStore } from '../src/store/index.js';
import type { Target } from '../src/types.js';

const TARGETS = Number(process.env.BENCH_TARGETS ?? 2100);
const PORTS = Number(process.env.BENCH_PORTS ?? 48);
const CYCLES = Number(process.env.BENCH_CYCLES ?? 4);
/** Which consumers hold series (default all): to see what each one costs. */
const CONSUMERS = new Set((process.env.BENCH_CONSUMERS ?? 'store,exporter,live').split(','));
const INTERVAL_MS = 20_000;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

function settle(): { rss: number; heap: number } {
  for (let i = 0; i < 3; i++) gc!();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed + m.external + m.arrayBuffers };
}

const IF = '1.3.6.1.2.1.2.2.1';
const IFX = '1.3.6.1.2.1.31.1.1.1';

/** One switch's IF-MIB columns at poll `cycle` (counters moving, labels fixed). */
function columns(t: number, cycle: number): ColumnData {
  const col = (f: (p: number) => RawValue) => new Map(Array.from({ length: PORTS }, (_, k) => [String(k + 1), f(k + 1)] as [string, RawValue]));
  const bytes = (p: number) => BigInt(1_000_000 * p + cycle * 25_000_000 * ((p + t) % 7));
  return new Map([
    [`${IF}.2`, col((p) => Buffer.from(`GigabitEthernet1/0/${p}`))],
    [`${IF}.5`, col(() => 1_000_000_000)],
    [`${IF}.7`, col(() => 1)],
    [`${IF}.8`, col((p) => (p % 5 === 0 ? 2 : 1))],
    ...[13, 14, 19, 20].map((c) => [`${IF}.${c}`, col(() => cycle)] as [string, Map<string, RawValue>]),
    [`${IFX}.1`, col((p) => Buffer.from(`Gi1/0/${p}`))],
    [`${IFX}.6`, col(bytes)],
    [`${IFX}.7`, col((p) => bytes(p) / 700n)],
    [`${IFX}.10`, col((p) => bytes(p) * 3n)],
    [`${IFX}.11`, col((p) => (bytes(p) * 3n) / 700n)],
    [`${IFX}.15`, col(() => 1000)],
    [`${IFX}.18`, col((p) => Buffer.from(`uplink to floor ${p % 12} access switch`))],
    [`${IFX}.19`, col(() => 0)],
  ]);
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'netmon-bench-mem-'));
  const plan = compilePlan([loadProfiles().get('if-mib')!]);
  const before = settle();
  const store = openStore(join(dir, 'netmon.db'));
  const exporter = new Exporter();
  const live = new LiveState();
  const guard = new SeriesGuard({ ...DEFAULT_LIMITS, series_total: 10_000_000, series_per_target: 10_000_000 });
  const pipeline = new Pipeline(undefined, guard);
  if (CONSUMERS.has('store')) pipeline.subscribe('store', (r) => store.write(r.samples));
  if (CONSUMERS.has('exporter')) pipeline.subscribe('exporter', (r) => exporter.accept(r));
  if (CONSUMERS.has('live')) pipeline.subscribe('live', (r) => live.accept(r));
  const targets: { target: Target; state: CounterState }[] = Array.from({ length: TARGETS }, (_, i) => ({
    target: { name: `sw-${String(i).padStart(5, '0')}`, address: `10.${i >> 8}.${i & 255}.1`, site: `site-${i % 300}`, role: 'switch', labels: {}, probes: [] },
    state: { counters: new CounterTracker(), discontinuity: new Map(), sources: new Map() },
  }));
  const spec = { kind: 'snmp' as const, intervalMs: INTERVAL_MS, timeoutMs: 2000, options: {} as never };
  const t0 = Date.now() - CYCLES * INTERVAL_MS;
  const wall = performance.now();
  for (let c = 0; c < CYCLES; c++) {
    const ts = t0 + c * INTERVAL_MS;
    for (const [i, { target, state }] of targets.entries()) {
      const data = columns(i, c);
      const samples = buildSamples(plan, { scalars: new Map(), columns: data, rows: tableRows(plan, data), rebooted: false }, state, ts);
      samples.push(...discardSamples(state.counters.stats, ts));
      const r: ProbeResult = { target, kind: 'snmp', spec, samples, scheduledAt: ts, startedAt: ts, durationMs: 50 };
      pipeline.publish(r);
    }
    store.flush();
  }
  const elapsed = performance.now() - wall;
  const after = settle();
  const series = guard.active;
  const out = {
    bench: 'series-memory',
    targets: TARGETS,
    ports: PORTS,
    cycles: CYCLES,
    consumers: [...CONSUMERS].join(','),
    series,
    exported_series: exporter.seriesCount(),
    rss_mb: Math.round(after.rss / 2 ** 20),
    rss_bytes_per_series: Math.round((after.rss - before.rss) / series),
    heap_bytes_per_series: Math.round((after.heap - before.heap) / series),
    ingest_ms_per_cycle: Math.round(elapsed / CYCLES),
  };
  store.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(JSON.stringify(out));
}

main();
