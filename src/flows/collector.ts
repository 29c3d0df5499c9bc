/**
 * The flow collector (`flows:` in the main file): UDP listeners for NetFlow/IPFIX and sFlow, decoding
 * (decode.ts), sampling-rate scaling, attribution (attribute.ts), per-minute aggregation (aggregate.ts)
 * into flows.db (db.ts), /metrics and the answers of /api/v1/flows (src/http/flows.ts).
 *
 * Exporters accepted: the addresses in flows.exporters and every target's configured address (a router
 * that is a target can export without more config). Anything else is dropped as unknown_exporter.
 * Interface → uplink: flows.exporters[].interfaces first, then the exporter's own interface names (options
 * records), then the SNMP interface table of its target (ifName of the uplink's `interface`).
 */
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { dirname, join } from 'node:path';
import client from 'prom-client';
import type { LoadedConfig } from '../config/model.js';
import type { FlowTopResponse } from '../http/contract.js';
import { MINUTE, MinuteAggregator, OTHER, type Dimension, type FlowRow } from './aggregate.js';
import { ApplicationTable } from './applications.js';
import { Attributor, type Direction } from './attribute.js';
import { flowConfigProblems, type FlowsConfig } from './config.js';
import { FlowDb } from './db.js';
import { decodeNetflow, decodeSflowDatagram, type Decoded } from './decode.js';
import { TemplateCache } from './templates.js';
import { DROP_REASONS } from './types.js';

export interface FlowServiceOptions {
  config: LoadedConfig & { flows: FlowsConfig };
  registry: client.Registry;
  log: (level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>) => void;
  /** ifIndex of a target's interface by its ifName, from the polled SNMP interface table. */
  snmpIfIndex(target: string, ifName: string): number | undefined;
  /** Override the configured ports (tests: 0 for free ones). */
  netflowPort?: number;
  sflowPort?: number;
  /** The flow database; default `flows.db` beside the store's database. */
  dbPath?: string;
  /** The clock (tests). */
  now?: () => number;
}

export interface TopRequest {
  uplink: string;
  direction: Direction;
  by: Dimension;
  from: number;
  to: number;
  limit: number;
}

export interface FlowsApi {
  top(q: TopRequest): FlowTopResponse | undefined;
}

const PRUNE_EVERY_MS = 3600e3;
/** How often the interface → uplink map is rebuilt: the SNMP interface table arrives after start-up. */
const REMAP_EVERY_MS = 10e3;
/** Bytes by uplink, direction and one label (site, app): nested, so counting a flow builds no key string. */
type LabelBytes = Map<string, Partial<Record<Direction, Map<string, number>>>>;

function addBytes(m: LabelBytes, a: { uplink: string; direction: Direction; bytes: number }, label: string): void {
  let byDir = m.get(a.uplink);
  if (!byDir) m.set(a.uplink, (byDir = {}));
  let byLabel = byDir[a.direction];
  if (!byLabel) byDir[a.direction] = byLabel = new Map();
  byLabel.set(label, (byLabel.get(label) ?? 0) + a.bytes);
}

const plainAddress = (a: string) => a.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1').toLowerCase();

