/**
 * Limits on what a monitored device can make netmon hold (issue #24): every series costs memory in the
 * exporter, the store's open chunks and the live state, and SNMP strings become label values, so an agent
 * with a 65,000-byte ifAlias or an endless table, or a config with more ports than the machine can hold,
 * must meet a bound, never "JavaScript heap out of memory".
 *
 * - label values longer than `label_value_length` are cut, ending in "…" (netmon_label_truncated_total);
 * - a probe result may create series only while its target holds fewer than `series_per_target` and
 *   netmon fewer than `series_total`; beyond, new series are refused (the ones a target already has go
 *   on), logged once per target and limit, counted in netmon_series_refused_total{limit}, and
 *   netmon_series_active says how many are held. A series is "held" while the newest successful result of
 *   its (target, probe) has it: series that vanish (a renamed port) free their slot at the next result.
 * - the V8 heap is sized from `series_total` (heapMegabytes; bin/netmon.js through src/heap.ts).
 * Health series (made by the pipeline) and derived series (uplinks, states) are few per target and exempt.
 */
import { getHeapStatistics } from 'node:v8';
import client from 'prom-client';
import { z } from 'zod';
import type { Sample } from './types.js';

export const limitsSchema = z
  .strictObject({
    label_value_length: z.number().int().min(16).max(65_536).default(256).describe('label values longer than this (characters) are cut, ending in "…"'),
    series_per_target: z.number().int().min(1).default(100_000).describe('series one target may have; new ones beyond are refused (netmon_series_refused_total)'),
    series_total: z.number().int().min(1).max(50_000_000).default(150_000).describe('series netmon holds in all; new ones beyond are refused; sizes the V8 heap (256 MB + 4 KB per series)'),
  })
  .prefault({})
  .describe('what monitored devices can make netmon hold');
export type LimitsConfig = z.output<typeof limitsSchema>;

export const DEFAULT_LIMITS: LimitsConfig = limitsSchema.parse(undefined);

/**
 * Heap (old space) per series the limit must leave room for, and the base the rest of netmon needs:
 * bench/series-memory.ts measured 1.9 KB of heap (2.7-2.8 KB of RSS) per series at 116k and 250k series
 * (README, "Performance and reliability"); 4 KB leaves room for V8's growth between GCs. The default series_total (150,000) needs
 * 842 MB: within bin/netmon.js's 1 GB, so only a raised limit relaunches the daemon (src/heap.ts).
 */
export const HEAP_BYTES_PER_SERIES = 4096;
export const HEAP_BASE_MB = 256;

/** --max-old-space-size for a config's limits. */
export function heapMegabytes(l: LimitsConfig): number {
  return HEAP_BASE_MB + Math.ceil((l.series_total * HEAP_BYTES_PER_SERIES) / 2 ** 20);
}

const MARKER = '…';

/** `v` cut to at most `max` characters, ending in the marker; never splits a surrogate pair. */
export function truncateLabel(v: string, max: number): string {
  if (v.length <= max) return v;
  let end = max - MARKER.length;
  const c = v.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return v.slice(0, end) + MARKER;
}

/**
 * 53-bit hash of a series (metric + labels in the order the probe made them; a probe makes one series'
 * labels in the same order every time). Held per series instead of the key string: ~20 bytes, not ~200.
 */
