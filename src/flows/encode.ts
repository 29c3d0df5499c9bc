/**
 * Encoders for the flow formats netmon decodes: the simulator emits NetFlow v9 from dc-core with them, the
 * bench replays them, and tests build exact datagrams (including the awkward parts real exporters send:
 * options templates, enterprise and variable-length fields, withdrawals).
 */
import { isIPv6 } from 'node:net';
import type { FlowRecord } from './types.js';

/** A flow to encode: a decoded record's fields, before any sampling. */
export type FlowSpec = Pick<FlowRecord, 'src' | 'dst' | 'srcPort' | 'dstPort' | 'proto' | 'bytes' | 'packets' | 'inIf' | 'outIf'>;

function ipBytes(a: string): Buffer {
  if (!isIPv6(a)) return Buffer.from(a.split('.').map(Number));
  const [head, tail] = a.includes('::') ? a.split('::') : [a, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g || '0', 16), i * 2));
  return out;
}

const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
};
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
const u64 = (n: number) => Buffer.concat([u32(Math.floor(n / 2 ** 32)), u32(n % 2 ** 32)]);

/** A set/FlowSet: id, length (header included), body padded to 4 bytes. */
function set(id: number, body: Buffer): Buffer {
  const pad = (4 - (body.length % 4)) % 4;
  return Buffer.concat([u16(id), u16(4 + body.length + pad), body, Buffer.alloc(pad)]);
}

export function encodeNetflowV5(flows: FlowSpec[], o: { seq?: number; samplingInterval?: number; unixSecs?: number } = {}): Buffer {
  const head = Buffer.alloc(24);
  head.writeUInt16BE(5, 0);
  head.writeUInt16BE(flows.length, 2);
  head.writeUInt32BE(o.unixSecs ?? Math.floor(Date.now() / 1000), 8);
  head.writeUInt32BE(o.seq ?? 0, 16);
  head.writeUInt16BE(o.samplingInterval ? 0x4000 | o.samplingInterval : 0, 22);
  const recs = flows.map((f) => {
    const r = Buffer.alloc(48);
    ipBytes(f.src).copy(r, 0);
    ipBytes(f.dst).copy(r, 4);
    r.writeUInt16BE(f.inIf, 12);
    r.writeUInt16BE(f.outIf, 14);
    r.writeUInt32BE(f.packets, 16);
    r.writeUInt32BE(f.bytes, 20);
    r.writeUInt16BE(f.srcPort, 32);
    r.writeUInt16BE(f.dstPort, 34);
    r[38] = f.proto;
    return r;
  });
  return Buffer.concat([head, ...recs]);
}

/** Template fields (IE, length) of the data records encodeTemplated writes: v4 in template 256, v6 in 257. */
const FIELDS = (v6: boolean): Array<[number, number]> => [
  [v6 ? 27 : 8, v6 ? 16 : 4],
  [v6 ? 28 : 12, v6 ? 16 : 4],
  [7, 2],
  [11, 2],
  [4, 1],
  [1, 8],
  [2, 8],
  [10, 4],
  [14, 4],
];

function dataRecord(f: FlowSpec): Buffer {
  return Buffer.concat([ipBytes(f.src), ipBytes(f.dst), u16(f.srcPort), u16(f.dstPort), Buffer.from([f.proto]), u64(f.bytes), u64(f.packets), u32(f.inIf), u32(f.outIf)]);
}

export interface TemplatedOptions {
  /** v9 source ID / IPFIX observation domain. */
  domain?: number;
  seq?: number;
  /** Include the templates (exporters resend them periodically). Default true. */
  templates?: boolean;
  /** Include an options template and record announcing this sampling interval. */
  samplingInterval?: number;
  /** IPFIX only: add an enterprise field (PEN 9, 4 bytes) and a variable-length string to the data template. */
  extras?: boolean;
}

function dataSets(flows: FlowSpec[], extras: boolean): Buffer[] {
  const out: Buffer[] = [];
  for (const v6 of [false, true]) {
    const mine = flows.filter((f) => isIPv6(f.src) === v6);
    if (!mine.length) continue;
    const recs = mine.map((f) => (extras ? Buffer.concat([dataRecord(f), u32(0xdeadbeef), Buffer.from([5]), Buffer.from('eth0/')]) : dataRecord(f)));
    out.push(set(v6 ? 257 : 256, Buffer.concat(recs)));
  }
  return out;
}

export function encodeNetflowV9(flows: FlowSpec[], o: TemplatedOptions = {}): Buffer {
  const sets: Buffer[] = [];
  if (o.templates ?? true) {
    const tpl = (id: number, v6: boolean) => Buffer.concat([u16(id), u16(FIELDS(v6).length), ...FIELDS(v6).flatMap(([t, l]) => [u16(t), u16(l)])]);
    sets.push(set(0, Buffer.concat([tpl(256, false), tpl(257, true)])));
  }
  if (o.samplingInterval) {
    // scope System (1, 4 bytes); option samplingInterval (34, 4) and samplingAlgorithm (35, 1)
    sets.push(set(1, Buffer.concat([u16(258), u16(4), u16(8), u16(1), u16(4), u16(34), u16(4), u16(35), u16(1)])));
    sets.push(set(258, Buffer.concat([u32(0), u32(o.samplingInterval), Buffer.from([1])])));
  }
  sets.push(...dataSets(flows, false));
  const head = Buffer.alloc(20);
  head.writeUInt16BE(9, 0);
  head.writeUInt16BE(flows.length, 2);
  head.writeUInt32BE(Math.floor(Date.now() / 1000), 8);
  head.writeUInt32BE(o.seq ?? 0, 12);
  head.writeUInt32BE(o.domain ?? 0, 16);
  return Buffer.concat([head, ...sets]);
}

