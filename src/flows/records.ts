/**
 * Data records of NetFlow v9 and IPFIX, read through their template. Both use the same information element
 * numbers for what netmon needs (RFC 3954 §8 and the IANA IPFIX registry agree on 1-88), so one reader
 * serves both. Unknown and enterprise fields are skipped by their length; a field of an unexpected length is
 * ignored rather than misread.
 */
import { ipv4, ipv6 } from './address.js';
import { DecodeError, need, type FlowRecord } from './types.js';
import { VARIABLE, type Domain, type Template, type TemplateCache } from './templates.js';

const IE = {
  octetDeltaCount: 1,
  packetDeltaCount: 2,
  protocolIdentifier: 4,
  sourceTransportPort: 7,
  sourceIPv4Address: 8,
  ingressInterface: 10,
  destinationTransportPort: 11,
  destinationIPv4Address: 12,
  egressInterface: 14,
  sourceIPv6Address: 27,
  destinationIPv6Address: 28,
  samplingInterval: 34,
  flowSamplerId: 48,
  samplerRandomInterval: 50,
  interfaceName: 82,
  octetTotalCount: 85,
  packetTotalCount: 86,
  selectorId: 302,
  samplingPacketInterval: 305,
  samplingPacketSpace: 306,
} as const;

/** An unsigned integer of 1 to 8 bytes (IPFIX reduced-size encoding); exact up to 2^53. */
function uint(buf: Buffer, off: number, len: number): number {
  if (len <= 6) return buf.readUIntBE(off, len);
  if (len === 8) return buf.readUInt32BE(off) * 2 ** 32 + buf.readUInt32BE(off + 4);
  return buf.readUIntBE(off, 1) * 2 ** 48 + buf.readUIntBE(off + 1, 6);
}

/**
 * Where the value of a field at `off` starts; its length is left in `spanLen` (IPFIX variable length: 1 byte,
 * or 255 and 2 bytes). Two results without a tuple: this runs per field of every record (the hot path).
 */
let spanLen = 0;
function fieldStart(buf: Buffer, off: number, len: number, end: number): number {
  if (len !== VARIABLE) {
    if (off + len > end) throw new DecodeError('truncated', 'record runs past its set');
    spanLen = len;
    return off;
  }
  if (off + 1 > end) throw new DecodeError('truncated', 'variable-length field runs past its set');
  const short = buf[off]!;
  if (short < 255) {
    if (off + 1 + short > end) throw new DecodeError('truncated', 'variable-length field runs past its set');
    spanLen = short;
    return off + 1;
  }
  if (off + 3 > end) throw new DecodeError('truncated', 'variable-length field runs past its set');
  const long = buf.readUInt16BE(off + 1);
  if (off + 3 + long > end) throw new DecodeError('truncated', 'variable-length field runs past its set');
  spanLen = long;
  return off + 3;
}

