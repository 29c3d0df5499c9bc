/**
 * sFlow v5 (sflow.org/sflow_version_5.txt): datagrams of flow samples (one sampled packet's header, with the
 * sampling rate) and counter samples (interface counters). Raw packet headers are decoded here: Ethernet
 * (with 802.1Q tags), IPv4 and IPv6, and TCP/UDP ports. A sample is one packet, standing for `sampling_rate`
 * packets; its bytes are the IP length from the header (layer 3, as NetFlow counts), else the frame length.
 */
import { ipv4, ipv6 } from './address.js';
import { DecodeError, need, type CounterRecord, type DecodeResult, type FlowRecord } from './types.js';

const FLOW_SAMPLE = 1;
const COUNTER_SAMPLE = 2;
const FLOW_SAMPLE_EXPANDED = 3;
const COUNTER_SAMPLE_EXPANDED = 4;
const RAW_HEADER = 1;
const GENERIC_IF_COUNTERS = 1;
const HEADER_ETHERNET = 1;
const HEADER_IPV4 = 11;
const HEADER_IPV6 = 12;
/** More than any agent sends in one datagram (a 1500-byte datagram holds about 10); guards the loops. */
const MAX_SAMPLES = 256;
const MAX_RECORDS = 64;

/** Where a sample was taken: its interfaces and sampling rate, copied into each record. */
interface SampleInfo {
  inIf: number;
  outIf: number;
  samplingRate: number;
}

/** Decode the IP packet at [off, end) of a sampled header; undefined when it is not IPv4/IPv6. */
function ipPacket(buf: Buffer, off: number, end: number, frameLength: number, s: SampleInfo): FlowRecord | undefined {
  if (end - off < 1) return undefined;
  const version = buf[off]! >> 4;
  let proto: number;
  let src: string;
  let dst: string;
  let l4: number;
  let bytes: number;
  let fragment = false;
  if (version === 4) {
    if (end - off < 20) return undefined;
    const ihl = (buf[off]! & 0x0f) * 4;
    if (ihl < 20) return undefined;
    bytes = buf.readUInt16BE(off + 2);
    fragment = (buf.readUInt16BE(off + 6) & 0x1fff) !== 0;
    proto = buf[off + 9]!;
    src = ipv4(buf, off + 12);
    dst = ipv4(buf, off + 16);
    l4 = off + ihl;
  } else if (version === 6) {
    if (end - off < 40) return undefined;
    bytes = buf.readUInt16BE(off + 4) + 40;
    proto = buf[off + 6]!;
    src = ipv6(buf, off + 8);
    dst = ipv6(buf, off + 24);
    l4 = off + 40;
  } else return undefined;
  let srcPort = 0;
  let dstPort = 0;
  if ((proto === 6 || proto === 17) && !fragment && end - l4 >= 4) {
    srcPort = buf.readUInt16BE(l4);
    dstPort = buf.readUInt16BE(l4 + 2);
  }
  return { src, dst, srcPort, dstPort, proto, bytes: bytes || frameLength, packets: 1, inIf: s.inIf, outIf: s.outIf, samplingRate: s.samplingRate };
}

/** The IP packet inside a sampled header of the given header_protocol. */
function sampledHeader(buf: Buffer, protocol: number, off: number, end: number, frameLength: number, s: SampleInfo): FlowRecord | undefined {
  if (protocol === HEADER_IPV4 || protocol === HEADER_IPV6) return ipPacket(buf, off, end, frameLength, s);
  if (protocol !== HEADER_ETHERNET || end - off < 14) return undefined;
  let p = off + 12;
  let type = buf.readUInt16BE(p);
  // 802.1Q / 802.1ad tags, at most two (QinQ)
  for (let tags = 0; (type === 0x8100 || type === 0x88a8) && tags < 2 && end - p >= 6; tags++) {
    p += 4;
    type = buf.readUInt16BE(p);
  }
  if (type !== 0x0800 && type !== 0x86dd) return undefined;
  return ipPacket(buf, p + 2, end, frameLength, s);
}

const unknownIsZero = (v: number) => (v === 0x3fffffff ? 0 : v);