export class FlowService implements FlowsApi {
  private config: LoadedConfig & { flows: FlowsConfig };
  private readonly cache = new TemplateCache();
  private readonly apps = ApplicationTable.load();
  private attributor!: Attributor;
  private exporterTarget = new Map<string, string | undefined>();
  private uplinkMap = new Map<string, Map<number, string | null>>();
  private uplinkMapAt = 0;
  private readonly agg: MinuteAggregator;
  private readonly db: FlowDb;
  private readonly sockets: dgram.Socket[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly siteBytes: LabelBytes = new Map();
  private readonly appBytes: LabelBytes = new Map();
  private unattributed = 0;
  private decodeSeconds = 0;
  private readonly datagrams: client.Counter<'protocol'>;
  private readonly records: client.Counter<'protocol'>;
  private readonly dropped: client.Counter<'reason'>;
  private readonly counterSamples: client.Counter;
  private readonly now: () => number;
  netflowPort = 0;
  sflowPort = 0;

  private constructor(private readonly o: FlowServiceOptions) {
    this.config = o.config;
    this.now = o.now ?? Date.now;
    this.db = new FlowDb(o.dbPath ?? join(dirname(o.config.storage.path), 'flows.db'), o.config.flows.top_n);
    this.agg = new MinuteAggregator(o.config.flows.top_n, (rows) => this.store(rows));
    this.reconfigure(o.config);
    const reg = [o.registry];
    this.datagrams = new client.Counter({ name: 'netmon_flow_packets_total', help: 'Flow datagrams accepted, by protocol (netflow5, netflow9, ipfix, sflow5).', labelNames: ['protocol'], registers: reg });
    this.records = new client.Counter({ name: 'netmon_flow_records_total', help: 'Flow records (sFlow: flow samples) decoded, by protocol.', labelNames: ['protocol'], registers: reg });
    this.dropped = new client.Counter({
      name: 'netmon_flow_packets_dropped_total',
      help: 'Flow datagrams dropped whole (truncated, bad_version, bad_length, bad_template, unknown_exporter, internal), or in part (no_template: data sets before their template).',
      labelNames: ['reason'],
      registers: reg,
    });
    for (const r of DROP_REASONS) this.dropped.inc({ reason: r }, 0);
    this.counterSamples = new client.Counter({ name: 'netmon_flow_sflow_interface_samples_total', help: 'sFlow interface counter samples received.', registers: reg });
    const cache = this.cache;
    new client.Gauge({ name: 'netmon_flow_templates', help: 'NetFlow v9 / IPFIX templates held (all exporters and domains).', registers: reg, collect() { this.set(cache.count()); } });
    const counterFrom = (name: string, help: string, value: () => number) =>
      new client.Counter({ name, help, registers: reg, collect() { this.reset(); this.inc(value()); } });
    counterFrom('netmon_flow_template_evictions_total', 'Templates, samplers and interface names evicted from the bounded template cache.', () => this.cache.evictions);
    counterFrom('netmon_flow_decode_seconds_total', 'CPU time spent decoding, attributing and aggregating flow datagrams.', () => this.decodeSeconds);
    counterFrom('netmon_flow_unattributed_bytes_total', 'Flow bytes (scaled by sampling) that crossed no configured uplink.', () => this.unattributed);
    counterFrom('netmon_flow_aggregation_overflow_total', 'Flows whose key was summed as "other" at once because the open minute held the most keys allowed.', () => this.agg.overflowed);
    const labelled = (name: string, help: string, label: string, m: LabelBytes) =>
      new client.Counter({
        name,
        help,
        labelNames: ['uplink', 'direction', label],
        registers: reg,
        collect() {
          this.reset();
          for (const [uplink, byDir] of m)
            for (const [direction, byLabel] of Object.entries(byDir)) for (const [x, v] of byLabel) this.inc({ uplink, direction, [label]: x }, v);
        },
      });
    labelled('netmon_flow_bytes_total', 'Flow bytes over an uplink by direction and site of the local end (unknown: no site prefix matched), scaled by sampling.', 'site', this.siteBytes);
    labelled('netmon_flow_app_bytes_total', 'Flow bytes over an uplink by direction and application (config/flows/applications.yaml), scaled by sampling.', 'app', this.appBytes);
  }

  static async start(o: FlowServiceOptions): Promise<FlowService> {
    const problems = flowConfigProblems(o.config.flows, o.config);
    if (problems.length) throw new Error(`flows: ${problems.join('; ')}`);
    const svc = new FlowService(o);
    try {
      const f = o.config.flows;
      svc.netflowPort = await svc.listen(f.listen_address, o.netflowPort ?? f.netflow_port, (m, a) => decodeNetflow(m, a, svc.cache));
      svc.sflowPort = await svc.listen(f.listen_address, o.sflowPort ?? f.sflow_port, (m) => decodeSflowDatagram(m));
    } catch (err) {
      await svc.close();
      throw err;
    }
    svc.timers.push(setInterval(() => svc.agg.roll(svc.now()), 5000), setInterval(() => svc.prune(), PRUNE_EVERY_MS));
    for (const t of svc.timers) t.unref();
    svc.prune();
    return svc;
  }

  private listen(address: string, port: number, decode: (msg: Buffer, exporter: string) => Decoded): Promise<number> {
    const s = dgram.createSocket({ type: isIPv6(address) ? 'udp6' : 'udp4', recvBufferSize: 8 * 1024 * 1024 });
    this.sockets.push(s);
    s.on('message', (msg, rinfo) => this.receive(msg, plainAddress(rinfo.address), decode));
    return new Promise((resolve, reject) => {
      s.once('error', reject);
      s.bind(port, address, () => {
        s.off('error', reject);
        s.on('error', (err) => this.o.log('error', 'flow listener failed', { err: String(err) }));
        resolve(s.address().port);
      });
    });
  }

  private receive(msg: Buffer, exporter: string, decode: (msg: Buffer, exporter: string) => Decoded): void {
    const t0 = performance.now();
    try {
      if (!this.exporterTarget.has(exporter)) return void this.dropped.inc({ reason: 'unknown_exporter' });
      const r = decode(msg, exporter);
      if ('dropped' in r) return void this.dropped.inc({ reason: r.dropped });
      if (r.partial) this.dropped.inc({ reason: r.partial });
      this.datagrams.inc({ protocol: r.protocol });
      if (r.records.length) this.records.inc({ protocol: r.protocol }, r.records.length);
      if (r.counters.length) this.counterSamples.inc(r.counters.length);
      const now = this.now();
      if (now - this.uplinkMapAt > REMAP_EVERY_MS) this.remap(now);
      for (const rec of r.records) {
        rec.bytes *= rec.samplingRate;
        rec.packets *= rec.samplingRate;
        const a = this.attributor.attribute(exporter, rec);
        if (!a) {
          this.unattributed += rec.bytes;
          continue;
        }
        this.agg.add(now, a);
        addBytes(this.siteBytes, a, a.site);
        addBytes(this.appBytes, a, a.app);
      }
    } catch (err) {
      // attribution or aggregation bug: counted, never thrown out of the socket
      this.dropped.inc({ reason: 'internal' });
      this.o.log('error', 'flow datagram failed', { err: String(err) });
    } finally {
      this.decodeSeconds += (performance.now() - t0) / 1000;
    }
  }

  /** The uplink an exporter's ifIndex is (memoised; rebuilt every REMAP_EVERY_MS and on reload). */
  private uplinkOf(exporter: string, ifIndex: number): string | undefined {
    let byIf = this.uplinkMap.get(exporter);
    if (!byIf) this.uplinkMap.set(exporter, (byIf = new Map<number, string | null>()));
    let u = byIf.get(ifIndex);
    if (u === undefined) {
      u = this.resolveUplink(exporter, ifIndex) ?? null;
      byIf.set(ifIndex, u);
    }
    return u ?? undefined;
  }

  private resolveUplink(exporter: string, ifIndex: number): string | undefined {
    const e = this.config.flows.exporters.find((x) => x.address === exporter);
    const explicit = e?.interfaces[String(ifIndex)];
    if (explicit) return explicit;
    const target = this.exporterTarget.get(exporter);
    if (!target) return undefined;
    const announced = this.cache.ifName(exporter, ifIndex);
    for (const u of this.config.uplinks) {
      if (u.target !== target) continue;
      if (announced === u.interface || this.o.snmpIfIndex(target, u.interface) === ifIndex) return u.name;
    }
    return undefined;
  }

  private remap(now: number): void {
    this.uplinkMap = new Map();
    this.uplinkMapAt = now;
  }

  reconfigure(next: LoadedConfig): void {
    if (!next.flows) return; // turning the collector off takes a restart (the daemon says so)
    const problems = flowConfigProblems(next.flows, next);
    if (problems.length) this.o.log('error', `flows: ${problems.join('; ')} (those entries are ignored)`);
    this.config = next as LoadedConfig & { flows: FlowsConfig };
    const byAddress = new Map(next.targets.map((t) => [t.address.toLowerCase(), t.name]));
    const et = new Map<string, string | undefined>();
    for (const t of next.targets) et.set(t.address.toLowerCase(), t.name);
    for (const e of next.flows.exporters) et.set(e.address.toLowerCase(), e.target ?? byAddress.get(e.address.toLowerCase()));
    this.exporterTarget = et;
    this.attributor = new Attributor({
      sitePrefixes: next.flows.site_prefixes,
      services: new Map(next.targets.map((t) => [t.address, { name: t.name, site: t.site }])),
      apps: this.apps,
      uplinkOf: (exp, i) => this.uplinkOf(exp, i),
    });
    this.remap(this.now());
  }

  private store(rows: FlowRow[]): void {
    try {
      this.db.write(rows);
      this.db.rollup(this.now());
    } catch (err) {
      this.o.log('error', 'flow aggregate write failed: that minute is lost', { err: String(err) });
    }
  }

  private prune(): void {
    try {
      const f = this.config.flows;
      this.db.prune(this.now(), { retention: f.retention, hostRetention: f.host_retention, minuteRetention: f.minute_retention });
    } catch (err) {
      this.o.log('error', 'flow retention failed', { err: String(err) });
    }
  }

  /** Top keys of a dimension over a window, merged from the stored minutes and the open one. */
  top(q: TopRequest): FlowTopResponse | undefined {
    const uplink = this.config.uplinks.find((u) => u.name === q.uplink);
    if (!uplink) return undefined;
    // Every minute that overlaps the window; the open minute comes from memory.
    const first = Math.floor(q.from / MINUTE) * MINUTE;
    const stored = this.db.top({ uplink: q.uplink, direction: q.direction, dim: q.by, from: first, to: q.to, limit: q.limit + this.config.flows.top_n });
    const merged = new Map(stored.rows.map((r) => [r.key, { bytes: r.bytes, packets: r.packets }]));
    let totalBytes = stored.totalBytes;
    let totalPackets = stored.totalPackets;
    for (const r of this.agg.open()) {
      if (r.uplink !== q.uplink || r.direction !== q.direction || r.dim !== q.by || r.ts < first || r.ts >= q.to) continue;
      totalBytes += r.bytes;
      totalPackets += r.packets;
      if (r.key === OTHER) continue;
      const m = merged.get(r.key) ?? { bytes: 0, packets: 0 };
      m.bytes += r.bytes;
      m.packets += r.packets;
      merged.set(r.key, m);
    }
    const seconds = (q.to - q.from) / 1000;
    const share = (bytes: number) => (uplink.capacity > 0 && seconds > 0 ? (bytes * 8) / seconds / uplink.capacity : null);
    const rows = [...merged]
      .sort((a, b) => b[1].bytes - a[1].bytes)
      .slice(0, q.limit)
      .map(([key, v]) => ({ key, bytes: v.bytes, packets: v.packets, share_of_total: totalBytes ? v.bytes / totalBytes : 0, share_of_capacity: share(v.bytes) }));
    const topBytes = rows.reduce((s, r) => s + r.bytes, 0);
    const topPackets = rows.reduce((s, r) => s + r.packets, 0);
    return {
      uplink: q.uplink,
      direction: q.direction,
      by: q.by,
      from: q.from,
      to: q.to,
      capacity_bps: uplink.capacity,
      total_bytes: totalBytes,
      total_packets: totalPackets,
      share_of_capacity: share(totalBytes),
      rows,
      other: { bytes: totalBytes - topBytes, packets: totalPackets - topPackets },
    };
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await Promise.all(this.sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
    this.agg.flush();
    this.db.close();
  }
}
