/**
 * The Prometheus exposition of everything probes measure (text format 0.0.4, what `promtool check metrics`
 * and every Prometheus-compatible scraper read).
 *
 * Shape, chosen so a scrape of 100,000 series does not rebuild everything:
 * - each probe result replaces the series of its (target, probe) group; a series' line is rendered once,
 *   when its sample arrives, and updated in place (stable order, no delete/re-insert churn);
 * - each metric family keeps its rendered text (HELP, TYPE, lines) until one of its lines changes, and the
 *   whole probe part is kept until anything changes, so a scrape only joins ready chunks (and a second
 *   Prometheus of an HA pair scraping between two polls gets the cached text as is);
 * - no timestamps are exposed: Prometheus stamps the scrape and its staleness handling removes a series
 *   one scrape after it disappears here.
 *
 * Freshness: a group whose probe keeps failing goes stale after two missed cycles plus the timeout and its
 * series disappear, so no frozen value outlives the device's silence. Its health series (made by the
 * pipeline) stay: `netmon_probe_success` 0, `netmon_probe_failure_info{reason}` 1 and
 * `netmon_probe_last_success_timestamp_seconds` say what happened and since when. Health itself goes stale
 * (5 cycles plus the timeout) only if the probe stops running at all.
 *
 * netmon's own health (scheduler, store, process) comes from prom-client's registry and is appended.
 */
import client from 'prom-client';
import type { ProbeResult } from './scheduler.js';
import { HEALTH_METRIC_NAMES } from './pipeline.js';
import { stateOwner } from './status/samples.js';
import type { MetricType, Sample } from './types.js';
import { pushTo } from './multimap.js';

