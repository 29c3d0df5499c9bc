/**
 * The SNMP trap and inform receiver (`traps:` in the main file): receives (receiver.ts), decodes
 * (decode.ts, names.ts), authenticates the source, stores (db.ts), counts (/metrics) and acts on the
 * target (effects.ts). Source authentication: the UDP source address must be a configured target's
 * address (targets given by DNS name are matched by the address they are configured with, never
 * resolved here) or be listed in `traps.allow`; the community or USM user must be one of `credentials`.
 */
import { dirname, join } from 'node:path';
import client from 'prom-client';
import type { LoadedConfig } from '../config/model.js';
import { buildTargets } from '../config/model.js';
import type { TrapsConfig } from '../config/schema.js';
import type { Pipeline } from '../pipeline.js';
import type { Target } from '../types.js';
import { TrapLog, type TrapQuery } from './db.js';
import { DbGuard } from '../db-guard.js';
import { decode, type Notification, type ReceivedPdu } from './decode.js';
import { linkSamples, POLL_TRAPS, PollCoalescer, type InterfaceLabels } from './effects.js';
import { OidNames } from './names.js';
import { DROP_REASONS, startReceiver, type DropReason, type TrapReceiver } from './receiver.js';
import type { TrapsApi } from './http.js';
import type { TrapsResponse } from '../http/contract.js';

export interface TrapServiceOptions {
  config: LoadedConfig & { traps: TrapsConfig };
  pipeline: Pipeline;
  /** Labels of the polled series of an interface (the live state), so a trap's sample replaces it. */
  interfaceLabels: InterfaceLabels;
  /** Poll a target now (Scheduler.runOnce). */
  pollNow(target: string): Promise<unknown>;
  registry: client.Registry;
  log: (level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>) => void;
  /** Override `traps.port` (tests: 0 for a free port). */
  port?: number;
  /** The trap log file; default `traps.db` beside the store's database. */
  dbPath?: string;
  /** The daemon's error boundary for background writes; default: one of its own logging to `log`. */
  guard?: DbGuard;
}

const PRUNE_EVERY_MS = 3600e3;

/** `::ffff:192.0.2.1` (a v4 sender on a dual-stack socket) is 192.0.2.1. */
const plainAddress = (a: string) => a.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1').toLowerCase();

export class TrapService implements TrapsApi {
  private byAddress = new Map<string, Target>();
  private allow = new Set<string>();
  private readonly names = new OidNames();
  private readonly log: TrapLog;
  private readonly received: client.Counter<'target' | 'trap'>;
  private readonly dropped: client.Counter<'reason'>;
  private readonly polls: PollCoalescer;
  private receiver: TrapReceiver | undefined;
  private readonly pruneTimer: NodeJS.Timeout;
  /** Drops logged at most once a minute per reason (a storm of garbage must not flood the log). */
  private readonly lastDropLog = new Map<DropReason, number>();

  private constructor(private readonly o: TrapServiceOptions) {
    this.log = new TrapLog(o.dbPath ?? join(dirname(o.config.storage.path), 'traps.db'), o.config.traps.retention, o.guard ?? new DbGuard({ log: o.log }));
    this.received = new client.Counter({
      name: 'netmon_snmp_traps_received_total',
      help: 'SNMP traps and informs accepted, by target (empty: a sender from traps.allow) and trap name (unknown: an OID netmon does not name).',
      labelNames: ['target', 'trap'],
      registers: [o.registry],
    });
    this.dropped = new client.Counter({
      name: 'netmon_snmp_traps_dropped_total',
      help: 'SNMP trap datagrams dropped: malformed (undecodable, not a notification), unauthenticated (unknown community or user, bad digest), unknown_source (not a target address nor in traps.allow).',
      labelNames: ['reason'],
      registers: [o.registry],
    });
    for (const r of DROP_REASONS) this.dropped.inc({ reason: r }, 0);
    this.polls = new PollCoalescer((name) => o.pollNow(name));
    this.reconfigure(o.config);
    this.pruneTimer = setInterval(() => this.log.prune(), PRUNE_EVERY_MS);
    this.pruneTimer.unref();
  }