function seriesHash(metric: string, labels: Record<string, string>): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  const mix = (s: string) => {
    for (let i = 0; i < s.length; i++) {
      const ch = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ ch, 2654435761);
      h2 = Math.imul(h2 ^ ch, 1597334677);
    }
    h1 = Math.imul(h1 ^ 0xfffe, 2654435761);
    h2 = Math.imul(h2 ^ 0xfffe, 1597334677);
  };
  mix(metric);
  for (const k in labels) {
    mix(k);
    mix(labels[k]!);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

export type RefusedBy = 'target' | 'total';
export type LimitLog = (msg: string, extra: Record<string, unknown>) => void;

/** The series of a (target, probe)'s newest successful result: hash → its labelled label set. */
interface Group {
  /** The target's identity labels (JSON) the label sets were made with. */
  identity: string;
  series: Map<number, Record<string, string>>;
}

const NONE: Group = { identity: '', series: new Map() };

/** Is `held` (labels + identity, made earlier) the same label set as `labels` + `identity` now? */
function same(held: Record<string, string>, labels: Record<string, string>, identity: Record<string, string>, nIdentity: number): boolean {
  let n = nIdentity;
  for (const k in labels) {
    if (k in identity) continue;
    if (held[k] !== labels[k]) return false;
    n++;
  }
  return Object.keys(held).length === n;
}

export class SeriesGuard {
  /** `target\0probe` → the series of its newest successful result. */
  private readonly groups = new Map<string, Group>();
  private readonly perTarget = new Map<string, number>();
  private held = 0;
  truncated = 0;
  readonly refused: Record<RefusedBy, number> = { target: 0, total: 0 };
  /** Limits already logged (`target\0limit`), until a result of the target is admitted whole again. */
  private readonly told = new Set<string>();

  constructor(
    private limits: LimitsConfig,
    private readonly log: LimitLog = () => undefined,
  ) {
    this.checkHeap();
  }

  setLimits(l: LimitsConfig): void {
    const raised = l.series_total > this.limits.series_total;
    this.limits = l;
    if (raised) this.checkHeap();
  }

  /** Say so when the heap cannot hold series_total (a reload raised it, or netmon was not started by bin/netmon.js). */
  private checkHeap(): void {
    const need = heapMegabytes(this.limits);
    const have = Math.floor(getHeapStatistics().heap_size_limit / 2 ** 20);
    if (need <= have) return;
    this.log(`limits.series_total ${this.limits.series_total} needs a heap of ${need} MB, this process has ${have} MB: restart netmon with bin/netmon.js (it sizes the heap from the config) or lower limits.series_total`, {
      need_mb: need,
      have_mb: have,
    });
  }

  get active(): number {
    return this.held;
  }

  /** Cut over-long label values of the samples in place (counted in `truncated`). */
  truncate(samples: readonly Sample[]): void {
    const max = this.limits.label_value_length;
    for (const s of samples) {
      for (const k in s.labels) {
        const v = s.labels[k]!;
        if (v.length > max) {
          s.labels[k] = truncateLabel(v, max);
          this.truncated++;
        }
      }
    }
  }

  /**
   * A successful probe result's own samples: truncated, those of new series beyond a limit removed in
   * place, and the rest labelled with the target's `identity`. The series this result shares with the
   * group's previous one keep their slot; a new one needs room counting them, so a lowered limit never
   * evicts what exists, and a renamed port (its old series gone from this result) takes the freed slot.
   * A series seen before gets the very label object it got then (checked equal, not trusted to the hash):
   * the exporter, the live state and the store's label cache then hold one object per series, not one per
   * consumer and poll.
   */
  admit(target: string, probe: string, samples: Sample[], identity: Record<string, string>): void {
    this.truncate(samples);
    const key = `${target}\u0000${probe}`;
    const id = JSON.stringify(identity);
    const nIdentity = Object.keys(identity).length;
    const group = this.groups.get(key) ?? NONE;
    const prev = group.series;
    const reuse = group.identity === id;
    const others = (this.perTarget.get(target) ?? 0) - prev.size;
    const othersAll = this.held - prev.size;
    const next = new Map<number, Record<string, string>>();
    const hashes = samples.map((s) => seriesHash(s.metric, s.labels));
    const kept = new Set(hashes.filter((h) => prev.has(h))).size;
    let added = 0;
    const refused: Record<RefusedBy, number> = { target: 0, total: 0 };
    let w = 0;
    for (const [i, s] of samples.entries()) {
      const h = hashes[i]!;
      let held = next.get(h) ?? prev.get(h);
      if (held === undefined) {
        const by: RefusedBy | undefined =
          others + kept + added >= this.limits.series_per_target ? 'target' : othersAll + kept + added >= this.limits.series_total ? 'total' : undefined;
        if (by) {
          refused[by]++;
          continue;
        }
        added++;
      }
      if (held === undefined || !reuse || !same(held, s.labels, identity, nIdentity)) held = { ...s.labels, ...identity };
      next.set(h, held);
      s.labels = held;
      samples[w++] = s;
    }
    samples.length = w;
    this.groups.set(key, { identity: id, series: next });
    this.perTarget.set(target, others + next.size);
    this.held = othersAll + next.size;
    this.report(target, refused);
  }

  private report(target: string, refused: Record<RefusedBy, number>): void {
    for (const by of ['target', 'total'] as const) {
      const told = `${target}\u0000${by}`;
      if (refused[by] === 0) {
        this.told.delete(told);
        continue;
      }
      this.refused[by] += refused[by];
      if (this.told.has(told)) continue;
      this.told.add(told);
      const limit = by === 'target' ? `limits.series_per_target (${this.limits.series_per_target})` : `limits.series_total (${this.limits.series_total})`;
      this.log(`target ${target}: ${refused[by]} new series refused: ${limit} reached; existing series go on, see netmon_series_refused_total (logged once until it clears)`, {
        target,
        limit: by,
        refused: refused[by],
      });
    }
  }

  /** Forget targets no longer configured (after a reload): their series free their slots. */
  retainTargets(names: ReadonlySet<string>): void {
    for (const [key, group] of this.groups) {
      const target = key.slice(0, key.indexOf('\u0000'));
      if (names.has(target)) continue;
      this.groups.delete(key);
      this.held -= group.series.size;
      this.perTarget.delete(target);
    }
    for (const k of this.told) if (!names.has(k.slice(0, k.indexOf('\u0000')))) this.told.delete(k);
  }
}

/** netmon_series_active, netmon_series_refused_total{limit}, netmon_label_truncated_total on /metrics. */
export function registerLimitMetrics(registry: client.Registry, guard: SeriesGuard): void {
  const r = [registry];
  new client.Gauge({
    name: 'netmon_series_active',
    help: 'Series held for probe results (limits.series_total caps it; health and derived series are not counted).',
    registers: r,
    collect() {
      this.set(guard.active);
    },
  });
  const last: Record<RefusedBy, number> = { target: 0, total: 0 };
  new client.Counter({
    name: 'netmon_series_refused_total',
    help: 'New series refused because a limit was reached: limits.series_per_target (limit="target") or limits.series_total (limit="total").',
    labelNames: ['limit'],
    registers: r,
    collect() {
      for (const by of ['target', 'total'] as const) {
        this.inc({ limit: by }, guard.refused[by] - last[by]);
        last[by] = guard.refused[by];
      }
    },
  });
  let lastTruncated = 0;
  new client.Counter({
    name: 'netmon_label_truncated_total',
    help: 'Label values cut to limits.label_value_length characters (ending in "…"), e.g. an over-long ifAlias.',
    registers: r,
    collect() {
      this.inc(guard.truncated - lastTruncated);
      lastTruncated = guard.truncated;
    },
  });
}