const METRIC_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const NEEDS_ESCAPE = /[\\\n"]/;

/**
 * One exposed series: its `name{labels} ` line prefix is written from `metric` and `key` at render time
 * (its byte length kept), not held encoded: a Buffer per series cost ~350 bytes more than the key itself.
 * An update only stores the new value.
 */
interface Series {
  fam: Family;
  metric: string;
  key: string;
  /** Labels of the sample that created the series, to recognise the same series in the next result cheaply. */
  labels: Record<string, string>;
  nLabels: number;
  /** UTF-8 bytes of `name{key} `. */
  prefixBytes: number;
  value: number;
  /** Group that wrote the series last; only it may delete it. */
  owner: string;
  /** Generation of the last write, to find the group's series that its newest result no longer has. */
  gen: number;
  dead: boolean;
}

interface Family {
  name: string;
  type: MetricType;
  header: Buffer;
  /** series key → series */
  series: Map<string, Series>;
  /** Where HELP + TYPE + lines are in the latest output, or null when a series changed since. */
  chunk: Buffer | null;
}

interface Group {
  /** The series of each sample of the group's newest result, by position (undefined: sample left out). */
  bySample: (Series | undefined)[];
  lastOkMs: number;
  staleAfterMs: number;
}

export interface ExporterOptions {
  /** Clock (ms); tests pass a fake one. */
  now?: () => number;
  /** Told once per problem (invalid name, type clash...); the offending samples are left out. */
  warn?: (msg: string) => void;
}

export function escapeLabelValue(v: string): string {
  if (!NEEDS_ESCAPE.test(v)) return v;
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

export function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** Digits (and sign) of a safe integer, or -1 for any other value. */
function intLength(v: number): number {
  if (!Number.isSafeInteger(v)) return -1;
  let n = v < 0 ? 2 : 1;
  let a = Math.abs(v);
  while (a >= 10) {
    a = Math.floor(a / 10);
    n++;
  }
  return n;
}

/** Write a safe integer's decimal digits at `off`; returns the end offset. */
function writeInt(buf: Buffer, off: number, v: number): number {
  if (v < 0) {
    buf[off++] = 45; // '-'
    v = -v;
  }
  const len = intLength(v);
  for (let i = off + len - 1; i >= off; i--) {
    buf[i] = 48 + (v % 10);
    v = Math.floor(v / 10);
  }
  return off + len;
}

/** Canonical `k="v",...` of a label set (keys sorted), also the series' identity inside its family. */
export function seriesKey(labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort();
  // Built with join, not +=: a concatenated key is a tree of V8 cons strings (32 bytes per piece), and
  // every exported series keeps its key for as long as it lives (~10k series: ~5 MB of cons nodes).
  const parts = new Array<string>(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    parts[i] = `${k}="${escapeLabelValue(String(labels[k]))}"`;
  }
  return parts.join(',');
}

function sameLabels(ser: Series, labels: Record<string, string>): boolean {
  if (ser.labels === labels) return true;
  let n = 0;
  for (const k in labels) {
    if (ser.labels[k] !== labels[k]) return false;
    n++;
  }
  return n === ser.nLabels;
}

export class Exporter {
  private readonly families = new Map<string, Family>();
  private readonly groups = new Map<string, Group>();
  /** Families in exposition order, or null after a family was added. */
  private sorted: Family[] | null = null;
  private gen = 0;
  private readonly warned = new Set<string>();
  private readonly now: () => number;
  private readonly warn: (msg: string) => void;
  readonly registry = new client.Registry();

  constructor(opts: ExporterOptions | (() => number) = {}) {
    const o = typeof opts === 'function' ? { now: opts } : opts;
    this.now = o.now ?? Date.now;
    this.warn = o.warn ?? (() => undefined);
  }

  /**
   * Consume one probe result (the pipeline calls this; it has made the health series). The health series
   * replace the result's health group; a successful run's own samples replace its data group; the status
   * module's target and site states (src/status/samples.ts) replace their owner's group after EVERY result,
   * a failed run included (a silent agent is what makes a target down), so a cleared reason goes at once.
   */
  accept(r: ProbeResult): void {
    const dataKey = `${r.target.name}\u0000${r.kind}`;
    const healthKey = `${dataKey}\u0000health`;
    const health: Sample[] = [];
    const data: Sample[] = [];
    const states = new Map<string, Sample[]>();
    for (const s of r.samples) {
      if (HEALTH_METRIC_NAMES.has(s.metric)) health.push(s);
      else {
        const owner = stateOwner(s);
        if (!owner) data.push(s);
        else {
          const key = 'target' in owner ? `${owner.target}\u0000state` : `\u0000site\u0000${owner.site}`;
          pushTo(states, key, s);
        }
      }
    }
    const now = this.now();
    const interval = r.spec.intervalMs;
    this.replaceGroup(healthKey, health, 5 * interval + r.spec.timeoutMs, now);
    // Stale after two missed cycles plus the timeout: long enough to ride out one lost poll.
    if (!r.error) this.replaceGroup(dataKey, data, 2 * interval + r.spec.timeoutMs, now);
    for (const [key, ss] of states) this.replaceGroup(key, ss, 2 * interval + r.spec.timeoutMs, now);
  }

  /** Forget every group of targets no longer configured (after a reload). */
  retainTargets(names: ReadonlySet<string>): void {
    // Site state groups (no target in their key) go stale on their own once no target of the site reports.
    const gone = (key: string) => !key.startsWith('\u0000') && !names.has(key.slice(0, key.indexOf('\u0000')));
    for (const key of [...this.groups.keys()]) if (gone(key)) this.dropGroup(key);
  }

  private once(key: string, msg: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.warn(msg);
  }

  private family(s: Sample): Family | undefined {
    let fam = this.families.get(s.metric);
    if (fam) {
      if (fam.type !== s.type) {
        this.once(`type:${s.metric}`, `metric ${s.metric} arrives as ${s.type} but is exported as ${fam.type}; those samples are not exported`);
        return undefined;
      }
      return fam;
    }
    if (!METRIC_NAME.test(s.metric)) {
      this.once(`name:${s.metric}`, `invalid metric name ${JSON.stringify(s.metric)}; not exported`);
      return undefined;
    }
    if (this.registry.getSingleMetric(s.metric)) {
      this.once(`self:${s.metric}`, `metric ${s.metric} is one of netmon's own; probe samples of that name are not exported`);
      return undefined;
    }
    const help = s.help?.trim() || `${s.metric} (no description given by its probe or profile).`;
    const header = Buffer.from(`# HELP ${s.metric} ${escapeHelp(help)}\n# TYPE ${s.metric} ${s.type}\n`);
    fam = { name: s.metric, type: s.type, header, series: new Map(), chunk: null };
    this.families.set(s.metric, fam);
    this.sorted = null;
    return fam;
  }

  private validLabels(s: Sample): boolean {
    for (const k in s.labels) {
      if (!LABEL_NAME.test(k) || k.startsWith('__')) {
        this.once(`label:${s.metric}:${k}`, `invalid label name ${JSON.stringify(k)} on ${s.metric}; those samples are not exported`);
        return false;
      }
    }
    return true;
  }

  /** The series of a sample, found by its labels (or created). Slow path: key building and map lookup. */
  private lookup(s: Sample, owner: string): Series | undefined {
    const fam = this.family(s);
    if (!fam || !this.validLabels(s)) return undefined;
    const key = seriesKey(s.labels);
    let ser = fam.series.get(key);
    if (!ser) {
      ser = { fam, metric: s.metric, key, labels: s.labels, nLabels: Object.keys(s.labels).length, prefixBytes: Buffer.byteLength(s.metric) + Buffer.byteLength(key) + 3, value: NaN, owner, gen: 0, dead: false };
      fam.series.set(key, ser);
      fam.chunk = null;
    }
    return ser;
  }

  private replaceGroup(key: string, samples: readonly Sample[], staleAfterMs: number, now: number): void {
    const gen = ++this.gen;
    const old = this.groups.get(key);
    const bySample: Group['bySample'] = new Array<Series | undefined>(samples.length);
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i]!;
      // Fast path: a probe returns its series in the same order every cycle.
      let ser = old?.bySample[i];
      if (!ser || ser.dead || ser.metric !== s.metric || ser.fam.type !== s.type || !sameLabels(ser, s.labels)) ser = this.lookup(s, key);
      if (!ser) continue;
      if (!Object.is(ser.value, s.value)) {
        ser.value = s.value;
        ser.fam.chunk = null;
      }
      ser.owner = key;
      ser.gen = gen;
      bySample[i] = ser;
    }
    if (old) for (const ser of old.bySample) if (ser && !ser.dead && ser.owner === key && ser.gen !== gen) this.remove(ser);
    this.groups.set(key, { bySample, lastOkMs: now, staleAfterMs });
  }

  private remove(ser: Series): void {
    ser.dead = true;
    ser.fam.series.delete(ser.key);
    ser.fam.chunk = null;
  }

  private dropGroup(key: string): void {
    const g = this.groups.get(key);
    if (!g) return;
    for (const ser of g.bySample) if (ser && !ser.dead && ser.owner === key) this.remove(ser);
    this.groups.delete(key);
  }

  private sweepStale(): void {
    const now = this.now();
    for (const [key, g] of this.groups) if (now - g.lastOkMs > g.staleAfterMs) this.dropGroup(key);
  }

  /** Number of probe series currently exposed. */
  seriesCount(): number {
    this.sweepStale();
    let n = 0;
    for (const f of this.families.values()) n += f.series.size;
    return n;
  }

  /**
   * Bytes of a family's text. Values are formatted at render time, without allocating for integers (most
   * values: counters, states); other values' strings are returned in `floats`, in series order.
   */
  private static familySize(fam: Family, floats: string[]): number {
    if (fam.chunk) return fam.chunk.length;
    let size = fam.header.length;
    for (const ser of fam.series.values()) {
      const v = ser.value;
      let len = intLength(v);
      if (len < 0) {
        const t = formatValue(v);
        floats.push(t);
        len = t.length;
      }
      size += ser.prefixBytes + len + 1;
    }
    return size;
  }

  /** Write a family's lines at `off` of `buf`; returns the end offset. */
  private static writeFamily(fam: Family, buf: Buffer, off: number, floats: string[], fi: number): [number, number] {
    off += fam.header.copy(buf, off);
    for (const ser of fam.series.values()) {
      off += buf.write(ser.metric, off, 'latin1'); // metric names are ASCII
      buf[off++] = 123; // {
      off += buf.write(ser.key, off, 'utf8');
      buf[off++] = 125; // }
      buf[off++] = 32;
      const v = ser.value;
      if (intLength(v) >= 0) off = writeInt(buf, off, v);
      else {
        const t = floats[fi++]!; // ASCII: digits, sign, dot, exponent, NaN, Inf
        for (let j = 0; j < t.length; j++) buf[off++] = t.charCodeAt(j);
      }
      buf[off++] = 10;
    }
    return [off, fi];
  }

  /**
   * The whole text exposition (format 0.0.4, UTF-8): probe series, then netmon's own metrics, in ONE
   * buffer allocated per scrape. A family that changed is written straight into it; one that did not is
   * copied from where it was in the previous output. Either way the family's chunk then points into the
   * new output, so older outputs are freed as soon as their responses are sent. An output is never
   * written to after it was returned, so concurrent scrapes are safe.
   */
  async render(): Promise<Buffer> {
    const self = await this.registry.metrics();
    this.sweepStale();
    this.sorted ??= [...this.families.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const live = this.sorted.filter((f) => f.series.size > 0);
    const floats: string[] = [];
    const sizes = live.map((f) => Exporter.familySize(f, floats));
    const selfBytes = Buffer.byteLength(self);
    const out = Buffer.allocUnsafe(sizes.reduce((a, b) => a + b, 0) + selfBytes);
    let off = 0;
    let fi = 0;
    for (let i = 0; i < live.length; i++) {
      const fam = live[i]!;
      const start = off;
      if (fam.chunk) off += fam.chunk.copy(out, off);
      else [off, fi] = Exporter.writeFamily(fam, out, off, floats, fi);
      if (off - start !== sizes[i]) throw new Error(`exporter: family ${fam.name} rendered ${off - start} bytes, expected ${sizes[i]}`);
      fam.chunk = out.subarray(start, off);
    }
    off += out.write(self, off, 'utf8');
    return out.subarray(0, off);
  }

  /** `render()` as a string (tests, tools). */
  async renderText(): Promise<string> {
    return (await this.render()).toString('utf8');
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