function flowSample(buf: Buffer, off: number, end: number, expanded: boolean, out: FlowRecord[]): void {
  const fixed = expanded ? 44 : 32;
  if (end - off < fixed) throw new DecodeError('truncated', 'flow sample header');
  const samplingRate = buf.readUInt32BE(off + (expanded ? 12 : 8)) || 1;
  // Compact form: format in the top 2 bits, ifIndex in the low 30 (0x3fffffff: unknown); expanded: format
  // and value words. With both unknown (pmacct's sfprobe on a pcap interface sends that), the sample was
  // taken on its data source: that ifIndex as both, and attribution decides the direction by address.
  const source = expanded ? buf.readUInt32BE(off + 8) : buf.readUInt32BE(off + 4) & 0x00ffffff;
  let inIf = unknownIsZero(expanded ? buf.readUInt32BE(off + 28) : buf.readUInt32BE(off + 20) & 0x3fffffff);
  let outIf = unknownIsZero(expanded ? buf.readUInt32BE(off + 36) : buf.readUInt32BE(off + 24) & 0x3fffffff);
  if (inIf === 0 && outIf === 0) inIf = outIf = source;
  const info: SampleInfo = { inIf, outIf, samplingRate };
  const n = buf.readUInt32BE(off + fixed - 4);
  if (n > MAX_RECORDS) throw new DecodeError('bad_length', `flow sample with ${n} records`);
  let p = off + fixed;
  for (let i = 0; i < n; i++) {
    if (end - p < 8) throw new DecodeError('truncated', 'flow record header');
    const format = buf.readUInt32BE(p);
    const len = buf.readUInt32BE(p + 4);
    const rEnd = p + 8 + len;
    if (rEnd > end) throw new DecodeError('truncated', 'flow record');
    if (format === RAW_HEADER && len >= 16) {
      const protocol = buf.readUInt32BE(p + 8);
      const frameLength = buf.readUInt32BE(p + 12);
      const headerLength = buf.readUInt32BE(p + 20);
      if (headerLength > len - 16) throw new DecodeError('bad_length', 'sampled header longer than its record');
      const rec = sampledHeader(buf, protocol, p + 24, p + 24 + headerLength, frameLength, info);
      if (rec) out.push(rec);
    }
    p = rEnd;
  }
}

function counterSample(buf: Buffer, off: number, end: number, expanded: boolean, out: CounterRecord[]): void {
  const fixed = expanded ? 16 : 12;
  if (end - off < fixed) throw new DecodeError('truncated', 'counter sample header');
  const n = buf.readUInt32BE(off + fixed - 4);
  if (n > MAX_RECORDS) throw new DecodeError('bad_length', `counter sample with ${n} records`);
  let p = off + fixed;
  for (let i = 0; i < n; i++) {
    if (end - p < 8) throw new DecodeError('truncated', 'counter record header');
    const format = buf.readUInt32BE(p);
    const len = buf.readUInt32BE(p + 4);
    const rEnd = p + 8 + len;
    if (rEnd > end) throw new DecodeError('truncated', 'counter record');
    // if_counters: ifIndex, ifType, ifSpeed(8), ifDirection, ifStatus, ifInOctets(8) ... ifOutOctets(8) at 56
    if (format === GENERIC_IF_COUNTERS && len >= 64) {
      const q = p + 8;
      const u64 = (at: number) => buf.readUInt32BE(at) * 2 ** 32 + buf.readUInt32BE(at + 4);
      out.push({ ifIndex: buf.readUInt32BE(q), inOctets: u64(q + 24), outOctets: u64(q + 56) });
    }
    p = rEnd;
  }
}

export function decodeSflow(buf: Buffer): DecodeResult {
  need(buf, 0, 8, 'sFlow header');
  if (buf.readUInt32BE(0) !== 5) throw new DecodeError('bad_version', `sFlow version ${buf.readUInt32BE(0)}`);
  const agentType = buf.readUInt32BE(4);
  const agentLen = agentType === 1 ? 4 : agentType === 2 ? 16 : -1;
  if (agentLen < 0) throw new DecodeError('bad_length', `sFlow agent address type ${agentType}`);
  const hdr = 8 + agentLen + 16;
  need(buf, 0, hdr, 'sFlow header');
  const samples = buf.readUInt32BE(hdr - 4);
  if (samples > MAX_SAMPLES) throw new DecodeError('bad_length', `sFlow datagram with ${samples} samples`);
  const records: FlowRecord[] = [];
  const counters: CounterRecord[] = [];
  let p = hdr;
  for (let i = 0; i < samples; i++) {
    need(buf, p, 8, 'sample header');
    const type = buf.readUInt32BE(p);
    const len = buf.readUInt32BE(p + 4);
    need(buf, p + 8, len, 'sample');
    const end = p + 8 + len;
    // Enterprise 0 formats only; others (vendor samples) are skipped by length.
    if (type === FLOW_SAMPLE || type === FLOW_SAMPLE_EXPANDED) flowSample(buf, p + 8, end, type === FLOW_SAMPLE_EXPANDED, records);
    else if (type === COUNTER_SAMPLE || type === COUNTER_SAMPLE_EXPANDED) counterSample(buf, p + 8, end, type === COUNTER_SAMPLE_EXPANDED, counters);
    p = end;
  }
  return { protocol: 'sflow5', records, counters, templates: 0 };
}