function ipfixMessage(domain: number, seq: number, sets: Buffer[]): Buffer {
  const body = Buffer.concat(sets);
  const head = Buffer.alloc(16);
  head.writeUInt16BE(10, 0);
  head.writeUInt16BE(16 + body.length, 2);
  head.writeUInt32BE(Math.floor(Date.now() / 1000), 4);
  head.writeUInt32BE(seq, 8);
  head.writeUInt32BE(domain, 12);
  return Buffer.concat([head, body]);
}

export function encodeIpfix(flows: FlowSpec[], o: TemplatedOptions = {}): Buffer {
  const sets: Buffer[] = [];
  if (o.templates ?? true) {
    const tpl = (id: number, v6: boolean) => {
      const f = FIELDS(v6).flatMap(([t, l]) => [u16(t), u16(l)]);
      // enterprise field: E bit, IE 1, length 4, PEN 9; then interfaceName (82) variable length
      const extra = o.extras ? [u16(0x8001), u16(4), u32(9), u16(82), u16(65535)] : [];
      return Buffer.concat([u16(id), u16(FIELDS(v6).length + (o.extras ? 2 : 0)), ...f, ...extra]);
    };
    sets.push(set(2, Buffer.concat([tpl(256, false), tpl(257, true)])));
  }
  if (o.samplingInterval) {
    // scope observationDomainId (149, 4); option samplingPacketInterval (305, 4)
    sets.push(set(3, Buffer.concat([u16(258), u16(2), u16(1), u16(149), u16(4), u16(305), u16(4)])));
    sets.push(set(258, Buffer.concat([u32(o.domain ?? 0), u32(o.samplingInterval)])));
  }
  sets.push(...dataSets(flows, !!o.extras));
  return ipfixMessage(o.domain ?? 0, o.seq ?? 0, sets);
}

/** An IPFIX message withdrawing template `id` (2: every data template) of a domain. */
export function encodeIpfixWithdrawal(id: number, domain = 0): Buffer {
  return ipfixMessage(domain, 0, [set(2, Buffer.concat([u16(id), u16(0)]))]);
}

/** The IPv4/UDP-or-TCP packet header a flow's packet would have (for sFlow raw headers), behind Ethernet. */
function packetHeader(f: FlowSpec, ipLength: number): Buffer {
  const v6 = isIPv6(f.src);
  const eth = Buffer.concat([Buffer.alloc(12, 0x02), u16(v6 ? 0x86dd : 0x0800)]);
  const l4 = Buffer.concat([u16(f.srcPort), u16(f.dstPort), Buffer.alloc(4)]);
  if (v6) {
    const ip = Buffer.alloc(40);
    ip[0] = 0x60;
    ip.writeUInt16BE(ipLength - 40, 4);
    ip[6] = f.proto;
    ip[7] = 64;
    ipBytes(f.src).copy(ip, 8);
    ipBytes(f.dst).copy(ip, 24);
    return Buffer.concat([eth, ip, l4]);
  }
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(ipLength, 2);
  ip[8] = 64;
  ip[9] = f.proto;
  ipBytes(f.src).copy(ip, 12);
  ipBytes(f.dst).copy(ip, 16);
  return Buffer.concat([eth, ip, l4]);
}

export interface SflowSample {
  /** One sampled packet of this flow: `bytes` is its IP length; `packets` is ignored. */
  flow: FlowSpec;
  samplingRate: number;
}

export function encodeSflow(samples: SflowSample[], o: { agent?: string; seq?: number; counters?: Array<{ ifIndex: number; inOctets: number; outOctets: number }> } = {}): Buffer {
  const recs: Buffer[] = [];
  samples.forEach((s, i) => {
    const hdr = packetHeader(s.flow, s.flow.bytes);
    const pad = (4 - (hdr.length % 4)) % 4;
    const raw = Buffer.concat([u32(1), u32(s.flow.bytes + 18), u32(4), u32(hdr.length), hdr, Buffer.alloc(pad)]);
    const body = Buffer.concat([u32(i), u32(s.flow.inIf), u32(s.samplingRate), u32(0), u32(0), u32(s.flow.inIf), u32(s.flow.outIf), u32(1), u32(1), u32(raw.length), raw]);
    recs.push(Buffer.concat([u32(1), u32(body.length), body]));
  });
  for (const c of o.counters ?? []) {
    const ifc = Buffer.concat([u32(c.ifIndex), u32(6), u64(1e9), u32(1), u32(3), u64(c.inOctets), Buffer.alloc(24), u64(c.outOctets), Buffer.alloc(24)]);
    const body = Buffer.concat([u32(0), u32(c.ifIndex), u32(1), u32(1), u32(ifc.length), ifc]);
    recs.push(Buffer.concat([u32(2), u32(body.length), body]));
  }
  const agent = o.agent ?? '127.0.0.1';
  const v6 = isIPv6(agent);
  return Buffer.concat([u32(5), u32(v6 ? 2 : 1), ipBytes(agent), u32(0), u32(o.seq ?? 0), u32(0), u32(recs.length), ...recs]);
}