  static async start(o: TrapServiceOptions): Promise<TrapService> {
    const svc = new TrapService(o);
    try {
      svc.receiver = await startReceiver({
        address: o.config.traps.listen_address,
        port: o.port ?? o.config.traps.port,
        credentials: o.config.credentials,
        onPdu: (pdu, from) => svc.accept(pdu, from.address),
        onDrop: (reason, from, detail) => svc.drop(reason, from, detail),
      });
    } catch (err) {
      svc.log.close();
      clearInterval(svc.pruneTimer);
      const hint = (err as NodeJS.ErrnoException).code === 'EACCES' ? ' (ports below 1024 need CAP_NET_BIND_SERVICE; see README "SNMP traps")' : '';
      throw new Error(`traps: cannot listen on ${o.config.traps.listen_address}:${o.port ?? o.config.traps.port}: ${(err as Error).message}${hint}`, { cause: err });
    }
    o.log('info', 'receiving SNMP traps', { address: o.config.traps.listen_address, port: svc.receiver.port });
    return svc;
  }

  get port(): number {
    return this.receiver?.port ?? 0;
  }

  /** After a reload: targets, allowed senders, credentials and retention apply at once (address and port at a restart). */
  reconfigure(config: LoadedConfig): void {
    this.byAddress = new Map(buildTargets(config).map((t) => [plainAddress(t.address), t]));
    this.allow = new Set((config.traps?.allow ?? []).map(plainAddress));
    this.receiver?.setCredentials(config.credentials);
    if (config.traps) this.log.setRetention(config.traps.retention);
  }

  query(q: TrapQuery): TrapsResponse {
    return this.log.query(q);
  }

  async close(): Promise<void> {
    clearInterval(this.pruneTimer);
    await this.receiver?.close();
    this.log.close();
  }

  private drop(reason: DropReason, from: string | undefined, detail: string): void {
    this.dropped.inc({ reason });
    const now = Date.now();
    if (now - (this.lastDropLog.get(reason) ?? 0) < 60_000) return;
    this.lastDropLog.set(reason, now);
    // The detail names a community only as "not found"; it never holds a configured secret.
    this.o.log('warn', `SNMP trap dropped (${reason}); further drops of this kind are counted in netmon_snmp_traps_dropped_total, logged once a minute`, { from, detail: detail.slice(0, 200) });
  }

  private accept(pdu: ReceivedPdu, fromAddress: string): void {
    const source = plainAddress(fromAddress);
    const target = this.byAddress.get(source);
    if (!target && !this.allow.has(source)) return this.drop('unknown_source', source, 'sender is neither a target address nor in traps.allow');
    const n = decode(pdu, source, this.names);
    const now = Date.now();
    const link = target ? linkSamples(n, target, this.o.interfaceLabels, now) : { ifIndex: null, samples: [] };
    const ifName = link.samples[0]?.labels.if_name ?? null;
    this.received.inc({ target: target?.name ?? '', trap: trapLabel(n) });
    this.log.add({
      ts: now,
      source,
      target: target?.name ?? null,
      site: target?.site ?? null,
      version: n.version,
      pdu: n.pdu,
      trap_oid: n.trapOid,
      trap_name: n.trapName,
      user: n.user,
      uptime_ticks: n.uptimeTicks,
      if_index: link.ifIndex,
      if_name: ifName,
      varbinds: n.varbinds,
    });
    if (!target) return;
    if (link.samples.length) this.o.pipeline.publishEvent({ target, source: 'snmp_trap', samples: link.samples, at: now });
    if (POLL_TRAPS.has(n.trapOid)) this.polls.request(target.name);
  }
}

/** The `trap` label: the name of a known notification, else `unknown` (an unknown OID per label would let any sender grow /metrics without bound). */
function trapLabel(n: Notification): string {
  return n.trapName && !n.trapName.includes('.') ? n.trapName : 'unknown';
}
