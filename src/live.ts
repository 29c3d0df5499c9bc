/**
 * The newest value of every series and the live feed to open dashboards (server-sent events).
 * Fed by the pipeline; read by the overview API so "now" never needs a store query.
 */
import type { Response } from 'express';
import type { TargetEvent } from './pipeline.js';
import type { ProbeResult } from './scheduler.js';
import type { Sample } from './types.js';
import { hashSeries } from './hash.js';
import type { DeviceInventory, LiveSample, ResultEvent } from './http/contract.js';

export interface TargetStatus {
  ok: boolean;
  reason?: string;
  message?: string;
  at: number;
}

export class LiveState {
  /**
   * Newest sample of each series by a hash of its identity (several on a collision, told apart by their
   * labels): a number per series instead of a ~250-character key string.
   */
  private readonly latest = new Map<number, Sample | Sample[]>();
  private readonly status = new Map<string, TargetStatus>();
  /** target → the last device inventory its probe reported (kept while the target fails). */
  private readonly inventories = new Map<string, DeviceInventory>();
  private readonly clients = new Set<Response>();
  lastResultAt = 0;

  accept(r: ProbeResult): void {
    this.lastResultAt = Date.now();
    this.status.set(`${r.target.name}/${r.kind}`, { ok: !r.error, reason: r.error?.reason, message: r.error?.message, at: r.startedAt });
    if (r.inventory) this.inventories.set(r.target.name, r.inventory);
    const changed: Sample[] = [];
    for (const s of r.samples) {
      this.put(s);
      if (s.metric.startsWith('netmon_uplink_')) changed.push(s);
    }
    this.broadcast('result', { target: r.target.name, probe: r.kind, ok: !r.error, ts: r.startedAt, uplinks: changed.map(brief) } satisfies ResultEvent);
  }

  /** Newest values carried by a target event (an SNMP trap): they replace the polled ones until the next poll. */
  acceptEvent(e: TargetEvent): void {
    for (const s of e.samples) this.put(s);
    this.broadcast('result', { target: e.target.name, probe: e.source, ok: true, ts: e.at, uplinks: [] } satisfies ResultEvent);
  }

  /** Latest samples of a metric whose labels include all of `match`. */
  find(metric: string, match: Record<string, string> = {}): Sample[] {
    const out: Sample[] = [];
    for (const s of this.all()) {
      if (s.metric === metric && Object.entries(match).every(([k, v]) => s.labels[k] === v)) out.push(s);
    }
    return out;
  }

  inventory(target: string): DeviceInventory | undefined {
    return this.inventories.get(target);
  }

  private put(s: Sample): void {
    const h = hashSeries(s.metric, s.labels);
    const cur = this.latest.get(h);
    if (cur === undefined || (!Array.isArray(cur) && sameSeries(cur, s))) return void this.latest.set(h, s);
    const list = Array.isArray(cur) ? cur : [cur];
    const i = list.findIndex((x) => sameSeries(x, s));
    if (i >= 0) list[i] = s;
    else list.push(s);
    this.latest.set(h, list);
  }

  private *all(): Generator<Sample> {
    for (const v of this.latest.values()) {
      if (Array.isArray(v)) yield* v;
      else yield v;
    }
  }

  targetStatus(target: string, probe: string): TargetStatus | undefined {
    return this.status.get(`${target}/${probe}`);
  }

  /** Forget everything about targets no longer configured. */
  retainTargets(names: ReadonlySet<string>): void {
    const gone = (s: Sample) => s.labels.target !== undefined && !names.has(s.labels.target);
    for (const [h, v] of this.latest) {
      const kept = Array.isArray(v) ? v.filter((s) => !gone(s)) : gone(v) ? [] : [v];
      if (kept.length === 0) this.latest.delete(h);
      else if (Array.isArray(v)) this.latest.set(h, kept.length === 1 ? kept[0]! : kept);
    }
    for (const k of this.status.keys()) if (!names.has(k.slice(0, k.lastIndexOf('/')))) this.status.delete(k);
    for (const k of this.inventories.keys()) if (!names.has(k)) this.inventories.delete(k);
  }

  /** Attach an SSE client; a comment every 15 s keeps proxies from closing the stream. */
  attach(res: Response): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.write(`retry: 3000\n\n`);
    this.clients.add(res);
    const ping = setInterval(() => res.write(`: keep-alive\n\n`), 15_000);
    ping.unref();
    res.on('close', () => {
      clearInterval(ping);
      this.clients.delete(res);
    });
  }

  closeClients(): void {
    for (const c of this.clients) c.end();
    this.clients.clear();
  }

  private broadcast(event: string, data: unknown): void {
    if (this.clients.size === 0) return;
    const msg = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const c of this.clients) c.write(msg);
  }
}

function sameSeries(a: Sample, b: Sample): boolean {
  if (a.metric !== b.metric) return false;
  let n = 0;
  for (const k in b.labels) {
    if (a.labels[k] !== b.labels[k]) return false;
    n++;
  }
  return n === Object.keys(a.labels).length;
}

function brief(s: Sample): LiveSample {
  return { metric: s.metric, labels: s.labels, value: s.value, ts: s.ts };
}
