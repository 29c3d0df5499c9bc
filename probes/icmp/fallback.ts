/**
 * Fallbacks when fping is missing: the system `ping` (one process per target, bounded concurrency)
 * or, without ping either, TCP connect (SYN → SYN/ACK or RST both prove the host answers).
 * And UDP echo (RFC 862), for hosts that answer it on a known port (the simulator's agents).
 * All produce the same per-echo RTT arrays as fping, so the statistics are shared; samples carry
 * `method="ping"` / `"tcp"` / `"udp"` so nobody mistakes them for ICMP by fping.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { connect, isIPv6 } from 'node:net';
import { setTimeout as sleepFor } from 'node:timers/promises';
import type { FpingPlan } from './fping.js';

export type EchoMap = Map<string, (number | null)[]>;

const PING_REPLY = /icmp_seq=(\d+)\b.*?\btime[=<]([\d.]+) ?ms/;

/** iputils `ping -n` output → RTTs (ms) by sequence (icmp_seq starts at 1), null = lost. */
export function parsePingOutput(text: string, count: number): (number | null)[] {
  const r: (number | null)[] = new Array<number | null>(count).fill(null);
  for (const line of text.split('\n')) {
    if (line.includes('DUP!')) continue;
    const m = line.match(PING_REPLY);
    if (!m) continue;
    const seq = Number(m[1]) - 1;
    if (seq >= 0 && seq < count && r[seq] === null) r[seq] = Number(m[2]);
  }
  return r;
}

async function pool<T>(items: T[], limit: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(workers);
}

export async function systemPing(pingPath: string, hosts: string[], p: FpingPlan, signal: AbortSignal): Promise<EchoMap> {
  const res: EchoMap = new Map();
  // iputils: -i below 0.2 s needs root; -W is the per-reply timeout in seconds.
  const interval = Math.max(0.2, p.periodMs / 1000);
  const wait = Math.max(1, Math.ceil(p.timeoutMs / 1000));
  await pool(hosts, 64, async (h) => {
    if (signal.aborted) return;
    const text = await new Promise<string>((resolve) => {
      const c = spawn(pingPath, ['-n', '-c', String(p.count), '-i', String(interval), '-W', String(wait), h], { stdio: ['ignore', 'pipe', 'ignore'], signal });
      let out = '';
      c.stdout.on('data', (b: Buffer) => (out += b.toString()));
      c.on('error', () => resolve(out));
      c.on('close', () => resolve(out));
    });
    res.set(h, parsePingOutput(text, p.count));
  });
  return res;
}

/** One TCP connect: ms until connected or refused, null on timeout or an ICMP error (EHOSTUNREACH...). */
export function tcpEcho(host: string, port: number, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const s = connect({ host, port });
    const done = (v: number | null) => {
      clearTimeout(timer);
      s.destroy();
      resolve(v);
    };
    const ms = () => Number(process.hrtime.bigint() - t0) / 1e6;
    const timer = setTimeout(() => done(null), timeoutMs);
    s.once('connect', () => done(ms()));
    s.once('error', (e: NodeJS.ErrnoException) => done(e.code === 'ECONNREFUSED' ? ms() : null));
  });
}

export async function tcpPing(hosts: string[], port: number, p: FpingPlan, signal: AbortSignal): Promise<EchoMap> {
  const res: EchoMap = new Map(hosts.map((h) => [h, []]));
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const rounds: Promise<void>[] = [];
  for (let k = 0; k < p.count && !signal.aborted; k++) {
    if (k > 0) await sleep(p.periodMs);
    rounds.push(
      Promise.all(hosts.map(async (h) => {
        res.get(h)![k] = await tcpEcho(h, port, p.timeoutMs);
      })).then(() => undefined),
    );
  }
  await Promise.all(rounds);
  return res;
}

/** Payload of one UDP echo: a per-cycle nonce, then which host and which echo it was (so foreign or late datagrams never count). */
const NONCE_BYTES = 8;
const ECHO_BYTES = NONCE_BYTES + 8;

/**
 * UDP echo: `count` datagrams to every host, `periodMs` apart, each answered (copied back) by the host's
 * echo service; the RTT is measured from the send to the reply. A reply after `timeoutMs` counts as lost,
 * as fping -t does.
 */
export async function udpPing(hosts: { host: string; port: number }[], p: FpingPlan, signal: AbortSignal): Promise<EchoMap> {
  const res: EchoMap = new Map(hosts.map((h) => [h.host, new Array<number | null>(p.count).fill(null)]));
  const sentAt = hosts.map(() => new Array<bigint | undefined>(p.count));
  const nonce = randomBytes(NONCE_BYTES);
  const sockets = new Map<'udp4' | 'udp6', Socket>();
  const socketFor = (host: string): Socket => {
    const type = isIPv6(host) ? 'udp6' : 'udp4';
    let s = sockets.get(type);
    if (!s) {
      s = createSocket(type);
      s.on('error', () => undefined); // ICMP port unreachable and the like: the echo is simply lost
      s.on('message', (msg, rinfo) => {
        const t1 = process.hrtime.bigint();
        if (msg.length !== ECHO_BYTES || !msg.subarray(0, NONCE_BYTES).equals(nonce)) return;
        const i = msg.readUInt32BE(NONCE_BYTES);
        const seq = msg.readUInt32BE(NONCE_BYTES + 4);
        const h = hosts[i];
        const t0 = sentAt[i]?.[seq];
        if (!h || t0 === undefined || rinfo.port !== h.port) return;
        const rtts = res.get(h.host)!;
        const ms = Number(t1 - t0) / 1e6;
        if (rtts[seq] === null && ms <= p.timeoutMs) rtts[seq] = ms;
      });
      sockets.set(type, s);
    }
    return s;
  };
  try {
    for (let seq = 0; seq < p.count && !signal.aborted; seq++) {
      if (seq > 0) await sleepFor(p.periodMs, undefined, { signal }).catch(() => undefined);
      hosts.forEach((h, i) => {
        if (signal.aborted) return;
        const msg = Buffer.alloc(ECHO_BYTES);
        nonce.copy(msg);
        msg.writeUInt32BE(i, NONCE_BYTES);
        msg.writeUInt32BE(seq, NONCE_BYTES + 4);
        sentAt[i]![seq] = process.hrtime.bigint();
        socketFor(h.host).send(msg, h.port, h.host);
      });
    }
    await sleepFor(p.timeoutMs, undefined, { signal }).catch(() => undefined);
  } finally {
    for (const s of sockets.values()) s.close();
  }
  return res;
}