/** Decode the flow records of one data set [start, end) into `out`. */
export function readDataSet(buf: Buffer, start: number, end: number, t: Template, d: Domain, out: FlowRecord[]): void {
  need(buf, start, end - start, 'data set');
  let off = start;
  while (end - off >= t.minLength) {
    let src = '';
    let dst = '';
    let srcPort = 0;
    let dstPort = 0;
    let proto = 0;
    let bytes = -1;
    let packets = -1;
    let totalBytes = 0;
    let totalPackets = 0;
    let inIf = 0;
    let outIf = 0;
    let rate = 0;
    let sampler = -1;
    for (const f of t.fields) {
      const v = fieldStart(buf, off, f.len, end);
      const len = spanLen;
      off = v + len;
      if (f.skip || len === 0 || len > 16) continue;
      switch (f.id) {
        case IE.octetDeltaCount: if (len <= 8) bytes = uint(buf, v, len); break;
        case IE.packetDeltaCount: if (len <= 8) packets = uint(buf, v, len); break;
        case IE.octetTotalCount: if (len <= 8) totalBytes = uint(buf, v, len); break;
        case IE.packetTotalCount: if (len <= 8) totalPackets = uint(buf, v, len); break;
        case IE.protocolIdentifier: if (len === 1) proto = buf[v]!; break;
        case IE.sourceTransportPort: if (len === 2) srcPort = buf.readUInt16BE(v); break;
        case IE.destinationTransportPort: if (len === 2) dstPort = buf.readUInt16BE(v); break;
        case IE.sourceIPv4Address: if (len === 4) src = ipv4(buf, v); break;
        case IE.destinationIPv4Address: if (len === 4) dst = ipv4(buf, v); break;
        case IE.sourceIPv6Address: if (len === 16) src = ipv6(buf, v); break;
        case IE.destinationIPv6Address: if (len === 16) dst = ipv6(buf, v); break;
        case IE.ingressInterface: if (len <= 4) inIf = uint(buf, v, len); break;
        case IE.egressInterface: if (len <= 4) outIf = uint(buf, v, len); break;
        case IE.samplingInterval:
        case IE.samplerRandomInterval: if (len <= 4) rate = uint(buf, v, len); break;
        case IE.flowSamplerId:
        case IE.selectorId: if (len <= 8) sampler = uint(buf, v, len); break;
        default: break;
      }
    }
    // Delta counters are what an exporter sends per export; totals only when it sends nothing else.
    if (bytes < 0) bytes = totalBytes;
    if (packets < 0) packets = totalPackets;
    if (src === '' || dst === '') continue; // not an IP flow (e.g. layer-2 only): nothing to attribute
    const samplingRate = rate > 0 ? rate : (sampler >= 0 ? d.samplers.get(sampler) : undefined) ?? (d.samplingRate || 1);
    out.push({ src, dst, srcPort, dstPort, proto, bytes, packets, inIf, outIf, samplingRate });
  }
}

/** Read the options records of one set: sampling intervals (per sampler or domain-wide) and interface names. */
export function readOptionsSet(buf: Buffer, start: number, end: number, t: Template, d: Domain, cache: TemplateCache): void {
  need(buf, start, end - start, 'options data set');
  let off = start;
  while (end - off >= t.minLength) {
    let interval = 0;
    let space = 0;
    let sampler = -1;
    let ifIndex = -1;
    let ifName: string | undefined;
    for (const f of t.fields) {
      const v = fieldStart(buf, off, f.len, end);
      const len = spanLen;
      off = v + len;
      if (f.skip || len === 0) continue;
      switch (f.id) {
        case IE.samplingInterval:
        case IE.samplerRandomInterval:
        case IE.samplingPacketInterval: if (len <= 4) interval = uint(buf, v, len); break;
        case IE.samplingPacketSpace: if (len <= 4) space = uint(buf, v, len); break;
        case IE.flowSamplerId:
        case IE.selectorId: if (len <= 8) sampler = uint(buf, v, len); break;
        case IE.ingressInterface: if (len <= 4) ifIndex = uint(buf, v, len); break;
        case IE.interfaceName: ifName = buf.toString('utf8', v, v + Math.min(len, 64)).replace(/\0+$/, ''); break;
        default: break;
      }
    }
    // Systematic count-based sampling (RFC 5476): `interval` packets taken, then `space` skipped.
    const rate = interval > 0 ? (space > 0 ? (interval + space) / interval : interval) : 0;
    if (rate > 0) {
      if (sampler >= 0) cache.setSampler(d, sampler, rate);
      else d.samplingRate = rate;
    }
    if (ifIndex >= 0 && ifName) cache.setIfName(d, ifIndex, ifName);
  }
}

/**
 * A data set of template `id` (NetFlow v9 and IPFIX alike): options records update the domain, flow records
 * go to `out`. False when the template is not known (not yet sent, or withdrawn): the set's records are lost.
 */
export function readSet(buf: Buffer, start: number, end: number, id: number, d: Domain, cache: TemplateCache, out: FlowRecord[]): boolean {
  const t = d.templates.get(id);
  if (!t) return false;
  if (t.options) readOptionsSet(buf, start, end, t, d, cache);
  else readDataSet(buf, start, end, t, d, out);
  return true;
}
